package io.mailroute.reports.sources;

import static io.mailroute.reports.sources.SourceFixtures.WEEK;
import static io.mailroute.reports.sources.SourceFixtures.all;
import static io.mailroute.reports.sources.SourceFixtures.config;
import static io.mailroute.reports.sources.SourceFixtures.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.JdbcSource;
import io.mailroute.reports.ReportDefinition.SqlSource;
import io.mailroute.reports.ReportQuery;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** sql and jdbc sources on H2: parameters bound, cells as text, rows streamed, failures named. */
class QuerySourcesTest {

    static final String STATEMENT_TABLE = """
            CREATE TABLE statement_line (customer VARCHAR(100), booked_at TIMESTAMP WITH TIME ZONE, amount NUMERIC(10, 2),
                                         paid BOOLEAN, note VARCHAR(100), due DATE, ratio DOUBLE PRECISION)""";
    static final String STATEMENT = """
            SELECT booked_at AS "Booked", amount AS "Amount", paid AS "Paid", note AS "Note", due AS "Due", ratio AS "Ratio"
              FROM statement_line
             WHERE customer = :customer AND booked_at >= :periodStart AND booked_at < :periodEnd
             ORDER BY booked_at""";
    static final String TEN_THOUSAND = """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
            SELECT i AS "N", i * 2 AS "Twice" FROM n ORDER BY i""";

    private Database db;
    private ReportSources sources;

    @BeforeEach
    void seed() {
        db = TestDatabases.h2("report-sources");
        seedStatements(db);
        sources = new ReportSources(db, config(Map.of()), name -> null, ReportSources.httpClient(), Clock.systemUTC());
    }

    /** Two customers' lines: inside the week (its first instant included), before it, and at its end (excluded). */
    static void seedStatements(Database db) {
        db.jdbc().getJdbcOperations().execute(STATEMENT_TABLE);
        db.jdbc().getJdbcOperations().execute("""
                INSERT INTO statement_line VALUES
                  ('a@customer.example', TIMESTAMP WITH TIME ZONE '2026-03-01 23:00:00+00', 1200.50, TRUE, NULL, DATE '2026-03-31', 0.25),
                  ('a@customer.example', TIMESTAMP WITH TIME ZONE '2026-03-04 08:30:00+00', 1E3, FALSE, 'late, "again"', NULL, 1E21),
                  ('a@customer.example', TIMESTAMP WITH TIME ZONE '2026-03-01 22:59:59+00', 1, TRUE, 'last week', NULL, NULL),
                  ('a@customer.example', TIMESTAMP WITH TIME ZONE '2026-03-08 23:00:00+00', 2, TRUE, 'next week', NULL, NULL),
                  ('b@customer.example', TIMESTAMP WITH TIME ZONE '2026-03-03 10:00:00+00', 99.99, TRUE, 'not yours', NULL, NULL)""");
    }

    @AfterEach
    void close() {
        sources.close();
        db.close();
    }

    @Test
    void aPerRecipientQueryGivesOnlyThatRecipientsRowsOfThePeriodAsText() throws Exception {
        ReportDefinition report = report("statement", new SqlSource(ReportQuery.of(STATEMENT)), "customer");

        List<List<String>> rows = sources.read(report, WEEK, "a@customer.example", SourceFixtures::all);

        assertEquals(List.of(
                List.of("Booked", "Amount", "Paid", "Note", "Due", "Ratio"),
                Arrays.asList("2026-03-02 00:00", "1200.50", "yes", null, "2026-03-31", "0.25"),
                Arrays.asList("2026-03-04 09:30", "1000.00", "no", "late, \"again\"", null, "1000000000000000000000")), rows);
        assertEquals(List.of(List.of("Booked", "Amount", "Paid", "Note", "Due", "Ratio"),
                        Arrays.asList("2026-03-03 11:00", "99.99", "yes", "not yours", null, null)),
                sources.read(report, WEEK, "b@customer.example", SourceFixtures::all));
    }

    @Test
    void tenThousandRowsAreStreamedToTheReaderOnceWithoutBeingCollected() throws Exception {
        ReportDefinition report = report("big", new SqlSource(ReportQuery.of(TEN_THOUSAND)));

        long[] seen = sources.read(report, WEEK, null, table -> {
            assertFalse(table.rows() instanceof Collection, "rows are an iterable over the open cursor, not a list");
            long count = 0;
            long sum = 0;
            for (List<String> row : table.rows()) {
                count++;
                assertEquals(Long.toString(count), row.get(0));
                sum += Long.parseLong(row.get(1));
            }
            assertThrows(IllegalStateException.class, () -> table.rows().iterator(), "the cursor is read once");
            return new long[] {count, sum};
        });

        assertEquals(10_000, seen[0]);
        assertEquals(10_000L * 10_001, seen[1]);
    }

    @Test
    void aQueryErrorNamesTheReportTheDatabaseTheDatabasesMessageAndWhereTheQueryIs() {
        ReportDefinition report = report("broken", new SqlSource(ReportQuery.of("SELECT no_such_column FROM statement_line")));

        SourceException e = assertThrows(SourceException.class, () -> sources.read(report, WEEK, null, SourceFixtures::all));

        assertTrue(e.getMessage().startsWith("report 'broken': the query on Mailroute's database failed: "), e.getMessage());
        assertTrue(e.getMessage().contains("NO_SUCH_COLUMN") || e.getMessage().contains("no_such_column"), e.getMessage());
        assertTrue(e.getMessage().contains("config/reports.yaml line 9, source.query"), e.getMessage());
    }

    @Test
    void aPerRecipientReportIsReadWithARecipientAndAnOtherWithout() {
        ReportDefinition perRecipient = report("statement", new SqlSource(ReportQuery.of(STATEMENT)), "customer");
        ReportDefinition forAll = report("big", new SqlSource(ReportQuery.of(TEN_THOUSAND)));

        assertThrows(IllegalArgumentException.class, () -> sources.read(perRecipient, WEEK, null, SourceFixtures::all));
        assertThrows(IllegalArgumentException.class, () -> sources.read(forAll, WEEK, "a@customer.example", SourceFixtures::all));
    }

    @Test
    void aJdbcSourceReadsItsDatasourceWithThePasswordFromTheEnvironment() throws Exception {
        String url = "jdbc:h2:mem:erp-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        try (Connection erp = DriverManager.getConnection(url, "erp", "s3cret"); Statement statement = erp.createStatement()) {
            statement.execute("CREATE TABLE invoice (no INT, total NUMERIC(8, 2))");
            statement.execute("INSERT INTO invoice VALUES (1, 10.00), (2, 20.50)");
        }
        Map<String, ReportsConfig.Datasource> datasources = Map.of("erp",
                new ReportsConfig.Datasource("erp", url, "erp", null, "ERP_DB_PASSWORD", 4));
        ReportDefinition report = report("invoices", new JdbcSource("erp",
                ReportQuery.of("SELECT no AS \"No\", total AS \"Total\" FROM invoice ORDER BY no")));

        try (ReportSources withPassword = new ReportSources(db, config(datasources), Map.of("ERP_DB_PASSWORD", "s3cret")::get,
                ReportSources.httpClient(), Clock.systemUTC())) {
            assertEquals(List.of(List.of("No", "Total"), List.of("1", "10.00"), List.of("2", "20.50")),
                    withPassword.read(report, WEEK, null, SourceFixtures::all));
        }
        try (ReportSources unset = new ReportSources(db, config(datasources), name -> null, ReportSources.httpClient(),
                Clock.systemUTC())) {
            SourceException e = assertThrows(SourceException.class, () -> unset.read(report, WEEK, null, SourceFixtures::all));
            assertEquals("report 'invoices': the password of datasource 'erp' comes from the environment variable "
                    + "ERP_DB_PASSWORD, which is not set (config/reports.yaml line 4, datasources.erp.password). Export "
                    + "ERP_DB_PASSWORD for the service and restart it", e.getMessage());
        }
        try (ReportSources wrong = new ReportSources(db, config(datasources), Map.of("ERP_DB_PASSWORD", "wrong")::get,
                ReportSources.httpClient(), Clock.systemUTC())) {
            SourceException e = assertThrows(SourceException.class, () -> wrong.read(report, WEEK, null, SourceFixtures::all));
            assertTrue(e.getMessage().startsWith("report 'invoices': could not connect to datasource 'erp' (jdbc:h2:mem:erp-"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("wrong"), "no password in messages: " + e.getMessage());
        }
    }
}

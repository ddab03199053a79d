package io.mailroute.reports.sources;

import static io.mailroute.reports.sources.SourceFixtures.WEEK;
import static io.mailroute.reports.sources.SourceFixtures.config;
import static io.mailroute.reports.sources.SourceFixtures.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.JdbcSource;
import io.mailroute.reports.ReportDefinition.SqlSource;
import io.mailroute.reports.ReportQuery;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.testing.TestPostgres;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * sql and jdbc sources on a real PostgreSQL: the transaction really is read-only, the cursor really streams, and the
 * cells are as on H2. A database of its own ({@link TestPostgres}); without MAILROUTE_TEST_POSTGRES_URL this test is
 * skipped, saying so.
 */
class ReportSourcesPostgresIT {

    private TestPostgres postgres;
    private Database db;
    private ReportSources sources;

    @BeforeEach
    void open() throws Exception {
        postgres = TestPostgres.create("mr_report_sources");
        db = Database.open(postgres.url(), null, null, 2);
        QuerySourcesTest.seedStatements(db);
        db.jdbc().getJdbcOperations().execute("CREATE SEQUENCE invoice_no");
        sources = new ReportSources(db, config(Map.of("erp", new ReportsConfig.Datasource("erp", postgres.url(), null, null,
                null, 4))), name -> null, ReportSources.httpClient(), Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        if (sources != null) {
            sources.close();
        }
        if (db != null) {
            db.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private List<List<String>> read(ReportDefinition report) throws Exception {
        return sources.read(report, WEEK, null, SourceFixtures::all);
    }

    @Test
    void bothQuerySourcesReadInATransactionTheServerKeepsReadOnly() throws Exception {
        String readOnly = "SELECT current_setting('transaction_read_only') AS \"Read only\"";
        assertEquals(List.of(List.of("Read only"), List.of("on")), read(report("own", new SqlSource(ReportQuery.of(readOnly)))));
        assertEquals(List.of(List.of("Read only"), List.of("on")),
                read(report("erp", new JdbcSource("erp", ReportQuery.of(readOnly)))));

        ReportDefinition writes = report("writes", new SqlSource(ReportQuery.of("SELECT nextval('invoice_no') AS n")));
        SourceException e = assertThrows(SourceException.class, () -> read(writes));
        assertTrue(e.getMessage().startsWith("report 'writes': the query on Mailroute's database failed: "), e.getMessage());
        assertTrue(e.getMessage().contains("read-only transaction"), e.getMessage());
        assertEquals(1L, db.jdbc().getJdbcOperations().queryForObject("SELECT nextval('invoice_no')", Long.class),
                "the sequence never moved");
    }

    @Test
    void rowsAreStreamedFromTheCursorSoAnErrorAtRow5000ComesAfterTheRowsBeforeIt() throws Exception {
        ReportDefinition report = report("late-error", new SqlSource(ReportQuery.of(
                "SELECT g AS \"N\", 1 / (5000 - g) AS \"Inverse\" FROM generate_series(1, 10000) g")));
        long[] received = {0};

        SourceException e = assertThrows(SourceException.class, () -> sources.read(report, WEEK, null, table -> {
            for (List<String> row : table.rows()) {
                received[0]++;
            }
            return null;
        }));

        // fetched in batches of QueryTables.FETCH_SIZE: the batch holding row 5000 fails whole
        assertEquals(4500, received[0]);
        assertTrue(e.getMessage().startsWith("report 'late-error': the query on Mailroute's database failed at row 4501: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("division by zero"), e.getMessage());
    }

    @Test
    void periodsAndTheRecipientAreBoundAndCellsReadAsOnH2() throws Exception {
        ReportDefinition report = report("statement", new SqlSource(ReportQuery.of(QuerySourcesTest.STATEMENT)), "customer");

        assertEquals(List.of(
                List.of("Booked", "Amount", "Paid", "Note", "Due", "Ratio"),
                Arrays.asList("2026-03-02 00:00", "1200.50", "yes", null, "2026-03-31", "0.25"),
                Arrays.asList("2026-03-04 09:30", "1000.00", "no", "late, \"again\"", null, "1000000000000000000000")),
                sources.read(report, WEEK, "a@customer.example", SourceFixtures::all));
    }

    @Test
    void tenThousandRowsArriveInOrder() throws Exception {
        long count = sources.read(report("big", new SqlSource(ReportQuery.of(QuerySourcesTest.TEN_THOUSAND))), WEEK, null,
                table -> {
                    long n = 0;
                    for (List<String> row : table.rows()) {
                        assertEquals(Long.toString(++n), row.get(0));
                    }
                    return n;
                });
        assertEquals(10_000, count);
    }
}

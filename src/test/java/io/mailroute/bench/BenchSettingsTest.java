package io.mailroute.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The benchmark's knobs and the configuration it gives the service. */
class BenchSettingsTest {

    @Test
    void defaultsAreTheIssuesSizesAndQuickLowersThem() {
        BenchSettings full = BenchSettings.from(new Properties());
        assertEquals(10_000, full.messages());
        assertEquals(List.of(1, 20), full.mailboxCounts());
        assertEquals(1_000, full.latencyMessages());
        assertEquals(1_000, full.warmupMessages());
        assertEquals(25_000_000, full.bigMessageBytes());
        assertEquals(Duration.ofSeconds(1), full.throughputPoll());
        assertEquals(Duration.ofSeconds(15), full.idleSettle());
        assertEquals(BenchSettings.ALL_PHASES, full.phases());

        Properties quick = new Properties();
        quick.setProperty("bench.quick", "true");
        BenchSettings small = BenchSettings.from(quick);
        assertEquals(500, small.messages());
        assertEquals(List.of(1, 2), small.mailboxCounts());
        assertEquals(100, small.latencyMessages());
        assertEquals(200, small.warmupMessages());
        assertEquals(25_000_000, small.bigMessageBytes(), "quick keeps what it does not lower");
        assertEquals(Duration.ofSeconds(1), small.throughputPoll());
        assertEquals(Duration.ofSeconds(5), small.idleSettle());
        assertEquals(BenchSettings.ALL_PHASES, small.phases());
    }

    @Test
    void aGivenKnobWinsOverQuickAndIsParsedInTheFormsTheReadmeShows() {
        Properties p = new Properties();
        p.setProperty("bench.quick", "true");
        p.setProperty("bench.messages", " 1_500 ");
        p.setProperty("bench.mailboxes", "1, 4,,8");
        p.setProperty("bench.phases", "throughput,latency");
        p.setProperty("bench.throughput.poll", "500ms");
        p.setProperty("bench.idle.settle", "2m");
        BenchSettings given = BenchSettings.from(p);
        assertEquals(1_500, given.messages());
        assertEquals(List.of(1, 4, 8), given.mailboxCounts());
        assertEquals(List.of("throughput", "latency"), given.phases());
        assertTrue(given.runs("latency"));
        assertFalse(given.runs("cost"));
        assertEquals(Duration.ofMillis(500), given.throughputPoll());
        assertEquals(Duration.ofMinutes(2), given.idleSettle());
        assertEquals(100, given.latencyMessages(), "knobs not given keep the quick value");

        p.setProperty("bench.messages", "ten");
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> BenchSettings.from(p));
        assertTrue(wrong.getMessage().contains("bench.messages") && wrong.getMessage().contains("'ten'"), wrong.getMessage());
    }

    @Test
    void theThroughputRunsUseTheShippedTriageRulesWithoutTheirNotifications() throws Exception {
        String shipped = Files.readString(Path.of("config", "triage.yaml"));
        String rules = ServiceWorld.withoutNotifications(shipped);
        assertTrue(shipped.lines().anyMatch(l -> !l.strip().startsWith("#") && l.contains("notify:")));
        assertFalse(rules.lines().anyMatch(l -> !l.strip().startsWith("#") && l.contains("notify")), rules);
        assertEquals(shipped.lines().filter(l -> l.contains("- id:")).count(), rules.lines().filter(l -> l.contains("- id:")).count());
    }

    @Test
    void theReportsRunIsPartOfTheFullRunWithTheIssuesSizesAndQuickShrinksIt() {
        BenchSettings full = BenchSettings.from(new Properties());
        assertTrue(full.runs("reports"));
        assertEquals(new BenchSettings.Reports(10_000, 100, true), full.reports());

        Properties quick = new Properties();
        quick.setProperty("bench.quick", "true");
        assertEquals(new BenchSettings.Reports(1_000, 10, true), BenchSettings.from(quick).reports());
        quick.setProperty("bench.reports.recipients", "3");
        quick.setProperty("bench.reports.paced", "false");
        assertEquals(new BenchSettings.Reports(1_000, 3, false), BenchSettings.from(quick).reports());
    }

    @Test
    void theReportsRowsAreTheSameMailForTheSameSeedOneCustomerEmailEach() throws Exception {
        List<MailMix.Mail> rows = ReportsRun.rows(7, 50);
        assertEquals(50, rows.size());
        assertEquals(new String(rows.get(9).raw(), java.nio.charset.StandardCharsets.UTF_8),
                new String(ReportsRun.rows(7, 50).get(9).raw(), java.nio.charset.StandardCharsets.UTF_8));
        jakarta.mail.internet.MimeMessage mail = new jakarta.mail.internet.MimeMessage(
                jakarta.mail.Session.getInstance(new Properties()), new java.io.ByteArrayInputStream(rows.get(0).raw()));
        assertEquals("<bench-report-row-1@globex.example>", mail.getMessageID());
        assertTrue(mail.getFrom()[0].toString().endsWith("@globex.example>"), mail.getFrom()[0].toString());
    }

    @Test
    void theClusterRunIsPartOfTheFullRunWithTheIssuesSizesAndQuickShrinksIt() {
        BenchSettings full = BenchSettings.from(new Properties());
        assertTrue(full.runs("cluster"));
        assertEquals(List.of(1, 2, 3), full.cluster().nodes());
        assertEquals(20, full.cluster().mailboxes());
        assertEquals(2_000, full.cluster().messages());
        assertEquals(5, full.cluster().kills());

        Properties quick = new Properties();
        quick.setProperty("bench.quick", "true");
        assertEquals(200, BenchSettings.from(quick).cluster().messages());
        assertEquals(2, BenchSettings.from(quick).cluster().kills());
        quick.setProperty("bench.cluster-nodes", "1,3");
        quick.setProperty("bench.cluster-mailboxes", "6");
        quick.setProperty("bench.cluster-messages", "1_000");
        quick.setProperty("bench.cluster-kills", "5");
        BenchSettings.Cluster cluster = BenchSettings.from(quick).cluster();
        assertEquals(List.of(1, 3), cluster.nodes());
        assertEquals(6, cluster.mailboxes());
        assertEquals(1_000, cluster.messages());
        assertEquals(5, cluster.kills());
    }

    @Test
    void withoutPostgresTheClusterRunIsSkippedWithTheReasonAndThePropertyWinsOverTheEnvironment() {
        BenchSettings.Cluster none = BenchSettings.from(new Properties(), Map.of()).cluster();
        assertNull(none.postgresUrl());
        assertTrue(none.skipReason().contains("MAILROUTE_TEST_POSTGRES_URL") && none.skipReason().contains("bench.postgres-url"),
                none.skipReason());

        String fromEnv = "jdbc:postgresql://127.0.0.1:25432/postgres?user=mailroute";
        BenchSettings.Cluster env = BenchSettings.from(new Properties(), Map.of("MAILROUTE_TEST_POSTGRES_URL", fromEnv)).cluster();
        assertEquals(fromEnv, env.postgresUrl());
        assertNull(env.skipReason());

        Properties p = new Properties();
        p.setProperty("bench.postgres-url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=u&password=hunter2");
        BenchSettings.Cluster given = BenchSettings.from(p, Map.of("MAILROUTE_TEST_POSTGRES_URL", fromEnv)).cluster();
        assertEquals("jdbc:postgresql://127.0.0.1:5432/postgres?user=u&password=hunter2", given.postgresUrl());
        assertFalse(BenchSettings.from(p).toJson().toString().contains("hunter2"), "results.json never carries the URL");

        p.setProperty("bench.postgres-url", " ");
        assertNull(BenchSettings.from(p, Map.of()).cluster().postgresUrl(), "blank is not set");
    }

    @Test
    void eachClusterRunGetsADatabaseBesideTheServersPostgresDatabase() {
        assertEquals("jdbc:postgresql://127.0.0.1:25432/bench_cluster_1_5?user=mailroute",
                ClusterRun.databaseUrl("jdbc:postgresql://127.0.0.1:25432/postgres?user=mailroute", "bench_cluster_1_5"));
        assertEquals("jdbc:postgresql://db:5432/bench_x", ClusterRun.databaseUrl("jdbc:postgresql://db:5432/postgres", "bench_x"));
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> ClusterRun.databaseUrl("jdbc:postgresql://db:5432/mailroute", "bench_x"));
        assertTrue(other.getMessage().contains("postgres database"), other.getMessage());
    }

    @Test
    void theTableShowsASkippedClusterRunAndTheClusterFigures() throws Exception {
        String skipped = Report.table(Results.JSON.readTree("""
                {"cluster": {"skipped": "no PostgreSQL: set MAILROUTE_TEST_POSTGRES_URL"}}"""));
        assertTrue(skipped.contains("CLUSTER: skipped, no PostgreSQL: set MAILROUTE_TEST_POSTGRES_URL"), skipped);

        String table = Report.table(Results.JSON.readTree("""
                {"cluster": {"messages": 200, "mailboxes": 20, "pollIntervalMillis": 1000, "note": "N nodes share the same 2 cores",
                  "runs": [
                    {"nodes": 1, "statementsSource": "pg_stat_statements", "startupMillis": [9000],
                     "intake": {"complete": true, "itemsPerSecond": 41.5, "transactionsPerMessage": 12.5, "statementsPerMessage": 30.2},
                     "mailboxesByNode": {"node-1": 20}},
                    {"nodes": 3, "startupMillis": [9000, 8000, 7000],
                     "intake": {"complete": false, "itemsPerSecond": 30.1, "transactionsPerMessage": 14.0},
                     "mailboxesByNode": {"node-1": 15, "node-2": 3, "node-3": 2},
                     "takeover": {"kills": 2, "takeovers": 17, "notTakenOver": 1, "p50Millis": 12000, "maxMillis": 19000,
                       "perKill": [{"victim": "node-1", "mailboxes": 15, "p50Millis": 12000, "maxMillis": 19000},
                                   {"victim": "node-2", "mailboxes": 3, "p50Millis": 11000, "maxMillis": 11500}]}}]}}"""));
        assertTrue(table.contains("N nodes share the same 2 cores"), table);
        assertTrue(table.contains("41.5") && table.contains("30.1 (INCOMPLETE)") && table.contains("30.2"), table);
        assertTrue(table.contains("node-1 15, node-2 3, node-3 2"), table);
        assertTrue(table.contains("12000 / 19000  (2 kills, 17 mailboxes moved, 1 NOT TAKEN OVER within 2 min)"), table);
        assertTrue(table.contains("kill 2: node-2 owned 3") && table.contains("11000 / 11500"), table);
    }
}

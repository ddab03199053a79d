package io.mailroute.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.reports.RunRecipient.Planned;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The run ledger on a real PostgreSQL, as several instances use it: four nodes, each with its own pool, begin the same
 * (report, period) at once and get one run; they claim it at once and one holds it; they send to its recipients at
 * once and each is sent once. A database of its own ({@link TestPostgres}); without MAILROUTE_TEST_POSTGRES_URL this
 * test is skipped, saying so.
 */
class ReportRunsPostgresIT {

    private static final int NODES = 4;
    private static final int ROUNDS = 20;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T06:00:00Z"));
    private final List<Database> opened = new ArrayList<>();
    private TestPostgres postgres;

    @BeforeEach
    void createDatabase() throws Exception {
        postgres = TestPostgres.create("mr_report_runs");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        opened.forEach(Database::close);
        if (postgres != null) {
            postgres.close();
        }
    }

    /** A node's ledger on its own pool, as on its own instance. */
    private ReportRuns node() {
        Database db = Database.open(postgres.url(), null, null, 2);
        opened.add(db);
        return new ReportRuns(db, new EventLog(db, Json.newMapper(), clock), clock);
    }

    /** Runs {@code work} on every node at once (a barrier releases them together) and collects the answers. */
    private <T> List<T> atOnce(List<ReportRuns> nodes, Function<ReportRuns, T> work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(nodes.size());
        ExecutorService threads = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (ReportRuns node : nodes) {
                Callable<T> task = () -> {
                    start.await(30, TimeUnit.SECONDS);
                    return work.apply(node);
                };
                futures.add(threads.submit(task));
            }
            List<T> answers = new ArrayList<>();
            for (Future<T> future : futures) {
                answers.add(future.get(60, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void fourNodesBeginningTheSameReportPeriodAtOnceMakeExactlyOneRun() throws Exception {
        List<ReportRuns> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            nodes.add(node()); // one after the other: the first migrates
        }
        for (int round = 1; round <= ROUNDS; round++) {
            String period = String.format("2026-W%02d", round);
            List<ReportRuns.Begun> begun = atOnce(nodes, node -> node.begin("sla-weekly", period));
            assertEquals(1, begun.stream().filter(ReportRuns.Begun::created).count(), period + ": one node created it");
            assertEquals(1, begun.stream().map(b -> b.run().id()).distinct().count(), period + ": one run for all");
        }
        Database db = opened.get(0);
        assertEquals(ROUNDS, db.jdbc().queryForObject("SELECT COUNT(*) FROM report_run WHERE report_id = 'sla-weekly'",
                Map.of(), Integer.class));

        long runId = nodes.get(0).begin("sla-weekly", "2026-W01").run().id();
        List<Optional<ReportRuns.Claim>> claims = atOnce(nodes, node -> node.claim(runId, "node", Duration.ofMinutes(5)));
        assertEquals(1, claims.stream().filter(Optional::isPresent).count(), "one node holds the run");

        List<Planned> recipients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            recipients.add(new Planned("customer" + i, "customer" + i + "@acme.example"));
        }
        List<Integer> planned = atOnce(nodes, node -> node.plan(runId, recipients));
        assertEquals(40, planned.stream().mapToInt(Integer::intValue).sum(), "each recipient planned once");
        List<Integer> sent = atOnce(nodes, node -> {
            int mine = 0;
            for (RunRecipient r : node.pending(runId)) {
                mine += node.markSent(runId, r.address(), "<" + r.id() + "@mailroute>").isPresent() ? 1 : 0;
            }
            return mine;
        });
        assertEquals(40, sent.stream().mapToInt(Integer::intValue).sum(), "each recipient marked sent once");
        assertEquals(40, db.jdbc().queryForObject("SELECT COUNT(*) FROM workflow_event WHERE type = 'report.sent'",
                Map.of(), Integer.class), "and its event appended once");
        Set<String> statuses = new HashSet<>(db.jdbc().queryForList("SELECT DISTINCT status FROM report_recipient",
                Map.of(), String.class));
        assertEquals(Set.of("SENT"), statuses);
    }
}

package io.mailroute.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The benchmark: every measurement of the performance issue in one run, against the sandbox on
 * loopback, printed as one table and written to {@code target/bench/results.json}. Needs the packaged
 * jar and the test classes ({@code mvn -Pbench verify} builds both and runs this), or run directly:
 *
 * <pre>
 * mvn -q -o -DskipTests package
 * java -cp "target/test-classes:target/mailroute.jar" io.mailroute.bench.Bench            # full size
 * java -Dbench.quick=true -cp "target/test-classes:target/mailroute.jar" io.mailroute.bench.Bench
 * </pre>
 *
 * Knobs are system properties ({@link BenchSettings}). A measurement that fails is recorded with its
 * error and the others still run; slow figures are reported, never judged.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        ObjectNode results = run(BenchSettings.fromSystemProperties());
        System.exit(results.path("errors").isEmpty() ? 0 : 1);
    }

    /** Runs what the settings ask for, prints the table, writes results.json; returns the results. */
    static ObjectNode run(BenchSettings settings) throws Exception {
        for (Path needed : List.of(Path.of("target", "mailroute.jar"), Path.of("target", "test-classes"))) {
            if (!Files.exists(needed)) {
                throw new IllegalStateException(needed + " is missing: run from the project root after "
                        + "mvn -DskipTests package (mvn -Pbench verify does both)");
            }
        }
        Path file = settings.outDir().resolve("results.json");
        deleteTree(settings.outDir().resolve("work")); // a previous run's databases and configs
        ObjectNode results = Results.object()
                .put("benchmark", "Mailroute intake throughput, email-to-push latency, cost, intake under faults, approval "
                        + "decisions, several nodes on one PostgreSQL, a large report to many recipients, escalation timer lateness and "
                        + "acknowledgement throughput")
                .put("startedAt", Instant.now().toString());
        results.putObject("machine")
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("memoryMiB", Results.mib(ProcStats.memoryTotalBytes()))
                .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("loadAverageAtStart", ProcStats.loadAverage());
        results.set("settings", settings.toJson());
        ArrayNode errors = results.putArray("errors");

        boolean mailPhases = settings.phases().stream().anyMatch(phase -> !BenchSettings.WITHOUT_MAIL.contains(phase));
        MailMix mix = mailPhases ? mix(settings, results) : null;
        List<MailMix.Mail> warmup = mailPhases
                ? MailMix.warmup(settings.seed(), settings.warmupMessages(), settings.largeAttachmentShare()) : List.of();

        if (settings.runs("cost")) {
            measure(errors, "cost", () -> CostRun.run(settings, mix.giant()), run -> results.set("cost", run), file, results);
        }
        if (settings.runs("throughput")) {
            ArrayNode throughput = results.putArray("throughput");
            for (int mailboxes : settings.mailboxCounts()) {
                boolean profile = settings.jfr() && throughput.isEmpty();
                measure(errors, "throughput with " + mailboxes + " mailbox(es)",
                        () -> ThroughputRun.run(settings, mix.first(settings.messages()), warmup, mailboxes, profile),
                        throughput::add, file, results);
            }
        }
        if (settings.runs("quota")) {
            measure(errors, "quota", () -> QuotaRun.run(settings, mix.ordinary(settings.quotaMessages()), warmup),
                    run -> results.set("quota", run), file, results);
        }
        if (settings.runs("latency")) {
            measure(errors, "latency", () -> LatencyRun.run(settings, mix.ordinary(settings.latencyMessages()), warmup, false),
                    run -> results.set("latency", run), file, results);
            measure(errors, "latency with Gmail push", () -> LatencyRun.run(settings, mix.ordinary(settings.latencyMessages()),
                    warmup, true), run -> results.set("latencyPush", run), file, results);
        }
        if (settings.runs("faults")) {
            measure(errors, "faults", () -> FaultsRun.run(settings, mix.ordinary(settings.faults().messages()), warmup),
                    run -> results.set("faults", run), file, results);
        }
        if (settings.runs("approvals")) {
            measure(errors, "approvals", () -> ApprovalsRun.run(settings, warmup), run -> results.set("approvals", run), file, results);
        }
        if (settings.runs("cluster")) {
            cluster(settings, mix, warmup, errors, file, results);
        }
        if (settings.runs("reports")) {
            measure(errors, "reports", () -> ReportsRun.run(settings), run -> results.set("reports", run), file, results);
        }
        if (settings.runs("escalation")) {
            measure(errors, "escalation", () -> EngagementRun.escalation(settings), run -> results.set("escalation", run), file,
                    results);
        }
        if (settings.runs("ack")) {
            measure(errors, "ack", () -> EngagementRun.ack(settings), run -> results.set("ack", run), file, results);
        }
        results.put("finishedAt", Instant.now().toString());
        results.with("machine").put("loadAverageAtEnd", ProcStats.loadAverage());
        Results.write(file, results);
        System.out.println();
        System.out.println(Report.table(results));
        System.out.println("Written: " + file.toAbsolutePath());
        return results;
    }

    /** The message mix the intake phases share, generated once; its summary goes in the results. */
    private static MailMix mix(BenchSettings settings, ObjectNode results) {
        long generating = System.nanoTime();
        int count = Math.max(settings.messages(), Math.max(Math.max(settings.faults().messages(), settings.cluster().messages()),
                Math.max(settings.quotaMessages(), settings.latencyMessages())) + 1);
        MailMix mix = MailMix.generate(settings.seed(), count, settings.messages() / 2, settings.bigMessageBytes(),
                settings.largeAttachmentShare());
        results.set("mix", mix.summary(settings.messages())
                .put("generationSeconds", Results.round((System.nanoTime() - generating) / 1e9, 1)));
        progress("mix: " + results.get("mix"));
        return mix;
    }

    /** One cluster run per node count, SIGKILLs in the largest; without PostgreSQL skipped, and the table says why. */
    private static void cluster(BenchSettings settings, MailMix mix, List<MailMix.Mail> warmup, ArrayNode errors, Path file,
            ObjectNode results) throws java.io.IOException {
        ObjectNode cluster = results.putObject("cluster");
        String skipped = settings.cluster().skipReason();
        if (skipped != null) {
            cluster.put("skipped", skipped);
            progress("cluster skipped: " + skipped);
            return;
        }
        cluster.setAll(ClusterRun.describe(settings));
        ArrayNode runs = cluster.putArray("runs");
        int largest = settings.cluster().nodes().stream().mapToInt(Integer::intValue).max().orElse(0);
        for (int nodes : settings.cluster().nodes()) {
            int kills = nodes == largest && nodes >= 2 ? settings.cluster().kills() : 0;
            measure(errors, "cluster with " + nodes + " node(s)", () -> ClusterRun.run(settings,
                    mix.ordinary(settings.cluster().messages()), warmup, nodes, kills), runs::add, file, results);
        }
    }

    private interface Measurement {
        ObjectNode run() throws Exception;
    }

    /** Runs one measurement and files its result; a failure is recorded (and printed) and the next one still runs. */
    private static void measure(ArrayNode errors, String name, Measurement measurement, Consumer<ObjectNode> result,
            Path file, ObjectNode results) throws java.io.IOException {
        progress(name + " ...");
        long start = System.nanoTime();
        try {
            result.accept(measurement.run());
        } catch (Exception | AssertionError e) {
            errors.addObject().put("measurement", name).put("error", String.valueOf(e));
            System.err.println("[bench] " + name + " failed: " + e);
            e.printStackTrace();
        }
        progress(name + " done in " + Math.round((System.nanoTime() - start) / 1e9) + " s");
        Results.write(file, results);
    }

    /** Deletes a directory and everything below it, if it exists. */
    static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static void progress(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }
}

package io.mailroute.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Intake throughput against an unthrottled sandbox, for one number of mailboxes: how fast each
 * contender drains the same backlog of the same mail from the same sandbox, each warmed up first on
 * the same warm-up mail. Mailroute (the real service, from the moment the backlog is released to the
 * last committed message.received and workflow item), then the ceiling (a bare loop of the same
 * client), then the alternative (google-mail-stream, which marks mail read, so it runs after the
 * others), then the ceiling once more. While the backlog is inserted the sandbox answers every Gmail
 * call of the (warm, running) service with 429, so the sandbox's insert work, on the same two cores,
 * slows no contender; live arrival is what the latency run measures.
 */
final class ThroughputRun {

    /** The service's backoff while the backlog is held back: it polls again within this once released. */
    static final String SHORT_BACKOFF = """
            mailroute.intake.backoff-base = 500ms
            mailroute.intake.backoff-max = 2s
            """;

    /**
     * The sandbox and the harness go on compiling for a while (two cores): fetching the warm-up mail a
     * few times over costs seconds and keeps that out of whichever contender runs first.
     */
    private static final int WARMUP_CEILING_PASSES = 3;

    private ThroughputRun() {
    }

    static ObjectNode run(BenchSettings settings, List<MailMix.Mail> mails, List<MailMix.Mail> warmup, int mailboxCount,
            boolean profile) throws Exception {
        Path dir = settings.outDir().resolve("work").resolve("throughput-" + mailboxCount);
        ObjectNode json = Results.object().put("mailboxes", mailboxCount).put("messages", mails.size())
                .put("warmupMessages", warmup.size());
        try (SandboxProcess sandbox = SandboxProcess.start(settings.sandboxJvm(), 0, dir.resolve("sandbox.log"))) {
            ServiceWorld world = ServiceWorld.create(dir, sandbox, new ServiceWorld.Setup(mailboxCount,
                    settings.throughputPoll(), ServiceWorld.UNLIMITED_BUDGET, ServiceWorld.Triage.ITEMS, SHORT_BACKOFF));
            Map<String, Long> cursors;
            try (ServiceWorld.Started service = world.start(settings.serviceJvm())) {
                json.put("startupMillis", service.awaitUpMillis(Duration.ofMinutes(2)));
                service.awaitBootstrapped(Duration.ofMinutes(2));
                Map<String, Long> warmupCursors = cursors(sandbox, world);
                json.put("warmedUp", service.warmUp(sandbox, world.mailboxes(), warmup, settings.stall()));
                for (int pass = 0; pass < WARMUP_CEILING_PASSES; pass++) {
                    CeilingLoop.run(sandbox, world.mailboxes(), warmupCursors);
                }
                StreamAlternative.run(sandbox, world.mailboxes(), settings.alternativeOptions(), warmup.size(),
                        settings.stall(), dir.resolve("alternative-warmup.log"));
                cursors = cursors(sandbox, world);
                sandbox.holdGmailApi();
                CpuMeter insertCpu = CpuMeter.start(-1, sandbox.pid());
                long insertStart = System.nanoTime();
                sandbox.insertAll(world.mailboxes(), mails);
                long insertMillis = (System.nanoTime() - insertStart) / 1_000_000;
                insertCpu.stop();
                sandbox.collectGarbage();
                json.putObject("insert")
                        .put("seconds", Results.round(insertMillis / 1000.0, 2))
                        .put("perSecond", Results.perSecond(mails.size(), insertMillis))
                        .put("sandboxCpuSecondsPer1000", insertCpu.perThousand(insertCpu.sandbox(), mails.size()));
                json.set("mailroute", mailroute(settings, sandbox, world, service, mails, profile));
            }
            ObjectNode first = ceiling(sandbox, world, cursors, mails.size());
            json.set("alternative", alternative(settings, sandbox, world, mails.size(), dir));
            // The ceiling reads by history, which marking mail read does not change: a second pass after
            // the alternative, and the better of the two, so the order of the contenders favours none.
            json.set("ceiling", best(first, ceiling(sandbox, world, cursors, mails.size())));
        }
        Bench.deleteTree(dir.resolve("data").resolve("attachments")); // a full run stores about a gigabyte
        double received = json.path("mailroute").path("receivedPerSecond").asDouble(Double.NaN);
        double items = json.path("mailroute").path("itemsPerSecond").asDouble(Double.NaN);
        double ceiling = json.path("ceiling").path("perSecond").asDouble(Double.NaN);
        json.putObject("ratios")
                .put("receivedToCeiling", Results.ratio(received, ceiling))
                .put("itemsToCeiling", Results.ratio(items, ceiling))
                .put("itemsToAlternative", Results.ratio(items, json.path("alternative").path("perSecond").asDouble(Double.NaN)));
        return json;
    }

    private static Map<String, Long> cursors(SandboxProcess sandbox, ServiceWorld world) {
        Map<String, Long> cursors = new HashMap<>();
        world.mailboxes().forEach(m -> cursors.put(m.address(), sandbox.historyId(m.address())));
        return cursors;
    }

    /**
     * Releases the held backlog and times the service draining it: from the release (its next poll
     * follows within the short backoff) to the last commit. Probe, JFR and CPU counters start before.
     */
    private static ObjectNode mailroute(BenchSettings settings, SandboxProcess sandbox, ServiceWorld world,
            ServiceWorld.Started service, List<MailMix.Mail> mails, boolean profile) throws Exception {
        EventTail received = new EventTail(service.service(), "message.received");
        EventTail quarantined = new EventTail(service.service(), "message.quarantined");
        EventTail items = new EventTail(service.service(), "case.created");
        List<EventTail> tails = List.of(received, quarantined, items);
        tails.forEach(EventTail::poll);
        tails.forEach(EventTail::startWindow);
        int receivedBefore = received.count();
        int quarantinedBefore = quarantined.count();
        int itemsBefore = items.count();
        ObjectNode json = Results.object();
        try (JvmProbe probe = JvmProbe.attach(service.pid())) {
            Path recording = settings.outDir().resolve("throughput-" + world.mailboxes().size() + "-mailboxes.jfr");
            if (profile) {
                Files.deleteIfExists(recording);
                probe.startRecording("bench-throughput", "default");
            }
            probe.resetPeaks();
            CpuMeter cpu = CpuMeter.start(service.pid(), sandbox.pid());
            sandbox.releaseGmailApi();
            Instant released = Instant.now();
            boolean complete = EventTail.await(tails, () -> received.count() - receivedBefore
                    + quarantined.count() - quarantinedBefore >= mails.size()
                    && items.count() - itemsBefore >= received.count() - receivedBefore, settings.stall());
            cpu.stop();
            json.put("complete", complete)
                    .put("received", received.count() - receivedBefore)
                    .put("quarantined", quarantined.count() - quarantinedBefore)
                    .put("items", items.count() - itemsBefore)
                    .put("receivedPerSecond", rate(received.count() - receivedBefore, released, received.last()))
                    .put("itemsPerSecond", rate(items.count() - itemsBefore, released, items.last()))
                    .put("seconds", received.last() == null ? Double.NaN
                            : Results.round(Duration.between(released, received.last()).toMillis() / 1000.0, 2))
                    .put("serviceCpuSecondsPer1000", cpu.perThousand(cpu.service(), mails.size()))
                    .put("sandboxCpuSecondsPer1000", cpu.perThousand(cpu.sandbox(), mails.size()))
                    .put("harnessCpuSecondsPer1000", cpu.perThousand(cpu.harness(), mails.size()))
                    .put("peakRssMiB", Results.mib(ProcStats.peakRssBytes(service.pid())))
                    .put("rssAtEndMiB", Results.mib(ProcStats.rssBytes(service.pid())))
                    .put("peakHeapMiB", Results.mib(probe.peakHeapUsed()))
                    .put("peakHeapCommittedMiB", Results.mib(probe.peakHeapCommitted()))
                    .put("mailboxProblems", service.mailboxProblems())
                    .put("loadAverage", ProcStats.loadAverage());
            json.set("serviceCpuByThread", cpu.serviceByThread(10));
            if (profile) {
                probe.dumpAndStopRecording("bench-throughput", recording);
                json.set("profile", JfrProfile.summarize(recording, 12));
            }
        }
        return json;
    }

    private static double rate(int count, Instant from, Instant last) {
        return last == null ? Double.NaN : Results.perSecond(count, Duration.between(from, last).toMillis());
    }

    private static ObjectNode ceiling(SandboxProcess sandbox, ServiceWorld world, Map<String, Long> cursors, int expected)
            throws Exception {
        CpuMeter cpu = CpuMeter.start(-1, sandbox.pid());
        long start = System.nanoTime();
        int fetched = CeilingLoop.run(sandbox, world.mailboxes(), cursors);
        long millis = (System.nanoTime() - start) / 1_000_000;
        cpu.stop();
        return Results.object()
                .put("complete", fetched >= expected)
                .put("fetched", fetched)
                .put("seconds", Results.round(millis / 1000.0, 2))
                .put("perSecond", Results.perSecond(fetched, millis))
                .put("harnessCpuSecondsPer1000", cpu.perThousand(cpu.harness(), fetched))
                .put("sandboxCpuSecondsPer1000", cpu.perThousand(cpu.sandbox(), fetched));
    }

    private static ObjectNode best(ObjectNode first, ObjectNode second) {
        boolean secondBetter = second.path("perSecond").asDouble(0) > first.path("perSecond").asDouble(0);
        ObjectNode best = (secondBetter ? second : first).deepCopy();
        best.putArray("passesPerSecond").add(first.path("perSecond").asDouble()).add(second.path("perSecond").asDouble());
        return best;
    }

    private static ObjectNode alternative(BenchSettings settings, SandboxProcess sandbox, ServiceWorld world, int expected,
            Path dir) throws Exception {
        CpuMeter cpu = CpuMeter.start(-1, sandbox.pid());
        long start = System.nanoTime();
        StreamAlternative.Outcome outcome = StreamAlternative.run(sandbox, world.mailboxes(), settings.alternativeOptions(),
                expected, settings.stall(), dir.resolve("alternative.log"));
        cpu.stop();
        long millis = outcome.consumed() == 0 ? -1 : (outcome.lastNanos() - start) / 1_000_000;
        return Results.object()
                .put("complete", outcome.consumed() >= expected)
                .put("consumed", outcome.consumed())
                .put("uri", "google-mail-stream:index?" + settings.alternativeOptions())
                .put("seconds", Results.round(millis / 1000.0, 2))
                .put("perSecond", Results.perSecond(outcome.consumed(), millis))
                .put("harnessCpuSecondsPer1000", cpu.perThousand(cpu.harness(), Math.max(1, outcome.consumed())))
                .put("sandboxCpuSecondsPer1000", cpu.perThousand(cpu.sandbox(), Math.max(1, outcome.consumed())));
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}

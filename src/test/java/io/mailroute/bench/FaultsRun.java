package io.mailroute.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Intake under transient faults: the same messages drained three times by the same warm service with
 * the shipped retry and backoff settings, each time as a backlog released at once (held back with 429s
 * while it is inserted, as in the throughput run): fault-free; with the latency alone; and with errors,
 * the latency and a 429 storm fired once a third is stored. The figure is how much longer the faulted
 * drain takes (the target: 99 % stored within 3× the fault-free time), and the mailboxes' states once
 * the faults have stopped and each has stored one more message.
 */
final class FaultsRun {

    private FaultsRun() {
    }

    static ObjectNode run(BenchSettings settings, List<MailMix.Mail> mails, List<MailMix.Mail> warmup) throws Exception {
        BenchSettings.Faults faults = settings.faults();
        Path dir = settings.outDir().resolve("work").resolve("faults");
        ObjectNode json = faults.toJson().put("messages", mails.size());
        try (SandboxProcess sandbox = SandboxProcess.start(settings.sandboxJvm(), 0, dir.resolve("sandbox.log"))) {
            ServiceWorld world = ServiceWorld.create(dir, sandbox, new ServiceWorld.Setup(faults.mailboxes(),
                    settings.throughputPoll(), ServiceWorld.UNLIMITED_BUDGET, ServiceWorld.Triage.ITEMS, ""));
            try (ServiceWorld.Started service = world.start(settings.serviceJvm())) {
                service.awaitUpMillis(Duration.ofMinutes(2));
                service.awaitBootstrapped(Duration.ofMinutes(2));
                json.put("warmedUp", service.warmUp(sandbox, world.mailboxes(), warmup, settings.stall()));

                json.set("faultFree", drain(settings, sandbox, world, service, mails, false));
                sandbox.setFaults(0, 500, faults.latency().toMillis());
                json.set("latencyOnly", drain(settings, sandbox, world, service, mails, false));
                sandbox.setFaults(faults.errorRate(), 500, faults.latency().toMillis());
                ObjectNode faulted = drain(settings, sandbox, world, service, mails, true);
                json.set("faulted", faulted);

                sandbox.setFaults(0, 500, 0);
                faulted.set("afterTheFaults", afterTheFaults(settings, sandbox, world, service, mails));
                faulted.put("mailboxFailingEvents", service.service().events("mailbox.failing").size());
            }
        }
        double faultFree = json.at("/faultFree/seconds").asDouble(Double.NaN);
        double latencyOnly = json.at("/latencyOnly/seconds").asDouble(Double.NaN);
        json.putObject("ratios")
                .put("faultedToFaultFree", Results.ratio(json.at("/faulted/seconds").asDouble(Double.NaN), faultFree))
                .put("faulted99ToFaultFree", Results.ratio(json.at("/faulted/secondsTo99Percent").asDouble(Double.NaN), faultFree))
                .put("faultedToLatencyOnly", Results.ratio(json.at("/faulted/seconds").asDouble(Double.NaN), latencyOnly))
                .put("faulted99ToLatencyOnly",
                        Results.ratio(json.at("/faulted/secondsTo99Percent").asDouble(Double.NaN), latencyOnly));
        return json;
    }

    /** Inserts the backlog while Gmail is held back, releases it, and times the service storing all of it. */
    private static ObjectNode drain(BenchSettings settings, SandboxProcess sandbox, ServiceWorld world,
            ServiceWorld.Started service, List<MailMix.Mail> mails, boolean storm) throws Exception {
        EventTail received = new EventTail(service.service(), "message.received");
        EventTail quarantined = new EventTail(service.service(), "message.quarantined");
        List<EventTail> tails = List.of(received, quarantined);
        tails.forEach(EventTail::poll);
        tails.forEach(EventTail::startWindow);
        int before = received.count() + quarantined.count();
        sandbox.holdGmailApi();
        sandbox.insertAll(world.mailboxes(), mails);
        sandbox.collectGarbage();
        long rateLimitedBefore = rateLimited(sandbox);
        ObjectNode errorsBefore = gmailErrors(service);
        BenchSettings.Faults faults = settings.faults();
        boolean[] stormed = {!storm};
        sandbox.releaseGmailApi();
        Instant released = Instant.now();
        boolean complete = EventTail.await(tails, () -> {
            int stored = received.count() + quarantined.count() - before;
            if (!stormed[0] && stored >= mails.size() / 3) {
                sandbox.rateLimitNext(faults.storm(), faults.retryAfterSeconds());
                stormed[0] = true;
            }
            return stored >= mails.size();
        }, settings.stall());
        int stored = received.count() + quarantined.count() - before;
        Instant last = later(received.last(), quarantined.last());
        Instant at99 = received.nth((int) Math.ceil(mails.size() * 0.99) - quarantined.count()); // the mix is within limits: none
        return Results.object()
                .put("complete", complete)
                .put("stored", stored)
                .put("quarantined", quarantined.count())
                .put("seconds", seconds(released, last))
                .put("secondsTo99Percent", seconds(released, at99))
                .put("perSecond", last == null ? Double.NaN
                        : Results.perSecond(stored, Duration.between(released, last).toMillis()))
                .put("rateLimited429", rateLimited(sandbox) - rateLimitedBefore)
                .put("loadAverage", ProcStats.loadAverage())
                .set("gmailErrors", minus(gmailErrors(service), errorsBefore));
    }

    /**
     * Once the faults have stopped: one more message per mailbox, stored (so each mailbox has polled since),
     * then the mailboxes' states and the Gmail errors each counted.
     */
    private static ObjectNode afterTheFaults(BenchSettings settings, SandboxProcess sandbox, ServiceWorld world,
            ServiceWorld.Started service, List<MailMix.Mail> mails) {
        EventTail received = new EventTail(service.service(), "message.received");
        received.poll();
        int before = received.count();
        sandbox.insertAll(world.mailboxes(), mails.subList(0, world.mailboxes().size()));
        boolean stored = EventTail.await(List.of(received), () -> received.count() - before >= world.mailboxes().size(),
                settings.stall());
        // The cursor moves just after the last commit: give each mailbox's poll the moment it needs to finish.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!service.mailboxProblems().isEmpty() && System.nanoTime() < deadline) {
            SandboxProcess.sleep(200);
        }
        ObjectNode json = Results.object().put("stored", stored).put("mailboxProblems", service.mailboxProblems());
        ObjectNode states = json.putObject("states");
        for (JsonNode mailbox : service.service().api("/api/mailboxes").get("items")) {
            states.put(mailbox.path("id").asText(), mailbox.path("state").asText());
        }
        return json;
    }

    private static final List<String> ERROR_COUNTS = List.of("rateLimited", "transient", "retried");

    /** The mailboxes' Gmail error counts ({@code /api/mailboxes}), summed. */
    private static ObjectNode gmailErrors(ServiceWorld.Started service) {
        ObjectNode sums = Results.object();
        ERROR_COUNTS.forEach(count -> sums.put(count, 0L));
        for (JsonNode mailbox : service.service().api("/api/mailboxes").get("items")) {
            ERROR_COUNTS.forEach(count -> sums.put(count, sums.path(count).asLong() + mailbox.path("gmailErrors").path(count).asLong()));
        }
        return sums;
    }

    private static ObjectNode minus(ObjectNode after, ObjectNode before) {
        ObjectNode difference = Results.object();
        ERROR_COUNTS.forEach(count -> difference.put(count, after.path(count).asLong() - before.path(count).asLong()));
        return difference;
    }

    private static long rateLimited(SandboxProcess sandbox) {
        long sum = 0;
        for (JsonNode user : sandbox.stats().path("users")) {
            sum += user.path("rateLimited").asLong();
        }
        return sum;
    }

    private static double seconds(Instant from, Instant to) {
        return to == null ? Double.NaN : Results.round(Duration.between(from, to).toMillis() / 1000.0, 2);
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}

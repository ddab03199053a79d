package io.mailroute.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.gmail.GmailCallUnits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Quota compliance: the sandbox enforces Gmail's per-user quota (units per second, 429 beyond it) and
 * the mailbox is given the same budget. How close does intake get to the rate the quota allows
 * (units per second / 5 units per messages.get), and how many 429s does it draw on the way?
 */
final class QuotaRun {

    private QuotaRun() {
    }

    static ObjectNode run(BenchSettings settings, List<MailMix.Mail> mails, List<MailMix.Mail> warmup) throws Exception {
        Path dir = settings.outDir().resolve("work").resolve("quota");
        int units = settings.quotaUnits();
        double ceiling = units / (double) GmailCallUnits.MESSAGES_GET;
        ObjectNode json = Results.object()
                .put("unitsPerSecond", units)
                .put("messages", mails.size())
                .put("ceilingPerSecond", Results.round(ceiling, 1));
        try (SandboxProcess sandbox = SandboxProcess.start(settings.sandboxJvm(), units, dir.resolve("sandbox.log"))) {
            ServiceWorld world = ServiceWorld.create(dir, sandbox,
                    new ServiceWorld.Setup(1, settings.throughputPoll(), units, ServiceWorld.Triage.ITEMS, ""));
            try (ServiceWorld.Started service = world.start(settings.serviceJvm())) {
                service.awaitUpMillis(Duration.ofMinutes(2));
                service.awaitBootstrapped(Duration.ofMinutes(2));
                json.put("warmedUp", service.warmUp(sandbox, world.mailboxes(), warmup, settings.stall()));
                String address = world.mailboxes().get(0).address();
                long limitedBefore = sandbox.stats().path("users").path(address).path("rateLimited").asLong();
                EventTail received = new EventTail(service.service(), "message.received");
                received.poll();
                received.startWindow();
                int before = received.count();
                long firstInsert = System.currentTimeMillis();
                sandbox.insertAll(world.mailboxes(), mails);
                boolean complete = EventTail.await(List.of(received), () -> received.count() - before >= mails.size(),
                        settings.stall());
                JsonNode user = sandbox.stats().path("users").path(address);
                int got = received.count() - before;
                long endToEnd = received.last() == null ? -1 : received.last().toEpochMilli() - firstInsert;
                long steady = received.last() == null ? -1 : Duration.between(received.first(), received.last()).toMillis();
                double steadyRate = Results.perSecond(Math.max(0, got - 1), steady);
                json.put("complete", complete)
                        .put("received", got)
                        .put("perSecond", Results.perSecond(got, endToEnd))
                        .put("steadyPerSecond", steadyRate)
                        .put("fractionOfCeiling", Results.ratio(steadyRate, ceiling))
                        .put("rateLimited429", user.path("rateLimited").asLong() - limitedBefore)
                        .put("mailboxProblems", service.mailboxProblems())
                        .put("loadAverage", ProcStats.loadAverage());
                json.set("requestsByMethod", user.path("requestsByMethod"));
            }
        }
        return json;
    }
}

package io.mailroute.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Email-to-push latency: messages arrive at a steady rate; each becomes a case whose notification goes
 * to the sandbox's webhook receiver, which stamps when it got it. Latency is that stamp minus the moment
 * the harness sent the insert (both on this machine's clock), with the shipped poll interval. The
 * commit of message.received splits it into "waiting for the poll + intake" and "triage + delivery".
 */
final class LatencyRun {

    private LatencyRun() {
    }

    /** With the shipped poll, or with Gmail push intake and a {@link ServiceWorld#PUSH_SAFETY_NET} safety-net poll. */
    static ObjectNode run(BenchSettings settings, List<MailMix.Mail> mails, List<MailMix.Mail> warmup, boolean push)
            throws Exception {
        Path dir = settings.outDir().resolve("work").resolve(push ? "latency-push" : "latency");
        ObjectNode json = Results.object()
                .put("messages", mails.size())
                .put("ratePerSecond", settings.latencyRate())
                .put("quotaBudget", settings.latencyBudget())
                .put("intake", push ? "Gmail push, safety-net poll " + ServiceWorld.PUSH_SAFETY_NET : "shipped poll interval");
        try (SandboxProcess sandbox = SandboxProcess.start(settings.sandboxJvm(), 0, dir.resolve("sandbox.log"))) {
            ServiceWorld world = ServiceWorld.create(dir, sandbox,
                    new ServiceWorld.Setup(1, null, settings.latencyBudget(), ServiceWorld.Triage.PUSH, "", push));
            try (ServiceWorld.Started service = world.start(settings.serviceJvm())) {
                service.awaitUpMillis(Duration.ofMinutes(2));
                service.awaitBootstrapped(Duration.ofMinutes(2));
                if (push) {
                    service.awaitWatched(Duration.ofMinutes(2));
                }
                json.put("warmedUp", service.warmUp(sandbox, world.mailboxes(), warmup, settings.stall()));
                String address = world.mailboxes().get(0).address();
                Map<String, Long> sentAt = new HashMap<>();
                long intervalNanos = (long) (1_000_000_000L / settings.latencyRate());
                long unitsBefore = unitsUsed(sandbox, address);
                long start = System.nanoTime();
                for (int i = 0; i < mails.size(); i++) {
                    long wait = start + i * intervalNanos - System.nanoTime();
                    if (wait > 0) {
                        SandboxProcess.sleep(wait / 1_000_000);
                    }
                    sentAt.put(mails.get(i).token(), System.currentTimeMillis());
                    sandbox.insert(address, mails.get(i).raw());
                }
                EventTail received = new EventTail(service.service(), "message.received");
                Map<String, Long> pushedAt = new HashMap<>();
                boolean complete = EventTail.await(List.of(received), () -> {
                    collectPushes(sandbox.pushes(), pushedAt);
                    return pushedAt.keySet().containsAll(sentAt.keySet()); // warm-up mail was pushed too
                }, settings.stall());
                received.poll();
                long units = unitsUsed(sandbox, address) - unitsBefore;
                List<Long> total = new ArrayList<>();
                List<Long> toReceived = new ArrayList<>();
                List<Long> toPush = new ArrayList<>();
                sentAt.forEach((token, sent) -> {
                    Long pushed = pushedAt.get(token);
                    Instant committed = received.byToken().get(token);
                    if (pushed != null) {
                        total.add(pushed - sent);
                    }
                    if (committed != null) {
                        toReceived.add(committed.toEpochMilli() - sent);
                        if (pushed != null) {
                            toPush.add(pushed - committed.toEpochMilli());
                        }
                    }
                });
                json.put("complete", complete)
                        .put("pushed", total.size())
                        .put("missing", mails.size() - total.size())
                        .put("sendingSeconds", Results.round((System.nanoTime() - start) / 1e9, 1))
                        .put("gmailUnits", units)
                        .put("gmailUnitsPerMessage", Results.round(units / (double) mails.size(), 1))
                        .put("mailboxProblems", service.mailboxProblems())
                        .put("loadAverage", ProcStats.loadAverage());
                json.set("insertToPushMillis", percentiles(total));
                json.set("insertToReceivedMillis", percentiles(toReceived));
                json.set("receivedToPushMillis", percentiles(toPush));
            }
        }
        return json;
    }

    /** Gmail quota units the sandbox has counted for the address (polls, gets, label changes, watches). */
    private static long unitsUsed(SandboxProcess sandbox, String address) {
        return sandbox.stats().path("users").path(address).path("quotaUnitsUsed").asLong();
    }

    /** The first accepted push of each benchmark message, by the token its body (the subject) carries. */
    private static void collectPushes(JsonNode pushes, Map<String, Long> pushedAt) {
        for (JsonNode push : pushes) {
            if (push.path("accepted").asBoolean()) {
                String token = MailMix.tokenIn(push.path("payload").asText());
                if (token != null) {
                    pushedAt.putIfAbsent(token, Instant.parse(push.get("receivedAt").asText()).toEpochMilli());
                }
            }
        }
    }

    static ObjectNode percentiles(List<Long> values) {
        long[] array = values.stream().mapToLong(Long::longValue).toArray();
        double mean = values.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        return Results.object()
                .put("count", array.length)
                .put("p50", Results.percentile(array, 50))
                .put("p95", Results.percentile(array, 95))
                .put("p99", Results.percentile(array, 99))
                .put("max", Results.percentile(array, 100))
                .put("mean", Results.round(mean, 0));
    }
}

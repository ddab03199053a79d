package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.sandbox.PushInbox;
import io.mailroute.sandbox.WebhookReceiver;
import io.mailroute.testing.SmallDisk;
import io.mailroute.testing.TestMail;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service with its data directory on a small disk (a tmpfs): the disk fills up, H2
 * closes the database, the service says so and waits; the disk gets room again and the service
 * comes back by itself, with every message stored once, no cursor moved backwards, and every
 * delivery that was waiting sent once.
 */
class DiskFullIT {

    private static final Duration SOON = Duration.ofSeconds(90);
    private static final Duration RECOVERY = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void aFullDiskTakesTheDatabaseDownAndTheServiceRecoversByItselfWithNothingLostOrDoubled() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), """
                mailroute.delivery.backoff-max = 1s
                """);
                SmallDisk disk = SmallDisk.mount(work.resolve("data"), 64)) {
            world.triageEverythingTo("finance-push"); // "order" mail becomes a case with one webhook delivery
            Path channels = world.configDir.resolve("channels.yaml");
            // No fallback to email: a webhook delivery waits through the outage and is sent by the webhook, once.
            Files.writeString(channels, Files.readString(channels).replace("fallback: {channel: email, afterAttempts: 3}", ""));
            WebhookReceiver hook = WebhookReceiver.of(world.sandbox);
            Inserted inserted = new Inserted(world);

            try (ServiceProcess service = world.service().start().awaitUp(RECOVERY);
                    CursorSampler cursors = new CursorSampler(service)) {
                service.await(SOON, "both mailboxes bootstrapped", () -> historyIds(service).size() == 2);

                // Before: stored and triaged; their webhook deliveries are planned but the webhook refuses them for now.
                hook.failNext(503, 1_000_000, null);
                for (int i = 0; i < 3; i++) {
                    inserted.withAttachment("support", "Order before " + i, 200_000);
                    inserted.plain("hr", "Leave request before " + i);
                }
                service.await(SOON, "the six messages before", () -> received(service).containsAll(inserted.ids));
                service.await(SOON, "three deliveries tried and waiting", () -> deliveries(service).size() == 3
                        && deliveries(service).stream().allMatch(d -> d.path("attempts").asInt() >= 1
                                && !d.path("status").asText().equals("DELIVERED")));

                int logAtFill = service.log().length();
                disk.fill();
                service.await(SOON, "health DOWN naming the database and a full disk", () -> {
                    JsonNode database = databaseCheck(service);
                    return database != null && database.path("status").asText().equals("DOWN")
                            && database.path("message").asText().startsWith("disk full");
                });
                HttpResponse<String> down = service.observe("/observe/health");
                assertEquals(503, down.statusCode(), down.body());
                assertEquals(200, service.observe("/observe/health/live").statusCode(),
                        "liveness stays up: the service reopens the database itself, a restart would not help");
                HttpResponse<String> api = service.apiResponse("/api/mailboxes");
                assertEquals(503, api.statusCode(), api.body());
                assertTrue(api.body().contains("disk full"), api.body());

                // During: mail arrives while nothing can be stored.
                for (int i = 0; i < 2; i++) {
                    inserted.withAttachment("support", "Order during " + i, 1_500_000);
                    inserted.plain("hr", "Leave request during " + i);
                }
                service.await(SOON, "two reopen attempts while the disk is full", () -> reopenAttempts(service) >= 2);
                String logBefore = service.log();
                service.await(RECOVERY, "two more reopen attempts", () -> reopenAttempts(service) >= 4);
                String quietWindow = service.log().substring(logBefore.length());
                assertEquals(List.of(), problems(quietWindow),
                        "while the disk stays full, polls do not log their failure again and again");
                assertEquals("DOWN", service.healthStatus(), "still down: the disk is still full");

                disk.free();
                service.await(RECOVERY, "health UP again, by itself", () -> "UP".equals(service.healthStatus()));
                List<String> outageProblems = problems(service.log().substring(logAtFill));
                assertEquals(1, outageProblems.size(), "the outage is logged once, nothing else complains: " + outageProblems);
                assertTrue(outageProblems.get(0).contains("ERROR Database") && outageProblems.get(0).contains(
                        "Database closed: disk full"), outageProblems.get(0));
                assertTrue(service.log().contains("Database reopened after"), "the recovery is logged");
                hook.failNext(503, 0, null); // the webhook takes deliveries again

                // After: the service works as before.
                inserted.withAttachment("support", "Order after", 300_000);
                inserted.plain("hr", "Leave request after");
                service.await(RECOVERY, "every message, before, during and after",
                        () -> received(service).containsAll(inserted.ids));
                service.await(SOON, "every order's case delivered to the webhook",
                        () -> accepted(world).size() == inserted.orders);
                service.await(SOON, "both cursors caught up with Gmail",
                        () -> historyIds(service).equals(inserted.gmailHistoryIds()));
                // A later message, stored after everything above: any duplicate would have been stored by now.
                inserted.plain("hr", "Sentinel");
                service.await(SOON, "the sentinel", () -> received(service).containsAll(inserted.ids));

                List<JsonNode> events = service.events("message.received");
                assertEquals(inserted.ids, gmailIds(events), "every inserted message, nothing else");
                assertEquals(inserted.ids.size(), events.size(), "each exactly once");
                assertEquals(inserted.ids.size(), service.api("/api/messages?limit=500").get("items").size());
                assertEquals(0, service.api("/api/messages?status=quarantined").get("items").size(),
                        "a full disk is not the message's fault");
                List<PushInbox.Push> pushes = accepted(world);
                assertEquals(inserted.orders, pushes.stream().map(DiskFullIT::eventId).distinct().count(),
                        "one delivery per case: " + pushes);
                assertEquals(inserted.orders, pushes.size(), "each case's webhook delivery sent once");
                assertAttachmentsWhole(world.dataDir.resolve("attachments"), events, inserted.orders);
                cursors.assertNeverWentBackwards();
            }
        }
    }

    /** Every attachment referenced is there, each stored file's content hashes to its name, no temp file is left. */
    private static void assertAttachmentsWhole(Path store, List<JsonNode> events, int attachments) throws Exception {
        Set<String> referenced = new HashSet<>();
        events.forEach(e -> e.at("/data/attachments").forEach(a -> referenced.add(a.path("sha256").asText())));
        assertEquals(attachments, referenced.size(), "one distinct attachment per order: " + referenced);
        List<Path> files;
        try (Stream<Path> list = Files.list(store)) {
            files = list.toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            assertTrue(name.matches("[0-9a-f]{64}"), "only content-addressed files, no temp file left: " + files);
            assertEquals(name, sha256(Files.readAllBytes(file)), "the content of " + file);
        }
        Set<String> stored = files.stream().map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        assertTrue(stored.containsAll(referenced), "every referenced attachment is stored: " + referenced + " in " + stored);
    }

    /** The database check from the full health answer, or null when the service does not answer. */
    private static JsonNode databaseCheck(ServiceProcess service) {
        HttpResponse<String> response = service.observe("/observe/health?exposureLevel=full");
        if (response == null) {
            return null;
        }
        try {
            for (JsonNode check : JSON.readTree(response.body()).path("checks")) {
                if (check.path("name").asText().equals("database")) {
                    return check;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static int reopenAttempts(ServiceProcess service) {
        JsonNode database = databaseCheck(service);
        return database == null ? 0 : database.at("/data/reopen.attempts").asInt(0);
    }

    /** Log lines that report a problem: warnings, errors and stack traces. */
    private static List<String> problems(String log) {
        return log.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.startsWith("\tat ")
                || l.startsWith("Caused by")).toList();
    }

    private static Set<String> received(ServiceProcess service) {
        return gmailIds(service.events("message.received"));
    }

    private static Set<String> gmailIds(List<JsonNode> events) {
        return events.stream().map(e -> e.at("/data/gmailId").asText()).collect(Collectors.toSet());
    }

    private static List<JsonNode> deliveries(ServiceProcess service) {
        List<JsonNode> all = new ArrayList<>();
        service.api("/api/deliveries?limit=500").get("items").forEach(all::add);
        return all;
    }

    private static List<PushInbox.Push> accepted(IntakeFixture world) {
        return world.sandbox.admin().pushInbox().of("webhook").stream().filter(PushInbox.Push::accepted).toList();
    }

    private static String eventId(PushInbox.Push push) {
        try {
            return JSON.readTree(push.payload()).path("eventId").asText();
        } catch (IOException e) {
            throw new AssertionError(push.payload(), e);
        }
    }

    /** Each mailbox's stored cursor (historyId); mailboxes without one yet are left out. */
    private static Map<String, BigInteger> historyIds(ServiceProcess service) {
        Map<String, BigInteger> ids = new HashMap<>();
        service.api("/api/mailboxes").get("items").forEach(m -> {
            if (!m.path("historyId").isNull()) {
                ids.put(m.get("id").asText(), new BigInteger(m.get("historyId").asText()));
            }
        });
        return ids;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** What the test put into the sandbox. */
    private static final class Inserted {
        final IntakeFixture world;
        final Set<String> ids = new HashSet<>();
        final Random random = new Random(20261130);
        int orders;

        Inserted(IntakeFixture world) {
            this.world = world;
        }

        void plain(String mailbox, String subject) {
            ids.add(world.insert(mailbox, subject));
        }

        /** A message with an attachment of random bytes (distinct content, so each is its own file in the store). */
        void withAttachment(String mailbox, String subject, int size) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            ids.add(world.insertRaw(mailbox, TestMail.withAttachment(IntakeFixture.address(mailbox), subject, "order.pdf",
                    "application/pdf", content)));
            orders++;
        }

        /** Gmail's current history id of each mailbox, which a caught-up cursor equals. */
        Map<String, BigInteger> gmailHistoryIds() {
            Map<String, BigInteger> ids = new HashMap<>();
            for (String mailbox : List.of("support", "hr")) {
                try {
                    ids.put(mailbox, world.gmailClient(mailbox).users().getProfile("me").execute().getHistoryId());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
            return ids;
        }
    }

    /** Reads both cursors every 100 ms while the service runs (when the API answers), to show they never go back. */
    private static final class CursorSampler implements AutoCloseable {
        private final Map<String, List<BigInteger>> seen = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        CursorSampler(ServiceProcess service) {
            thread = new Thread(() -> {
                while (running) {
                    try {
                        historyIds(service).forEach((id, cursor) ->
                                seen.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(cursor));
                    } catch (AssertionError databaseClosed) {
                        // the API answers 500 while the database is closed: nothing to read then
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "cursor-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void assertNeverWentBackwards() {
            assertEquals(Set.of("support", "hr"), seen.keySet());
            seen.forEach((mailbox, cursors) -> {
                for (int i = 1; i < cursors.size(); i++) {
                    assertTrue(cursors.get(i).compareTo(cursors.get(i - 1)) >= 0,
                            mailbox + "'s cursor went back from " + cursors.get(i - 1) + " to " + cursors.get(i));
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(5_000);
        }
    }
}

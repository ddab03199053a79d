package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Intake while Gmail misbehaves the way it does in production: a share of calls answered 500, every
 * call slow, and a 429 storm in the middle of a backlog. The packaged service with the shipped backoff
 * settings against the sandbox, three mailboxes, 500 messages.
 */
class IntakeFaultsIT {

    private static final List<String> MAILBOXES = List.of("support", "accounts", "hr");
    private static final int MESSAGES = 500;
    private static final int STORM = 30;
    /** Generous: the drain takes about a minute on two busy cores; the checks below are on facts, not on time. */
    private static final Duration DRAIN = Duration.ofMinutes(6);
    private static final Duration SOON = Duration.ofMinutes(2);
    /** The fixture shortens the poll backoff for the other tests; the faults are met with the shipped one here. */
    private static final String SHIPPED_BACKOFF = """
            mailroute.intake.backoff-base = 1s
            mailroute.intake.backoff-max = 5m
            """;
    /** One quiet rule: no notifications, so every Gmail call the storm meets is intake's. */
    private static final String QUIET_TRIAGE = """
            rules:
              - id: default
                then: {type: case, category: general, queue: triage, priority: NORMAL}
            """;

    @TempDir
    Path work;

    @Test
    void errorsLatencyAndARateLimitStormLoseNothingDuplicateNothingAndLeaveNoMailboxFailing() throws Exception {
        try (IntakeFixture world = quietWorld(); ServiceProcess service = world.service()) {
            startBootstrapped(service);
            ReceivedTail received = new ReceivedTail(service);

            world.sandbox.admin().setFaults(0.10, 500, 200);
            Set<String> inserted = new HashSet<>();
            for (int i = 0; i < MESSAGES; i++) {
                inserted.add(world.insert(MAILBOXES.get(i % MAILBOXES.size()), "Faulted intake " + i));
            }
            awaitReceived(service, received, MESSAGES / 3);
            world.sandbox.admin().rateLimitNext(STORM, 1);
            awaitReceived(service, received, MESSAGES);
            assertEquals(STORM, rateLimited(world), "the storm was met in full, during the drain");

            world.sandbox.admin().setFaults(0, 500, 0);
            for (String mailbox : MAILBOXES) {
                inserted.add(world.insert(mailbox, "After the faults, to " + mailbox));
            }
            // Anchor: a poll of every mailbox after the faults stopped has committed mail.
            awaitReceived(service, received, MESSAGES + MAILBOXES.size());

            assertEquals(inserted, Set.copyOf(received.gmailIds), "every inserted message was stored");
            assertEquals(inserted.size(), received.gmailIds.size(), "none twice");
            assertEquals(inserted.size(), service.events("message.received").size(), "none twice, read afresh");
            // The cursor moves just after the last commit: its poll then leaves the mailbox ACTIVE.
            service.await(SOON, "every mailbox ACTIVE with no failure counted", () -> allActive(service));
            assertEquals(List.of(), service.events("mailbox.failing"), "no mailbox was FAILING at any point");
            assertEquals(STORM, gmailErrors(service, "rateLimited"), "intake met every 429 of the storm and counted it");
            assertTrue(gmailErrors(service, "transient") > 0, "the 500s reached intake: " + service.api("/api/mailboxes"));
            assertTrue(gmailErrors(service, "retried") > 0, "and were retried in place: " + service.api("/api/mailboxes"));
        }
    }

    @Test
    void theDemosRateLimitStormIsWaitedOutAndEveryMailboxComesBack() throws Exception {
        try (IntakeFixture world = quietWorld(); ServiceProcess service = world.service()) {
            startBootstrapped(service);
            ReceivedTail received = new ReceivedTail(service);

            // As in the README's demo: twenty Gmail calls answered 429 with Retry-After: 1.
            HttpResponse<String> storm = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(world.sandbox.rootUrl() + "sandbox/admin/rate-limit"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"requests\":20,\"retryAfterSeconds\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, storm.statusCode(), storm.body());
            Set<String> inserted = new HashSet<>();
            for (String mailbox : MAILBOXES) {
                inserted.add(world.insert(mailbox, "During the storm, to " + mailbox));
            }

            awaitReceived(service, received, MAILBOXES.size());
            assertEquals(20, rateLimited(world), "the whole storm was met");
            assertEquals(inserted, Set.copyOf(received.gmailIds));
            // The cursor moves just after the last commit: its poll then leaves the mailbox ACTIVE.
            service.await(SOON, "every mailbox ACTIVE with no failure counted", () -> allActive(service));
            assertEquals(20, gmailErrors(service, "rateLimited"));
            assertEquals(List.of(), service.events("mailbox.failing"));
        }
    }

    /**
     * Waits until {@code count} messages are stored, failing at once if a mailbox turns FAILING on the
     * way (transient errors and rate limits are retried; none of them is a reason to call a person).
     */
    private static void awaitReceived(ServiceProcess service, ReceivedTail received, int count) {
        service.await(DRAIN, count + " messages stored", () -> {
            List<JsonNode> failing = service.events("mailbox.failing");
            if (!failing.isEmpty()) {
                throw new AssertionError("a mailbox turned FAILING with " + received.gmailIds.size() + " of " + count
                        + " messages stored: " + failing + "\n" + service.api("/api/mailboxes"));
            }
            return received.poll() >= count;
        });
    }

    /** Three mailboxes on the sandbox, the shipped backoff, and triage rules that notify no one. */
    private IntakeFixture quietWorld() throws IOException {
        IntakeFixture world = new IntakeFixture(work, MAILBOXES, SHIPPED_BACKOFF);
        Files.writeString(world.configDir.resolve("triage.yaml"), QUIET_TRIAGE);
        return world;
    }

    private static void startBootstrapped(ServiceProcess service) throws IOException {
        service.start().awaitUp(SOON);
        service.await(SOON, "every mailbox bootstrapped", () -> bootstrapped(service));
    }

    private static boolean allActive(ServiceProcess service) {
        for (JsonNode mailbox : service.api("/api/mailboxes").get("items")) {
            if (!mailbox.get("state").asText().equals("ACTIVE") || mailbox.get("consecutiveFailures").asInt() != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean bootstrapped(ServiceProcess service) {
        for (JsonNode mailbox : service.api("/api/mailboxes").get("items")) {
            if (mailbox.path("historyId").isNull()) {
                return false;
            }
        }
        return true;
    }

    /** The sum over the mailboxes of one of their Gmail error counts ({@code rateLimited}, {@code transient}, {@code retried}). */
    private static long gmailErrors(ServiceProcess service, String count) {
        long sum = 0;
        for (JsonNode mailbox : service.api("/api/mailboxes").get("items")) {
            sum += mailbox.path("gmailErrors").path(count).asLong();
        }
        return sum;
    }

    private static long rateLimited(IntakeFixture world) {
        return MAILBOXES.stream()
                .mapToLong(m -> world.sandbox.admin().stats().user(IntakeFixture.address(m)).rateLimited())
                .sum();
    }

    /** The message.received events read incrementally, so waiting on 500 of them does not re-read them all each time. */
    private static final class ReceivedTail {
        private final ServiceProcess service;
        private final List<String> gmailIds = new ArrayList<>();
        private long after;

        ReceivedTail(ServiceProcess service) {
            this.service = service;
        }

        int poll() {
            while (true) {
                JsonNode items = service.api("/api/events?type=message.received&limit=500&after=" + after).get("items");
                for (JsonNode event : items) {
                    gmailIds.add(event.at("/data/gmailId").asText());
                    after = event.get("seq").asLong();
                }
                if (items.size() < 500) {
                    return gmailIds.size();
                }
            }
        }
    }
}

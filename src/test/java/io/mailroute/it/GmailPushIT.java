package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.mailroute.sandbox.PubSubSandbox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gmail push end to end: the packaged service watches its mailbox on the sandbox's Pub/Sub topic (users.watch), pulls
 * the subscription over the REST API with a service-account key from the environment, and polls the mailbox when a
 * notification comes; the scheduled poll is only the (10 minute) safety net.
 */
class GmailPushIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path work;

    /** A fixture whose mailbox {@code support} has push: pubsub with the given safety-net interval. */
    private IntakeFixture world(String pushPollInterval, String pubSubExtra, String properties) throws IOException {
        IntakeFixture world = new IntakeFixture(work, List.of("support"), properties,
                "    push: pubsub\n    pushPollInterval: " + pushPollInterval + "\n");
        world.environment.put("IT_PUBSUB_KEY", PubSubSandbox.of(world.sandbox).serviceAccountJson(world.sandbox.rootUrl()));
        Files.writeString(world.configDir.resolve("mailboxes.yaml"), """
                pubsub:
                  topic: %s
                  subscription: %s
                  credentials: env:IT_PUBSUB_KEY
                  url: %s
                %s""".formatted(PubSubSandbox.DEMO_TOPIC, PubSubSandbox.DEMO_SUBSCRIPTION, world.sandbox.rootUrl(), pubSubExtra),
                StandardOpenOption.APPEND);
        return world;
    }

    @Test
    void mailArrivesByPushLongBeforeThePollAndWatchesAreRenewedStrangersIgnoredAndPauseStops() throws Exception {
        // the first scheduled poll only 5 s after start, the first watch check after 200 ms
        try (IntakeFixture world = world("10m", "  renewMargin: 3s\n  syncTimeout: 20s\n",
                "mailroute.push.watch-check-interval = 1000\nmailroute.push.initial-delay = 200\n"
                        + "mailroute.intake.initial-delay = 5000\n")) {
            PubSubSandbox pubSub = PubSubSandbox.of(world.sandbox);
            pubSub.setWatchLifetime(Duration.ofSeconds(6)); // renewed 3 s before it lapses
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                String address = IntakeFixture.address("support");
                service.await(WAIT, "the first watch", () -> watchCalls(pubSub, address) >= 1);
                // (0) a mailbox without cursor is synced before its first watch, not 5 s later when its poll is due:
                // users.watch's 100 units would hold its bootstrap back by 2 s of the quota
                assertTrue(cursorSet(service), "the bootstrap comes before the first watch\n" + service.log());
                service.await(WAIT, "the watch in the mailbox's status", () -> ConnectionLifecycleIT.mailbox(service, "support")
                        .path("push").hasNonNull("watchExpiresAt"));

                // (a) the next scheduled poll is 10 minutes away: only the notification can bring it now
                String gmailId = world.insert("support", "Login broken, pushed");
                service.await(WAIT, "the pushed message stored", () -> messages(service).contains(gmailId));
                service.await(WAIT, "its notification acknowledged", () -> pubSub.stats().acked() >= 1);
                assertEquals(0, (int) pubSub.stats().unacknowledged().getOrDefault(PubSubSandbox.DEMO_SUBSCRIPTION, 0));

                // (c) a 6 s watch is renewed before it lapses, again and again, and push keeps working past the first
                service.await(WAIT, "the watch renewed twice", () -> watchCalls(pubSub, address) >= 3);
                String later = world.insert("support", "After the first watch would have lapsed");
                service.await(WAIT, "the later message stored", () -> messages(service).contains(later));
                assertTrue(service.log().contains("Gmail watch on " + PubSubSandbox.DEMO_TOPIC), service.log());
                assertTrue(service.log().contains("with Gmail push, safety-net poll every 600000 ms"), "polled every 10 min only");

                // (d) a notification for an address no mailbox has: acknowledged and ignored
                long ackedBefore = pubSub.stats().acked();
                publish(world, "{\"emailAddress\":\"stranger@elsewhere.example\",\"historyId\":42}");
                publish(world, "not json at all");
                service.await(WAIT, "both acknowledged", () -> pubSub.stats().acked() >= ackedBefore + 2);
                assertEquals(2, messages(service).size(), "nothing else stored");
                assertTrue(service.log().contains("stranger@elsewhere.example"), "said once which address");

                // (f) pause: users.stop; no more watches while paused
                int stopsBefore = pubSub.stats().calls().get(address).stop();
                assertEquals(200, service.request("POST", "/api/mailboxes/support/pause", "{}").statusCode());
                service.await(WAIT, "users.stop", () -> pubSub.stats().calls().get(address).stop() == stopsBefore + 1);
                assertTrue(pubSub.stats().watches().stream().noneMatch(w -> w.emailAddress().equals(address)),
                        "the sandbox has no watch for it any more");
                assertTrue(ConnectionLifecycleIT.mailbox(service, "support").path("push").path("watchExpiresAt").isNull(),
                        "nor does its status");
                int watchesWhilePaused = watchCalls(pubSub, address);
                double checks = service.finishedExchanges("gmail-push-watches");
                service.await(WAIT, "three more watch checks", () -> service.finishedExchanges("gmail-push-watches") >= checks + 3);
                assertEquals(watchesWhilePaused, watchCalls(pubSub, address), "a paused mailbox is not watched again");
                String whilePaused = world.insert("support", "Came while paused: no watch, no notification");
                assertEquals(200, service.request("POST", "/api/mailboxes/support/resume", "{}").statusCode());
                service.await(WAIT, "watched again on resume", () -> watchCalls(pubSub, address) > watchesWhilePaused);

                // (g) Gmail notifies only what comes after a watch: the poll the new watch fires finds what came before
                // it, long before the 10 minute safety net (the same after a restart or a new grant)
                service.await(WAIT, "the mail that came while paused stored", () -> messages(service).contains(whilePaused));
                assertTrue(service.log().contains("Mailbox support: polled once now, for mail that came before its watch"),
                        service.log());
            }
        }
    }

    @Test
    void droppedNotificationsAreCaughtByTheSafetyNetPoll() throws Exception {
        try (IntakeFixture world = world("2s", "", "mailroute.push.initial-delay = 200\n")) {
            PubSubSandbox pubSub = PubSubSandbox.of(world.sandbox);
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                service.await(WAIT, "the watch", () -> watchCalls(pubSub, IntakeFixture.address("support")) >= 1);
                pubSub.setFaults(1.0, 0); // (b) every notification is lost

                String gmailId = world.insert("support", "Nobody tells us about this one");
                service.await(WAIT, "the message stored by the safety-net poll", () -> messages(service).contains(gmailId));
                assertTrue(pubSub.stats().dropped() >= 1, "its notification was dropped: " + pubSub.stats());
                assertEquals(0, pubSub.stats().acked(), "so none was acknowledged");
            }
        }
    }

    @Test
    void aServiceKilledBetweenPullAndAckGetsTheNotificationAgainAndStoresTheMailOnce() throws Exception {
        try (IntakeFixture world = world("10m", "  syncTimeout: 3s\n", "mailroute.push.initial-delay = 200\n")) {
            PubSubSandbox pubSub = PubSubSandbox.of(world.sandbox);
            ServiceProcess service = world.service().start().awaitUp(WAIT);
            try {
                service.await(WAIT, "the watch", () -> watchCalls(pubSub, IntakeFixture.address("support")) >= 1);
                service.await(WAIT, "the bootstrap poll", () -> cursorSet(service));
                world.sandbox.admin().setFaults(0, 500, 5000); // Gmail answers slowly: the sync is still running ...

                String gmailId = world.insert("support", "Pulled but never acknowledged");
                service.await(WAIT, "the notification pulled", () -> pubSub.stats().delivered() >= 1);
                assertEquals(0, pubSub.stats().acked());
                service.kill(); // (e) ... when the service dies

                world.sandbox.admin().setFaults(0, 500, 0);
                service.start().awaitUp(WAIT);
                service.await(WAIT, "the notification delivered again", () -> pubSub.stats().redelivered() >= 1);
                service.await(WAIT, "the message stored", () -> messages(service).contains(gmailId));
                service.await(WAIT, "the notification acknowledged", () -> pubSub.stats().acked() >= 1);
                assertEquals(1, messages(service).stream().filter(gmailId::equals).count(), "stored once");
            } finally {
                service.close();
            }
        }
    }

    private static boolean cursorSet(ServiceProcess service) {
        JsonNode mailbox = ConnectionLifecycleIT.mailbox(service, "support");
        return mailbox.hasNonNull("historyId");
    }

    private static int watchCalls(PubSubSandbox pubSub, String address) {
        PubSubSandbox.UserCalls calls = pubSub.stats().calls().get(address);
        return calls == null ? 0 : calls.watch();
    }

    private static List<String> messages(ServiceProcess service) {
        JsonNode items = service.api("/api/messages?mailbox=support&limit=500").path("items");
        return StreamSupport.stream(items.spliterator(), false).map(m -> m.path("gmailId").asText()).toList();
    }

    /** Publishes on the demo topic as anyone holding the service account may. */
    private static void publish(IntakeFixture world, String text) throws Exception {
        String key = PubSubSandbox.of(world.sandbox).serviceAccountJson(world.sandbox.rootUrl());
        String token = ((ServiceAccountCredentials) ServiceAccountCredentials.fromStream(
                new ByteArrayInputStream(key.getBytes(StandardCharsets.UTF_8)))
                .createScoped(List.of("https://www.googleapis.com/auth/pubsub"))).refreshAccessToken().getTokenValue();
        String data = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(
                        PubSubSandbox.baseUrl(world.sandbox.rootUrl()) + PubSubSandbox.DEMO_TOPIC + ":publish"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"data\":\"" + data + "\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
    }
}

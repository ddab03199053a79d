package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.services.gmail.model.WatchRequest;
import com.google.api.services.gmail.model.WatchResponse;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gmail push through the sandbox: {@code users.watch}/{@code users.stop} with the real Gmail client, then the
 * notifications over Pub/Sub's REST API with a token the real google-auth library got from the sandbox's key.
 */
class SandboxPubSubIT {

    private static GmailSandbox sandbox;
    private static PubSubTestClient pubSub;

    @BeforeAll
    static void start() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        pubSub = new PubSubTestClient(sandbox, PubSubTestClient.PUBSUB_SCOPE);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @AfterEach
    void normal() {
        PubSubSandbox.of(sandbox).setFaults(0, 0);
        PubSubSandbox.of(sandbox).setWatchLifetime(GmailWatches.DEFAULT_LIFETIME);
    }

    private static SandboxTestClients.User watchedUser(String topic, List<String> labelIds, String behavior)
            throws Exception {
        SandboxTestClients.User user = SandboxTestClients.newUser(sandbox, "push");
        WatchRequest request = new WatchRequest().setTopicName(topic);
        if (labelIds != null) {
            request.setLabelIds(labelIds).setLabelFilterBehavior(behavior);
        }
        user.gmail().users().watch("me", request).execute();
        return user;
    }

    private static void insert(SandboxTestClients.User user, String subject, String... labels) {
        sandbox.admin().insert(user.address(), SandboxTestClients.mail("a@example.com", user.address(), subject, "hi"),
                List.of(labels));
    }

    private static List<JsonNode> received(JsonNode pull) {
        List<JsonNode> out = new java.util.ArrayList<>();
        pull.path("receivedMessages").forEach(out::add);
        return out;
    }

    @Test
    void aWatchedMailboxNotifiesEachNewMessageOnceUntilAcknowledged() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        String subscription = pubSub.newSubscription(topic, 10);
        SandboxTestClients.User user = SandboxTestClients.newUser(sandbox, "push");
        Instant before = Instant.now();
        WatchResponse watch = user.gmail().users().watch("me", new WatchRequest().setTopicName(topic)).execute();
        assertTrue(watch.getExpiration() >= before.plus(Duration.ofDays(7)).toEpochMilli() - 1000,
                "a watch lasts 7 days: " + watch.getExpiration());

        insert(user, "first", "INBOX", "UNREAD");

        List<JsonNode> got = received(pubSub.pull(subscription, 10, false));
        assertEquals(1, got.size(), got.toString());
        JsonNode notification = PubSubTestClient.notification(got.get(0));
        assertEquals(user.address(), notification.get("emailAddress").asText());
        assertTrue(notification.get("historyId").isNumber(), "historyId is a JSON number, as Gmail sends it");
        assertTrue(notification.get("historyId").asLong() > watch.getHistoryId().longValue());
        JsonNode message = got.get(0).get("message");
        assertFalse(message.path("messageId").asText().isEmpty());
        Instant published = Instant.parse(message.path("publishTime").asText());
        assertFalse(published.isBefore(before.minusSeconds(1)), message.toString());
        assertEquals(1, got.get(0).path("deliveryAttempt").asInt());

        pubSub.acknowledge(subscription, got.get(0).path("ackId").asText());
        assertEquals(0, PubSubSandbox.of(sandbox).stats().unacknowledged().get(subscription),
                "nothing left to redeliver");
        assertTrue(received(pubSub.pull(subscription, 10, true)).isEmpty());
    }

    @Test
    void aMessageNotAcknowledgedInTimeIsDeliveredAgainWithANewAckId() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        String subscription = pubSub.newSubscription(topic, 1);
        pubSub.publish(topic, "hello");

        JsonNode first = received(pubSub.pull(subscription, 10, false)).get(0);
        // the next pull waits until the 1 s lease runs out, then gets the same message again
        List<JsonNode> again = received(pubSub.pull(subscription, 10, false));

        assertEquals(1, again.size(), again.toString());
        assertEquals(first.at("/message/messageId").asText(), again.get(0).at("/message/messageId").asText());
        assertNotEquals(first.path("ackId").asText(), again.get(0).path("ackId").asText());
        assertEquals(1, first.path("deliveryAttempt").asInt());
        assertEquals(2, again.get(0).path("deliveryAttempt").asInt());
        pubSub.acknowledge(subscription, first.path("ackId").asText()); // expired: ignored, as by Google
        assertEquals(1, PubSubSandbox.of(sandbox).stats().unacknowledged().get(subscription));
    }

    @Test
    void aDeadlineOfZeroGivesTheMessageBackAtOnce() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        String subscription = pubSub.newSubscription(topic, 600);
        pubSub.publish(topic, "hello");
        JsonNode first = received(pubSub.pull(subscription, 10, true)).get(0);
        assertTrue(received(pubSub.pull(subscription, 10, true)).isEmpty(), "leased for 600 s");

        pubSub.modifyAckDeadline(subscription, 0, first.path("ackId").asText());

        List<JsonNode> again = received(pubSub.pull(subscription, 10, true));
        assertEquals(1, again.size());
        assertEquals(2, again.get(0).path("deliveryAttempt").asInt());
    }

    @Test
    void aWaitingPullReturnsTheMessageAsSoonAsItIsPublished() throws Exception {
        PubSubSandbox.of(sandbox).setPullWait(Duration.ofMinutes(5)); // the answer must come from the publish
        try {
            String topic = PubSubTestClient.newTopicName();
            String subscription = pubSub.newSubscription(topic, 10);
            PubSubSubscription held = PubSubSandbox.of(sandbox).subscription(subscription).orElseThrow();
            CompletableFuture<JsonNode> pull = CompletableFuture.supplyAsync(() -> {
                try {
                    return pubSub.pull(subscription, 1, false);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await("the pull is waiting", () -> held.waitingPulls() == 1);

            pubSub.publish(topic, "wake up");

            JsonNode answer = pull.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("wake up", new String(java.util.Base64.getDecoder().decode(
                    received(answer).get(0).at("/message/data").asText()), StandardCharsets.UTF_8));
        } finally {
            PubSubSandbox.of(sandbox).setPullWait(Duration.ofMillis(PubSubHandler.PULL_WAIT_MILLIS));
        }
    }

    @Test
    void afterStopAndAfterTheWatchExpiresNothingIsPublished() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        String subscription = pubSub.newSubscription(topic, 10);
        SandboxTestClients.User stopped = watchedUser(topic, null, null);
        stopped.gmail().users().stop("me").execute();
        PubSubSandbox.of(sandbox).setWatchLifetime(Duration.ofSeconds(1));
        SandboxTestClients.User expired = SandboxTestClients.newUser(sandbox, "push");
        long expiration = expired.gmail().users().watch("me", new WatchRequest().setTopicName(topic)).execute()
                .getExpiration();
        await("the watch expired", () -> System.currentTimeMillis() > expiration);

        insert(stopped, "after stop", "INBOX");
        insert(expired, "after expiry", "INBOX");
        PubSubSandbox.of(sandbox).awaitNotificationsPublished();

        assertTrue(received(pubSub.pull(subscription, 10, true)).isEmpty());
        PubSubSandbox.Stats stats = PubSubSandbox.of(sandbox).stats();
        assertEquals(new PubSubSandbox.UserCalls(1, 1), stats.calls().get(SandboxMailStore.key(stopped.address())));
        assertTrue(stats.watches().stream().noneMatch(w -> w.emailAddress().equals(stopped.address())));
    }

    @Test
    void aLabelFilterPublishesOnlyMatchingChanges() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        String subscription = pubSub.newSubscription(topic, 10);
        SandboxTestClients.User inboxOnly = watchedUser(topic, List.of("INBOX"), "include");
        SandboxTestClients.User notSpam = watchedUser(topic, List.of("SPAM"), "exclude");

        insert(inboxOnly, "archived", "UNREAD");
        insert(notSpam, "spam", "SPAM");
        insert(inboxOnly, "inbox", "INBOX");
        insert(notSpam, "ham", "INBOX");
        PubSubSandbox.of(sandbox).awaitNotificationsPublished();

        List<String> notified = new java.util.ArrayList<>();
        for (JsonNode m : received(pubSub.pull(subscription, 10, true))) {
            notified.add(PubSubTestClient.notification(m).get("emailAddress").asText());
        }
        assertEquals(List.of(inboxOnly.address(), notSpam.address()), notified);
    }

    @Test
    void theFaultSwitchDropsNotificationsAndCountsThem() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        String subscription = pubSub.newSubscription(topic, 10);
        SandboxTestClients.User user = watchedUser(topic, null, null);
        long droppedBefore = PubSubSandbox.of(sandbox).stats().dropped();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> set = http.send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl() + "sandbox/admin/pubsub"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"dropRate\":1.0,\"delayMillis\":0}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, set.statusCode(), set.body());

        insert(user, "lost", "INBOX");
        insert(user, "lost too", "INBOX");
        PubSubSandbox.of(sandbox).awaitNotificationsPublished();

        assertTrue(received(pubSub.pull(subscription, 10, true)).isEmpty());
        JsonNode stats = PubSubTestClient.JSON.readTree(http.send(HttpRequest.newBuilder(
                URI.create(sandbox.rootUrl() + "sandbox/admin/pubsub/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(droppedBefore + 2, stats.get("dropped").asLong());
        assertEquals(1.0, stats.get("dropRate").asDouble());
        assertTrue(stats.at("/calls/" + SandboxMailStore.key(user.address()) + "/watch").asInt() == 1, stats.toString());
    }

    @Test
    void aDelayedNotificationIsStillPublished() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        String subscription = pubSub.newSubscription(topic, 10);
        SandboxTestClients.User user = watchedUser(topic, null, null);
        PubSubSandbox.of(sandbox).setFaults(0, 200);

        insert(user, "late", "INBOX");

        assertEquals(200, PubSubSandbox.of(sandbox).stats().delayMillis());
        List<JsonNode> got = received(pubSub.pull(subscription, 10, false));
        assertEquals(user.address(), PubSubTestClient.notification(got.get(0)).get("emailAddress").asText());
    }

    @Test
    void theWatchLifetimeIsSetThroughTheAdminApi() throws Exception {
        HttpResponse<String> set = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(sandbox.rootUrl() + "sandbox/admin/pubsub/watch-lifetime"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"seconds\":5}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, set.statusCode(), set.body());
        SandboxTestClients.User user = SandboxTestClients.newUser(sandbox, "push");
        Instant before = Instant.now();

        long expiration = user.gmail().users().watch("me", new WatchRequest().setTopicName(PubSubSandbox.DEMO_TOPIC))
                .execute().getExpiration();

        assertTrue(expiration <= Instant.now().plusSeconds(5).toEpochMilli() && expiration >= before.plusSeconds(5)
                .toEpochMilli(), "expires 5 s after the watch: " + expiration);
        user.gmail().users().stop("me").execute();
    }

    @Test
    void watchAndStopCostGmailsQuotaUnitsAndAnUnknownTopicIsNotFound() throws Exception {
        SandboxTestClients.User user = SandboxTestClients.newUser(sandbox, "push");
        GoogleJsonResponseException unknown = assertThrows(GoogleJsonResponseException.class, () -> user.gmail().users()
                .watch("me", new WatchRequest().setTopicName("projects/" + PubSubSandbox.PROJECT_ID + "/topics/nope"))
                .execute());
        assertEquals(404, unknown.getStatusCode());

        user.gmail().users().watch("me", new WatchRequest().setTopicName(PubSubSandbox.DEMO_TOPIC)).execute();
        user.gmail().users().stop("me").execute();

        assertEquals(100 + 100 + 50, sandbox.admin().stats().user(user.address()).quotaUnitsUsed());
    }

    @Test
    void pubSubRefusesMissingOrForeignTokensAndNamesUnknownSubscriptions() throws Exception {
        PubSubTestClient.Answer none = pubSub.send(pubSub.request("POST",
                PubSubSandbox.DEMO_SUBSCRIPTION + ":pull", "{\"maxMessages\":1}", null));
        assertEquals(401, none.status());
        assertEquals("UNAUTHENTICATED", none.body().at("/error/status").asText());
        PubSubTestClient fcmOnly = new PubSubTestClient(sandbox, "https://www.googleapis.com/auth/firebase.messaging");
        assertEquals(401, pubSub.send(pubSub.request("GET", PubSubSandbox.DEMO_SUBSCRIPTION, null, fcmOnly.token()))
                .status(), "a token without a Pub/Sub scope");

        PubSubTestClient.Answer unknown = pubSub.call("POST",
                "projects/" + PubSubSandbox.PROJECT_ID + "/subscriptions/nope:pull", "{\"maxMessages\":1}");
        assertEquals(404, unknown.status());
        assertEquals(404, unknown.body().at("/error/code").asInt());
        assertEquals("NOT_FOUND", unknown.body().at("/error/status").asText());
    }

    @Test
    void theDemoSubscriptionExistsAtStartAndGzippedBodiesAreRead() throws Exception {
        JsonNode demo = PubSubTestClient.ok(pubSub.call("GET", PubSubSandbox.DEMO_SUBSCRIPTION, null));
        assertEquals(PubSubSandbox.DEMO_TOPIC, demo.get("topic").asText());
        assertEquals(10, demo.get("ackDeadlineSeconds").asInt());

        String topic = PubSubTestClient.newTopicName();
        String subscription = pubSub.newSubscription(topic, 10);
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write("{\"messages\":[{\"data\":\"aGk=\",\"attributes\":{\"k\":\"v\"}}]}"
                    .getBytes(StandardCharsets.UTF_8));
        }
        JsonNode ids = PubSubTestClient.ok(pubSub.send(pubSub.request("POST", topic + ":publish", null, pubSub.token())
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray()))));
        assertEquals(1, ids.get("messageIds").size());

        JsonNode got = received(pubSub.pull(subscription, 1, true)).get(0);
        assertEquals("aGk=", got.at("/message/data").asText());
        assertEquals("v", got.at("/message/attributes/k").asText());
        assertEquals(ids.get("messageIds").get(0).asText(), got.at("/message/messageId").asText());
    }

    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}

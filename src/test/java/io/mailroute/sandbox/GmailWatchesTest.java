package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** users.watch and the notifications it causes, on the sandbox's own clock (no server). */
class GmailWatchesTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
    private final SandboxMailStore store = new SandboxMailStore(clock, HistoryLog.DEFAULT_RETAINED);
    private final PubSubSandbox pubSub = new PubSubSandbox(clock, new SandboxServiceAccounts(clock, PubSubSandbox.SCOPES));
    private final SandboxMailbox mailbox = store.addUser("support@acme.example");
    private final String subscription = "projects/" + PubSubSandbox.PROJECT_ID + "/subscriptions/watch-test";

    GmailWatchesTest() {
        store.onHistory(pubSub.watches());
        pubSub.createSubscription(subscription, PubSubSandbox.DEMO_TOPIC, 10, null);
    }

    @AfterEach
    void close() {
        pubSub.close();
    }

    private JsonNode watch(String json) throws Exception {
        return pubSub.watches().watch(mailbox, HttpExchanges.JSON.readTree(json));
    }

    private void receive(String... labels) {
        store.receive(mailbox, "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8), List.of(labels), null,
                SandboxMailStore.InternalDateSource.RECEIVED_TIME);
    }

    private List<Long> notifiedHistoryIds() throws Exception {
        pubSub.awaitNotificationsPublished();
        List<Long> ids = new ArrayList<>();
        for (PubSubSubscription.Received r : pubSub.subscription(subscription).orElseThrow().pull(100, 0)) {
            JsonNode n = HttpExchanges.JSON.readTree(Base64.getDecoder().decode(r.message().data()));
            assertEquals("support@acme.example", n.get("emailAddress").asText());
            ids.add(n.get("historyId").asLong());
        }
        return ids;
    }

    @Test
    void aWatchLastsSevenDaysOrTheSetLifetimeAndNotifiesNothingAfterwards() throws Exception {
        JsonNode answer = watch("{\"topicName\":\"" + PubSubSandbox.DEMO_TOPIC + "\"}");
        assertEquals(clock.instant().plus(Duration.ofDays(7)).toEpochMilli(), answer.get("expiration").asLong());
        assertEquals(mailbox.historyId(), answer.get("historyId").asLong());
        receive("INBOX");
        assertEquals(List.of(mailbox.historyId()), notifiedHistoryIds());

        pubSub.setWatchLifetime(Duration.ofSeconds(5));
        watch("{\"topicName\":\"" + PubSubSandbox.DEMO_TOPIC + "\"}");
        clock.advance(Duration.ofSeconds(5));
        receive("INBOX");

        assertEquals(List.of(), notifiedHistoryIds());
    }

    @Test
    void everyMatchingChangeNotifiesLabelChangesIncluded() throws Exception {
        watch("{\"topicName\":\"" + PubSubSandbox.DEMO_TOPIC + "\",\"labelIds\":[\"INBOX\"],\"labelFilterAction\":\"include\"}");
        receive("INBOX", "UNREAD");
        String id = mailbox.list(m -> true).get(0).id();
        long added = mailbox.historyId();
        mailbox.modify(id, List.of(), List.of("UNREAD"));
        long read = mailbox.historyId();
        receive("SPAM");

        assertEquals(List.of(added, read), notifiedHistoryIds());
    }

    @Test
    void aWatchNeedsAnExistingTopicAndAKnownFilterBehavior() {
        GmailApiException unknown = assertThrows(GmailApiException.class, () -> watch(
                "{\"topicName\":\"projects/" + PubSubSandbox.PROJECT_ID + "/topics/nope\"}"));
        assertEquals(404, unknown.status());
        assertEquals(400, assertThrows(GmailApiException.class, () -> watch("{\"topicName\":\"gmail-push\"}")).status());
        assertEquals(400, assertThrows(GmailApiException.class, () -> watch("{\"topicName\":\""
                + PubSubSandbox.DEMO_TOPIC + "\",\"labelIds\":[\"INBOX\"],\"labelFilterBehavior\":\"sometimes\"}")).status());
    }

    @Test
    void aNotificationForADeletedTopicIsDroppedAndCounted() throws Exception {
        pubSub.createTopic("projects/p/topics/gone");
        watch("{\"topicName\":\"projects/p/topics/gone\"}");
        pubSub.deleteTopic("projects/p/topics/gone");

        receive("INBOX");
        pubSub.awaitNotificationsPublished();

        assertEquals(1, pubSub.stats().droppedUnknownTopic());
        assertTrue(pubSub.stats().watches().get(0).expiresAt().startsWith("2026-12-08T08:00"));
    }
}

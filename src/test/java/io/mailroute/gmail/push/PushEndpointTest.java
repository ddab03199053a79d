package io.mailroute.gmail.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PushEndpointTest {

    private final List<String> fired = new ArrayList<>();
    private final Map<String, String> cursors = new ConcurrentHashMap<>(Map.of("support", "100", "paused", "100"));
    private final PushSyncs syncs = new PushSyncs(fired::add, cursors::get);
    private final Set<String> listening = ConcurrentHashMap.newKeySet();

    private PushEndpoint endpoint(Duration syncTimeout, int maxWaiting) {
        listening.add("support");
        return new PushEndpoint(new PushNotifications(syncs, Map.of("support@acme.example", "support",
                "paused@acme.example", "paused"), listening::contains, syncTimeout), maxWaiting);
    }

    private static String push(String notification) {
        return """
                {"message": {"data": "%s", "messageId": "2070443601311540", "message_id": "2070443601311540",
                 "publishTime": "2026-12-01T08:00:00Z"}, "subscription": "projects/acme/subscriptions/gmail-push"}"""
                .formatted(Base64.getEncoder().encodeToString(notification.getBytes(StandardCharsets.UTF_8)));
    }

    private static PushEndpoint.Answer now(CompletableFuture<PushEndpoint.Answer> answer) throws Exception {
        return answer.get(5, TimeUnit.SECONDS);
    }

    @Test
    void readsPubSubsPushBody() {
        PushEndpoint.Envelope envelope = PushEndpoint.envelope(push("{\"emailAddress\":\"support@acme.example\"}"));
        assertEquals("2070443601311540", envelope.messageId());
        assertEquals("projects/acme/subscriptions/gmail-push", envelope.subscription());
        assertEquals("{\"emailAddress\":\"support@acme.example\"}",
                new String(Base64.getDecoder().decode(envelope.data()), StandardCharsets.UTF_8));
        assertEquals("7", PushEndpoint.envelope("{\"message\":{\"data\":\"e30=\",\"message_id\":7}}").messageId(),
                "the snake_case spelling is read too");
        assertNull(PushEndpoint.envelope("{\"message\":{\"data\":\"e30=\"}}").subscription());
        assertEquals("a?b??c", PushEndpoint.envelope("{\"message\":{\"data\":\"\",\"messageId\":\"a\\nb<>c\"}}")
                .messageId(), "what is only logged is cut to harmless characters");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty            | ''",
        "not json         | 'message=hello'",
        "json array       | '[1,2]'",
        "no message       | '{\"subscription\":\"projects/p/subscriptions/s\"}'",
        "message a string | '{\"message\":\"hi\"}'",
        "no data          | '{\"message\":{\"messageId\":\"1\"}}'",
        "data a number    | '{\"message\":{\"data\":12}}'",
    })
    void aBodyThatIsNoPushEnvelopeSaysWhy(String name, String body) {
        assertFalse(assertThrows(IllegalArgumentException.class, () -> PushEndpoint.envelope(body)).getMessage().isBlank());
    }

    @Test
    void aNotificationIsAnswered204OnlyOnceItsSyncCommitted() throws Exception {
        PushEndpoint endpoint = endpoint(Duration.ofSeconds(30), 8);
        CompletableFuture<PushEndpoint.Answer> answer = endpoint.answer(push(
                "{\"emailAddress\":\"Support@acme.example\",\"historyId\":101}"));
        assertEquals(List.of("support"), fired, "its mailbox's poll was triggered");
        assertFalse(answer.isDone(), "no answer before the sync committed");

        syncs.committed("support", 1); // a poll that started after the push committed
        assertEquals(PushEndpoint.Answer.SYNCED, now(answer));
        assertEquals(204, PushEndpoint.Answer.SYNCED.status());
    }

    @Test
    void aSyncThatDoesNotCommitInTimeIsA503AndNoLongerWaits() throws Exception {
        PushEndpoint endpoint = endpoint(Duration.ofMillis(100), 8);
        assertEquals(PushEndpoint.Answer.TIMED_OUT, now(endpoint.answer(push(
                "{\"emailAddress\":\"support@acme.example\",\"historyId\":101}"))));
        assertEquals(503, PushEndpoint.Answer.TIMED_OUT.status());
        assertEquals(0, syncs.waiting("support"), "its waiter was given up");
    }

    @Test
    void anAlreadyCoveredNotificationIsAnswered204AtOnce() throws Exception {
        PushEndpoint endpoint = endpoint(Duration.ofSeconds(30), 8);
        assertEquals(PushEndpoint.Answer.SYNCED, now(endpoint.answer(push(
                "{\"emailAddress\":\"support@acme.example\",\"historyId\":99}"))));
        assertEquals(List.of(), fired, "the cursor is past it: no poll");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown mailbox   | {\"emailAddress\":\"stranger@elsewhere.example\",\"historyId\":101}",
        "paused mailbox    | {\"emailAddress\":\"paused@acme.example\",\"historyId\":101}",
        "no history id     | {\"emailAddress\":\"support@acme.example\"}",
        "not json          | hello",
    })
    void whatNoRedeliveryWouldChangeIsAcknowledgedAndIgnored(String name, String notification) throws Exception {
        PushEndpoint endpoint = endpoint(Duration.ofSeconds(30), 8);
        assertEquals(PushEndpoint.Answer.IGNORED, now(endpoint.answer(push(notification))));
        assertEquals(204, PushEndpoint.Answer.IGNORED.status());
        assertEquals(List.of(), fired, "no poll");
    }

    @Test
    void aPoisonBodyIsAcknowledgedAndIgnored() throws Exception {
        assertEquals(PushEndpoint.Answer.IGNORED, now(endpoint(Duration.ofSeconds(30), 8).answer("{\"message\":7}")));
    }

    @Test
    void pushesBeyondTheWaitingLimitAre429UntilOneIsAnswered() throws Exception {
        PushEndpoint endpoint = endpoint(Duration.ofSeconds(30), 2);
        String body = push("{\"emailAddress\":\"support@acme.example\",\"historyId\":101}");
        CompletableFuture<PushEndpoint.Answer> first = endpoint.answer(body);
        CompletableFuture<PushEndpoint.Answer> second = endpoint.answer(body);
        assertEquals(PushEndpoint.Answer.BUSY, now(endpoint.answer(body)));
        assertEquals(429, PushEndpoint.Answer.BUSY.status());

        syncs.committed("support", 1);
        assertEquals(PushEndpoint.Answer.SYNCED, now(first));
        assertEquals(PushEndpoint.Answer.SYNCED, now(second));
        assertEquals(PushEndpoint.Answer.IGNORED, now(endpoint.answer(push("{}"))), "room again once they are answered");
    }

    @Test
    void withoutAConfiguredEndpointEveryPushIsA404() throws Exception {
        PushEndpoint none = new PushEndpoint(null, 8);
        assertEquals(PushEndpoint.Answer.NOT_CONFIGURED, now(none.answer(push(
                "{\"emailAddress\":\"support@acme.example\",\"historyId\":101}"))));
        assertEquals(404, PushEndpoint.Answer.NOT_CONFIGURED.status());
        assertTrue(fired.isEmpty());
    }
}

package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.mailroute.db.Database;
import io.mailroute.testing.TestDatabases;
import io.mailroute.delivery.webhook.WebhookSender;
import io.mailroute.delivery.webpush.VapidKeys;
import io.mailroute.delivery.webpush.WebPushSender;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.ops.DeliveryApi;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.MutableClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The worker with the real store, senders and API on H2: what a failed push leaves where people can see it. */
class DeliveryWorkerTest {

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T08:00:00Z"));
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private Database db;
    private HttpServer provider;
    private DeliveryStore store;
    private DeliveryWorker worker;
    private ChannelsConfig channels;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabases.h2("worker");
        provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI().getPath());
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("Bad request\r\nINFO forged line " + ProviderAnswersTest.HOSTILE).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        provider.start();
        String hookUrl = "http://127.0.0.1:" + provider.getAddress().getPort() + "/hook";
        channels = new ChannelsConfig(Map.of(
                "team-hook", new ChannelsConfig.Channel("team-hook", "webhook", Map.of("url", hookUrl), null),
                "team-browser", new ChannelsConfig.Channel("team-browser", "webpush", Map.of(), null)),
                Map.of("team", new ChannelsConfig.Recipient("team", "Team", "team@acme.example", List.of())), Map.of(), Map.of());
        String key = TokenKey.generate();
        store = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, key)::get, null, false),
                () -> DeliveryStore.holdsSealedKeys(db)));
        HttpClient http = HttpClient.newHttpClient();
        Map<String, PushSender> senders = Map.of(
                "team-hook", new WebhookSender(hookUrl, "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), http, clock),
                "team-browser", new WebPushSender(VapidKeys.generate(), "mailto:ops@acme.example", http, clock, Duration.ofHours(1)));
        EventLog events = new EventLog(db, json, clock);
        worker = new DeliveryWorker(channels, store, senders, (d, n, c) -> SendResult.failed("no email here"),
                new NotificationFactory(null), db, json, clock,
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5), Duration.ofMinutes(1)).reportingTo(events);
        ((Logger) LoggerFactory.getLogger(DeliveryWorker.class)).addAppender(log);
        log.start();

        String eventId = db.transactions().execute(tx -> events.append("case.created", "support", 42L, null,
                json.createObjectNode().put("itemId", 42).put("queue", "support").put("subject", "Help")).id());
        store.addTarget("team", "team-hook", "team-room", Map.of(), clock.instant());
        // stored before targets were checked: an endpoint in the local network, keys in plaintext
        db.jdbc().update("""
                INSERT INTO push_target (recipient, channel, address, keys_json, active, created_at)
                VALUES ('team', 'team-browser', 'https://10.1.2.3/push/1', '{"p256dh":"x","auth":"y"}', TRUE, :now)""",
                Map.of("now", java.sql.Timestamp.from(clock.instant())));
        store.plan(eventId, "case.created", "support", 42L, "team-hook", "webhook", "team", "team-room", null, clock.instant());
        store.plan(eventId, "case.created", "support", 42L, "team-browser", "webpush", "team", "https://10.1.2.3/push/1",
                null, clock.instant());
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(DeliveryWorker.class)).detachAppender(log);
        provider.stop(0);
        db.close();
    }

    private JsonNode delivery(JsonNode answer, String channel) {
        for (JsonNode d : answer.get("items")) {
            if (d.get("channel").asText().equals(channel)) {
                return d;
            }
        }
        throw new AssertionError("no delivery by " + channel + " in " + answer);
    }

    @Test
    void aProvidersAnswerReachesTheLogButNeverTheApiOrTheEvents() throws Exception {
        assertEquals(2, worker.runOnce());

        JsonNode answer = new DeliveryApi(store, channels, json, clock).list(null, null, null, null, null);
        JsonNode hook = delivery(answer, "team-hook");
        assertEquals("FAILED", hook.get("status").asText());
        assertEquals("webhook 400: the receiver refused the request", hook.get("lastError").asText());
        ProviderAnswersTest.assertClean(answer.toString());
        List<String> failures = db.jdbc().queryForList("SELECT payload FROM workflow_event WHERE type = 'delivery.failed'",
                Map.of(), String.class);
        assertEquals(2, failures.size());
        failures.forEach(ProviderAnswersTest::assertClean);

        String logged = String.join("\n", log.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertTrue(logged.contains("webhook 400: the receiver refused the request; the provider said: Bad request INFO forged"
                + " line " + ProviderAnswersTest.HOSTILE), logged);
        assertFalse(logged.contains("\nINFO forged"), "the provider cannot forge a log line");
    }

    @Test
    void aNotificationThatCannotBeWrittenFailsItsDeliveryNotTheBatch() throws Exception {
        List<String> attempted = new CopyOnWriteArrayList<>();
        DeliveryWorker worker = new DeliveryWorker(channels, store, Map.of(), (d, n, c) -> SendResult.failed("unused"),
                new NotificationFactory(null).withLinks((delivery, event) -> {
                    attempted.add(delivery.channel());
                    throw new IllegalStateException("approval 1 expires at 2026-11-22T08:00:00Z: no decision links");
                }), db, json, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5), Duration.ofMinutes(1));

        assertEquals(2, worker.runOnce(), "both claimed deliveries were attempted, the second despite the first");
        assertEquals(2, attempted.size());
        JsonNode answer = new DeliveryApi(store, channels, json, clock).list(null, null, null, null, null);
        for (String channel : List.of("team-hook", "team-browser")) {
            JsonNode d = delivery(answer, channel);
            assertEquals("PENDING", d.get("status").asText(), d.toString());
            assertEquals("unexpected IllegalStateException; see the service log", d.get("lastError").asText());
        }
    }

    @Test
    void anEmailWithNothingLeftToSayIsObsoleteNotAFailure() throws Exception {
        ChannelsConfig withEmail = new ChannelsConfig(Map.of(
                "approval-email", new ChannelsConfig.Channel("approval-email", "email", Map.of("sender", "$mailbox"),
                        new ChannelsConfig.Fallback("team-hook", 1, null)),
                "team-hook", channels.channels().get("team-hook")), channels.recipients(), Map.of(), Map.of());
        List<Long> sends = new CopyOnWriteArrayList<>();
        DeliveryWorker approvalMail = new DeliveryWorker(withEmail, store, Map.of(), (d, n, c) -> {
            sends.add(d.id());
            return SendResult.obsolete("not sent: approval 7 is APPROVED");
        }, new NotificationFactory(null), db, json, clock,
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5), Duration.ofMinutes(1))
                .reportingTo(new EventLog(db, json, clock));
        db.jdbc().update("UPDATE delivery SET status = 'FAILED'", Map.of()); // setUp's deliveries are not this test's
        String reminder = db.transactions().execute(tx -> new EventLog(db, json, clock).append("approval.reminder", "accounts",
                null, null, json.createObjectNode().put("approvalId", 7)).id());
        store.plan(reminder, "approval.reminder", "accounts", null, "approval-email", "email", "$approvers",
                "r.okafor@acme.example", null, clock.instant());

        assertEquals(1, approvalMail.runOnce());
        clock.advance(Duration.ofHours(1));
        assertEquals(0, approvalMail.runOnce(), "never tried again");

        JsonNode answer = new DeliveryApi(store, withEmail, json, clock).list(null, null, null, null, null);
        JsonNode mail = delivery(answer, "approval-email");
        assertEquals("OBSOLETE", mail.get("status").asText());
        assertEquals("not sent: approval 7 is APPROVED", mail.get("lastError").asText());
        assertEquals(1, sends.size());
        assertEquals(0, db.jdbc().queryForObject("SELECT COUNT(*) FROM delivery WHERE channel = 'team-hook' AND fallback_of IS NOT NULL",
                Map.of(), Integer.class), "no fallback: there is nothing to say by another channel either");
        assertEquals(0, db.jdbc().queryForObject("SELECT COUNT(*) FROM workflow_event WHERE type = 'delivery.failed'",
                Map.of(), Integer.class), "not a failure, so no alert");
    }

    @Test
    void aStoredTargetThatBreaksTheRulesFailsWithTheRuleAndIsNeverContacted() throws Exception {
        worker.runOnce();

        JsonNode browser = delivery(new DeliveryApi(store, channels, json, clock).list(null, null, null, null, null), "team-browser");
        assertEquals("FAILED", browser.get("status").asText());
        assertEquals(1, browser.get("attempts").asInt(), "not retried");
        assertEquals("push target refused, address: a Web Push endpoint must not be a private, link-local or local-network"
                + " IP address (push services are addressed by name); register a valid one", browser.get("lastError").asText());
        assertEquals(List.of("/hook"), requests, "only the webhook was called");
    }
}

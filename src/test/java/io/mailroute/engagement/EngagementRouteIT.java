package io.mailroute.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.webhook.WebhookSender;
import io.mailroute.events.Event;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.PushInbox;
import io.mailroute.sandbox.SandboxOptions;
import io.mailroute.sandbox.WebhookReceiver;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.PageRoutes;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real {@code routes/engagement.camel.yaml} in Camel Main with the real {@code config/application.properties}
 * (its HTTP server on a free loopback port) and the real engagement beans on an in-memory H2; a push goes out through
 * the real webhook sender to the sandbox's receiver, and the acknowledgement URL its JSON carries is POSTed as an app
 * would. The bus ({@code direct:events-publish}) is a list.
 */
class EngagementRouteIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SECRET = "engagement-it-secret-0123456789".getBytes(StandardCharsets.UTF_8);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
    private final List<Event> published = new CopyOnWriteArrayList<>();
    private final HttpClient app = HttpClient.newHttpClient();
    private EngagementFixture fixture;
    private GmailSandbox sandbox;
    private Main main;
    private int port;

    @BeforeEach
    void setUp() throws Exception {
        port = PageRoutes.freeLoopbackPort();
        fixture = new EngagementFixture(clock, port);
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        WebhookReceiver.of(sandbox).setSecret(SECRET);

        main = PageRoutes.start(port, "engagement.camel.yaml", "engagementPages", fixture.pages, published);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (main != null) {
            main.stop();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        fixture.close();
    }

    @Test
    void aPushCarriesItsAckUrlAndTheAppsPostsRecordOpenedThenActedOnce() throws Exception {
        Delivery delivery = fixture.plan("ops-hook", "webhook", "ops", "ops");
        String ackUrl = pushedAckUrl(delivery);
        assertTrue(ackUrl.startsWith("http://127.0.0.1:" + port + "/p/engagement/ack?t="), ackUrl);

        HttpResponse<String> opened = post(ackUrl, "text/plain;charset=UTF-8", "{\"event\":\"opened\"}");
        assertEquals(204, opened.statusCode(), opened.body());
        assertEquals("no-store", opened.headers().firstValue("Cache-Control").orElse(null));
        assertEquals("OPENED", fixture.engagement.find(delivery.id()).orElseThrow().state());

        clock.advance(Duration.ofSeconds(30));
        HttpResponse<String> acted = post(ackUrl, "application/x-www-form-urlencoded", "event=acted&action=approve");
        assertEquals(204, acted.statusCode(), acted.body());

        DeliveryEngagement.Engagement now = fixture.engagement.find(delivery.id()).orElseThrow();
        assertEquals("ACTED", now.state());
        assertEquals("approve", now.action());
        assertEquals(Instant.parse("2026-11-23T09:00:00Z"), now.openedAt());
        assertEquals(Instant.parse("2026-11-23T09:00:30Z"), now.actedAt());
        assertEquals(List.of("delivery.opened", "delivery.acted"), published.stream().map(Event::type).toList(),
                "published on the bus");

        // the same POSTs again (a retried fetch, a replay): answered the same, nothing changes
        assertEquals(204, post(ackUrl, "application/json", "{\"event\":\"acted\",\"action\":\"reject\"}").statusCode());
        assertEquals(204, post(ackUrl, "text/plain", "{\"event\":\"opened\"}").statusCode());
        assertEquals(now, fixture.engagement.find(delivery.id()).orElseThrow());
        assertEquals(2, published.size());
        assertEquals(1, fixture.eventCount("delivery.opened"));
        assertEquals(1, fixture.eventCount("delivery.acted"));
    }

    @Test
    void forgedExpiredOrOtherPurposeTokensAndUnreadableBodiesAreRefusedAndRecordNothing() throws Exception {
        Delivery delivery = fixture.plan("ops-hook", "webhook", "ops", "ops");
        String ackUrl = pushedAckUrl(delivery);
        String token = EngagementFixture.token(ackUrl);
        String base = "http://127.0.0.1:" + port + "/p/engagement/ack?t=";
        char last = token.charAt(token.length() - 5);
        String forged = token.substring(0, token.length() - 5) + (last == 'A' ? 'B' : 'A') + token.substring(token.length() - 4);
        String otherPurpose = EngagementFixture.token(fixture.links.url("p/engagement/ack", fixture.links.issue(
                "report.ack", String.valueOf(delivery.id()), "ops", clock.instant().plus(Duration.ofDays(1)), false)));
        String otherRecipient = EngagementFixture.token(fixture.links.url("p/engagement/ack", fixture.links.issue(
                EngagementLinks.ACK, String.valueOf(delivery.id()), "mallory", clock.instant().plus(Duration.ofDays(1)), false)));

        assertEquals(400, post(base + forged, "text/plain", "{\"event\":\"opened\"}").statusCode());
        assertEquals(400, post(base + otherPurpose, "text/plain", "{\"event\":\"opened\"}").statusCode());
        assertEquals(410, post(base + otherRecipient, "text/plain", "{\"event\":\"opened\"}").statusCode());
        assertEquals(400, post("http://127.0.0.1:" + port + "/p/engagement/ack", "text/plain", "{\"event\":\"opened\"}")
                .statusCode(), "no token");
        HttpResponse<String> unreadable = post(ackUrl, "text/plain", "{\"event\":\"clicked\"}");
        assertEquals(400, unreadable.statusCode());
        assertTrue(unreadable.body().contains("not opened, dismissed or acted"), unreadable.body());
        assertEquals(400, post(ackUrl, "application/json", "{\"event\":\"acted\"}").statusCode(), "acted without its action");

        clock.advance(Duration.ofDays(7).plusSeconds(1));
        assertEquals(410, post(ackUrl, "text/plain", "{\"event\":\"opened\"}").statusCode(), "expired");

        assertNull(fixture.engagement.find(delivery.id()).orElseThrow().state());
        assertEquals(0, fixture.eventCount(null));
        assertTrue(published.isEmpty());
    }

    @Test
    void aGetOfTheAckUrlShowsAPageAndRecordsNothing() throws Exception {
        Delivery delivery = fixture.plan("ops-hook", "webhook", "ops", "ops");
        String ackUrl = pushedAckUrl(delivery);

        HttpResponse<String> page = app.send(HttpRequest.newBuilder(URI.create(ackUrl)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("Notification acknowledgement"), page.body());
        assertTrue(page.body().contains("case.created, item #42"), page.body());
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(null));
        assertNull(fixture.engagement.find(delivery.id()).orElseThrow().state());
        assertEquals(0, fixture.eventCount(null));
    }

    @Test
    void aCriticalEmailsAcknowledgeLinkShowsItsPageAndItsFormRecordsActedAcknowledgedOnce() throws Exception {
        Delivery email = fixture.plan("ops-email", "email", "mei", "mei@acme.example");
        String url = fixture.engagementLinks.ackUrl(email, Map.of("priority", "URGENT"));
        assertTrue(url.startsWith("http://127.0.0.1:" + port + "/p/engagement/acknowledge?t="), url);
        String token = EngagementFixture.token(url);

        HttpResponse<String> page = app.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("<button type=\"submit\">Acknowledge</button>"), page.body());
        assertNull(fixture.engagement.find(email.id()).orElseThrow().state(), "a GET records nothing");

        String formUrl = "http://127.0.0.1:" + port + "/p/engagement/acknowledge";
        HttpResponse<String> noCsrf = post(formUrl, "application/x-www-form-urlencoded", "t=" + token);
        assertEquals(403, noCsrf.statusCode(), noCsrf.body());
        assertEquals(400, post("http://127.0.0.1:" + port + "/p/engagement/ack?t=" + token, "text/plain",
                "{\"event\":\"opened\"}").statusCode(),
                "an email's link is not a push's: the app endpoint refuses it");
        assertNull(fixture.engagement.find(email.id()).orElseThrow().state());

        String form = "t=" + token + "&csrf=" + URLEncoder.encode(csrfOf(page.body()), StandardCharsets.UTF_8);
        HttpResponse<String> done = post(formUrl, "application/x-www-form-urlencoded", form);
        assertEquals(200, done.statusCode(), done.body());
        assertTrue(done.body().contains("Thank you"), done.body());
        HttpResponse<String> again = post(formUrl, "application/x-www-form-urlencoded", form);
        assertTrue(again.body().contains("Already acknowledged"), again.body());

        DeliveryEngagement.Engagement now = fixture.engagement.find(email.id()).orElseThrow();
        assertEquals("ACTED", now.state());
        assertEquals(AckSignal.ACKNOWLEDGED, now.action());
        assertEquals(List.of("delivery.opened", "delivery.acted"), published.stream().map(Event::type).toList());
    }

    @Test
    void onlyCriticalEmailNoticesCarryAnAcknowledgeLinkAndEveryPushAnAckUrl() {
        Delivery email = fixture.plan("ops-email", "email", "mei", "mei@acme.example");
        Delivery push = fixture.plan("tech-push", "fcm", "mei", "device-token-1");
        assertNull(fixture.engagementLinks.ackUrl(email, Map.of("priority", "NORMAL")));
        assertNull(fixture.engagementLinks.ackUrl(email, Map.of()));
        assertTrue(fixture.engagementLinks.ackUrl(email, Map.of("priority", "high")).contains("/p/engagement/acknowledge?t="));
        assertTrue(fixture.engagementLinks.ackUrl(push, Map.of()).contains("/p/engagement/ack?t="));
        assertFalse(fixture.engagementLinks.ackUrl(push, Map.of()).contains("device-token"), "the token names the person, "
                + "never the device");
    }

    /** Sends the delivery's notification, made by the real factory, through the real webhook sender; its data.ackUrl. */
    private String pushedAckUrl(Delivery delivery) throws Exception {
        NotificationFactory factory = new NotificationFactory(null).withAckLinks(fixture.engagementLinks);
        JsonNode event = JSON.readTree("""
                {"id":"%s","type":"case.created","mailbox":"support","data":{"itemId":42,"queue":"support",
                 "priority":"NORMAL","type":"CASE","subject":"Printer on fire"}}""".formatted(EngagementFixture.EVENT_ID));
        Notification notification = factory.from(delivery, event);
        String hook = "engagement-" + delivery.id();
        SendResult result = new WebhookSender(sandbox.rootUrl() + "push/webhook/" + hook, SECRET,
                HttpClient.newHttpClient(), java.time.Clock.systemUTC())
                .send(notification, new PushTarget(delivery.channel(), delivery.recipient(), null, Map.of()));
        assertEquals(SendResult.Outcome.DELIVERED, result.outcome(), result.detail());
        PushInbox.Push push = sandbox.admin().pushInbox().of("webhook").stream().filter(p -> p.target().equals("/" + hook))
                .findFirst().orElseThrow();
        String ackUrl = JSON.readTree(push.payload()).at("/data/" + Notification.ACK_URL).asText();
        assertEquals(notification.ackUrl(), ackUrl);
        return ackUrl;
    }

    private HttpResponse<String> post(String url, String contentType, String body) throws Exception {
        return app.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csrfOf(String html) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), html);
        return m.group(1).replace("&#61;", "=");
    }
}

package io.mailroute.engagement;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.delivery.Delivery;
import io.mailroute.events.Event;
import io.mailroute.events.EventSchemas;
import io.mailroute.json.Json;
import io.mailroute.pages.Pages;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.PageRoutes;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The open-tracking image through the real {@code routes/engagement.camel.yaml} in Camel Main with the shipped
 * properties, on a loopback port, with the real engagement beans on H2: every GET gets the same 1x1 GIF, and only a
 * valid pixel link, with the pixel on, records OPENED (source pixel), once. The bus is a list.
 */
class OpenPixelRouteIT {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
    private final List<Event> published = new CopyOnWriteArrayList<>();
    private final HttpClient mailClient = HttpClient.newHttpClient();
    private EngagementFixture fixture;
    private EngagementLinks pixelLinks;
    private Main main;
    private int port;

    @BeforeEach
    void setUp() throws Exception {
        port = PageRoutes.freeLoopbackPort();
        fixture = new EngagementFixture(clock, port);
        pixelLinks = new EngagementLinks(fixture.links, Duration.ofDays(7), Set.of("URGENT"), true, clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (main != null) {
            main.stop();
        }
        fixture.close();
    }

    @Test
    void loadingAnEmailsPixelAnswersATransparentGifAndRecordsOpenedOnceWithSourcePixel() throws Exception {
        serve(true);
        Delivery email = fixture.plan("ops-email", "email", "mei", "mei@acme.example");
        String url = pixelLinks.pixelUrl(email);
        assertTrue(url.startsWith("http://127.0.0.1:" + port + "/p/engagement/pixel?t="), url);

        HttpResponse<byte[]> first = get(url);
        assertGif(first);
        DeliveryEngagement.Engagement opened = fixture.engagement.find(email.id()).orElseThrow();
        assertEquals("OPENED", opened.state());
        assertEquals(clock.instant(), opened.openedAt());
        assertEquals(List.of("delivery.opened"), published.stream().map(Event::type).toList(), "published on the bus");
        JsonNode event = Json.newMapper().readTree(published.get(0).json());
        EventSchemas.assertValid("engagement-events.schema.json", event);
        assertEquals(OpenPixel.SOURCE, event.at("/data/source").asText());
        assertEquals(email.id(), event.at("/data/deliveryId").asLong());
        assertEquals("mei", event.at("/data/recipient").asText());

        clock.advance(Duration.ofMinutes(5));
        HttpResponse<byte[]> again = get(url); // a second open, a proxy's refetch
        assertGif(again);
        assertEquals(opened, fixture.engagement.find(email.id()).orElseThrow(), "the first open stays");
        assertEquals(1, fixture.eventCount("delivery.opened"));
        assertEquals(1, published.size());
    }

    @Test
    void forgedExpiredOtherPurposeOrMissingTokensGetTheSameGifAndRecordNothing() throws Exception {
        serve(true);
        Delivery email = fixture.plan("ops-email", "email", "mei", "mei@acme.example");
        String url = pixelLinks.pixelUrl(email);
        String token = EngagementFixture.token(url);
        String base = "http://127.0.0.1:" + port + "/p/engagement/pixel";
        char last = token.charAt(token.length() - 5);
        String forged = token.substring(0, token.length() - 5) + (last == 'A' ? 'B' : 'A') + token.substring(token.length() - 4);
        String acknowledge = EngagementFixture.token(pixelLinks.ackUrl(email, Map.of("priority", "URGENT")));
        String otherRecipient = fixture.links.issue(EngagementLinks.PIXEL, String.valueOf(email.id()), "mallory",
                clock.instant().plus(Duration.ofDays(1)), false);
        String noDelivery = fixture.links.issue(EngagementLinks.PIXEL, "999999", "mei",
                clock.instant().plus(Duration.ofDays(1)), false);

        for (String probe : List.of(base + "?t=" + forged, base + "?t=" + acknowledge, base + "?t=" + otherRecipient,
                base + "?t=" + noDelivery, base, base + "?t=", base + "?t=not-a-token%3Cscript%3E")) {
            assertGif(get(probe));
        }
        clock.advance(Duration.ofDays(7).plusSeconds(1));
        assertGif(get(url)); // expired

        assertNull(fixture.engagement.find(email.id()).orElseThrow().state());
        assertEquals(0, fixture.eventCount(null));
        assertTrue(published.isEmpty());
    }

    @Test
    void withThePixelTurnedOffALinkIssuedWhileItWasOnRecordsNothing() throws Exception {
        serve(false);
        Delivery email = fixture.plan("ops-email", "email", "mei", "mei@acme.example");
        String url = pixelLinks.pixelUrl(email); // issued while the setting was on

        assertGif(get(url));

        assertNull(fixture.engagement.find(email.id()).orElseThrow().state());
        assertEquals(0, fixture.eventCount(null));
        assertTrue(published.isEmpty());
    }

    /** The route file served with the engagement pages, their pixel on or off ({@code mailroute.engagement.open-pixel}). */
    private void serve(boolean pixelOn) throws Exception {
        EngagementPages pages = new EngagementPages(fixture.engagement, fixture.links, new Pages(),
                new OpenPixel(fixture.engagement, fixture.links, pixelOn));
        main = PageRoutes.start(port, "engagement.camel.yaml", "engagementPages", pages, published);
    }

    private HttpResponse<byte[]> get(String url) throws Exception {
        return mailClient.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The one answer every fetch gets: a 1x1 transparent GIF that no cache keeps. */
    private static void assertGif(HttpResponse<byte[]> answer) throws Exception {
        assertEquals(200, answer.statusCode(), answer.uri().toString());
        assertEquals("image/gif", answer.headers().firstValue("Content-Type").orElse(null));
        assertEquals("no-store, private", answer.headers().firstValue("Cache-Control").orElse(null));
        assertEquals("no-referrer", answer.headers().firstValue("Referrer-Policy").orElse(null));
        assertEquals("nosniff", answer.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertArrayEquals(OpenPixel.image(), answer.body());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(answer.body()));
        assertEquals(1, image.getWidth());
        assertEquals(1, image.getHeight());
        assertEquals(0, image.getRGB(0, 0) >>> 24, "transparent");
    }
}

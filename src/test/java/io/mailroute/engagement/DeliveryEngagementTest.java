package io.mailroute.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.delivery.Delivery;
import io.mailroute.events.Event;
import io.mailroute.events.EventSchemas;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Recording engagement on H2: forward-only, idempotent, each event once and in the schema. */
class DeliveryEngagementTest {

    private static final Instant SENT = Instant.parse("2026-11-23T09:00:00Z");

    private final MutableClock clock = new MutableClock(SENT);
    private final EngagementFixture fixture = new EngagementFixture(clock, 8080);
    private final DeliveryEngagement engagement = fixture.engagement;

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void openedTwiceIsRecordedOnceAtTheFirstTimeWithOneEvent() throws Exception {
        Delivery d = fixture.plan("tech-push", "webpush", "mei", "https://push.example/sub/1");
        clock.advance(Duration.ofMinutes(3));
        List<Event> first = engagement.record(d.id(), AckSignal.opened());
        Instant openedAt = clock.instant();
        clock.advance(Duration.ofMinutes(1));
        List<Event> second = engagement.record(d.id(), AckSignal.opened());

        assertEquals(List.of("delivery.opened"), first.stream().map(Event::type).toList());
        assertEquals(List.of(), second);
        DeliveryEngagement.Engagement now = engagement.find(d.id()).orElseThrow();
        assertEquals(openedAt, now.openedAt());
        assertEquals("OPENED", now.state());
        assertEquals(1, fixture.eventCount("delivery.opened"));
        JsonNode event = valid(first.get(0));
        assertEquals(d.id(), event.at("/data/deliveryId").asLong());
        assertEquals("mei", event.at("/data/recipient").asText());
        assertEquals("webpush", event.at("/data/channelType").asText());
        assertEquals(42, event.path("itemId").asLong());
        assertEquals("support", event.path("mailbox").asText());
        assertTrue(event.at("/data/action").isMissingNode());
    }

    @Test
    void actingOpensFirstAndKeepsTheFirstActionForGood() throws Exception {
        Delivery d = fixture.plan("tech-push", "fcm", "mei", "device-token-1");
        List<Event> acted = engagement.record(d.id(), AckSignal.acted("approve"));
        clock.advance(Duration.ofMinutes(5));
        List<Event> again = engagement.record(d.id(), AckSignal.acted("reject"));
        List<Event> openedLate = engagement.record(d.id(), AckSignal.opened());

        assertEquals(List.of("delivery.opened", "delivery.acted"), acted.stream().map(Event::type).toList());
        assertEquals(List.of(), again);
        assertEquals(List.of(), openedLate);
        DeliveryEngagement.Engagement now = engagement.find(d.id()).orElseThrow();
        assertEquals("ACTED", now.state());
        assertEquals("approve", now.action());
        assertEquals(SENT, now.actedAt());
        assertEquals(SENT, now.openedAt());
        assertEquals("approve", valid(acted.get(1)).at("/data/action").asText());
        valid(acted.get(0));
        assertEquals(1, fixture.eventCount("delivery.acted"));
    }

    @Test
    void aDismissalIsKeptWithoutOpeningOrAnEvent() {
        Delivery d = fixture.plan("tech-push", "webpush", "mei", "https://push.example/sub/2");
        List<Event> dismissed = engagement.record(d.id(), new AckSignal(AckSignal.Kind.DISMISSED, null));

        assertEquals(List.of(), dismissed);
        DeliveryEngagement.Engagement now = engagement.find(d.id()).orElseThrow();
        assertEquals(SENT, now.dismissedAt());
        assertNull(now.openedAt());
        assertNull(now.state());
    }

    @Test
    void ignoredOnlyWhileNeverOpenedAndOnceAndALateOpenIsStillRecorded() throws Exception {
        Delivery opened = fixture.plan("tech-push", "webpush", "mei", "https://push.example/sub/3");
        Delivery unopened = fixture.plan("tech-push", "webpush", "ravi", "https://push.example/sub/4");
        engagement.record(opened.id(), AckSignal.opened());
        clock.advance(Duration.ofMinutes(15));

        assertTrue(engagement.ignored(opened.id()).isEmpty(), "an opened delivery is never IGNORED");
        Event ignored = engagement.ignored(unopened.id()).orElseThrow();
        assertTrue(engagement.ignored(unopened.id()).isEmpty(), "once");
        assertEquals("delivery.ignored", valid(ignored).path("type").asText());
        assertEquals("IGNORED", engagement.find(unopened.id()).orElseThrow().state());
        assertNull(engagement.find(opened.id()).orElseThrow().ignoredAt());

        clock.advance(Duration.ofMinutes(1));
        assertEquals(1, engagement.record(unopened.id(), AckSignal.opened()).size(), "a late open is still news");
        DeliveryEngagement.Engagement late = engagement.find(unopened.id()).orElseThrow();
        assertEquals(SENT.plus(Duration.ofMinutes(15)), late.ignoredAt(), "IGNORED stays: it was, at its deadline");
        assertEquals("OPENED", late.state());
        assertEquals(1, fixture.eventCount("delivery.ignored"));
    }

    @Test
    void noSuchDeliveryRecordsNothing() {
        assertEquals(List.of(), engagement.record(987_654L, AckSignal.acted("approve")));
        assertTrue(engagement.ignored(987_654L).isEmpty());
        assertEquals(0, fixture.eventCount(null));
    }

    private static JsonNode valid(Event event) throws Exception {
        JsonNode json = Json.newMapper().readTree(event.json());
        EventSchemas.assertValid("engagement-events.schema.json", json);
        return json;
    }
}

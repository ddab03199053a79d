package io.mailroute.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.delivery.Delivery;
import io.mailroute.json.Json;
import io.mailroute.ops.DeliveryApi;
import io.mailroute.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GET /api/deliveries shows each delivery's engagement and filters by its state. */
class DeliveriesEngagementApiTest {

    private static final Instant SENT = Instant.parse("2026-11-23T09:00:00Z");

    private final MutableClock clock = new MutableClock(SENT);
    private final EngagementFixture fixture = new EngagementFixture(clock, 8080);
    private final DeliveryApi api = new DeliveryApi(fixture.store, null, Json.newMapper(), clock)
            .showingEngagement(fixture.engagement);

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void eachDeliveryShowsItsStateAndTimesAndTheListFiltersByState() {
        Delivery opened = fixture.plan("tech-push", "webpush", "mei", "https://push.example/sub/1");
        Delivery acted = fixture.plan("tech-push", "fcm", "mei", "device-token-1");
        Delivery ignored = fixture.plan("email", "email", "mei", "mei@acme.example");
        Delivery nothing = fixture.plan("email", "email", "raj", "raj@acme.example");
        Delivery lateOpen = fixture.plan("tech-push", "fcm", "raj", "device-token-2");
        clock.advance(Duration.ofMinutes(2));
        fixture.engagement.record(opened.id(), AckSignal.opened());
        fixture.engagement.record(acted.id(), AckSignal.acted("approve"));
        fixture.engagement.ignored(ignored.id());
        fixture.engagement.ignored(lateOpen.id());
        fixture.engagement.record(lateOpen.id(), AckSignal.opened());
        fixture.engagement.record(nothing.id(), new AckSignal(AckSignal.Kind.DISMISSED, null));
        String at = SENT.plus(Duration.ofMinutes(2)).toString();

        JsonNode all = api.list(null, null, null, null, null).path("items");
        assertEquals(5, all.size(), all.toString());
        JsonNode a = item(all, acted.id());
        assertEquals("ACTED", a.path("engagement").asText());
        assertEquals(at, a.path("openedAt").asText());
        assertEquals(at, a.path("actedAt").asText());
        assertEquals("approve", a.path("action").asText());
        JsonNode i = item(all, ignored.id());
        assertEquals("IGNORED", i.path("engagement").asText());
        assertEquals(at, i.path("ignoredAt").asText());
        assertTrue(i.path("openedAt").isNull(), i.toString());
        JsonNode n = item(all, nothing.id());
        assertTrue(n.path("engagement").isNull(), "dismissed is no state: " + n);
        assertEquals(at, n.path("dismissedAt").asText());
        assertEquals("OPENED", item(all, lateOpen.id()).path("engagement").asText(), "a late open wins over IGNORED");

        assertEquals(List.of(opened.id(), lateOpen.id()), ids(api.list(null, null, "opened", null, null)));
        assertEquals(List.of(acted.id()), ids(api.list(null, null, "ACTED", null, null)));
        assertEquals(List.of(ignored.id()), ids(api.list(null, null, "IGNORED", null, null)));
        assertEquals("engagement must be one of OPENED, ACTED, IGNORED", assertThrows(IllegalArgumentException.class,
                () -> api.list(null, null, "seen", null, null)).getMessage());
    }

    private static JsonNode item(JsonNode items, long id) {
        for (JsonNode item : items) {
            if (item.path("id").asLong() == id) {
                return item;
            }
        }
        throw new AssertionError("no delivery " + id + " in " + items);
    }

    private static List<Long> ids(JsonNode answer) {
        List<Long> ids = new ArrayList<>();
        answer.path("items").forEach(i -> ids.add(i.path("id").asLong()));
        return ids;
    }
}

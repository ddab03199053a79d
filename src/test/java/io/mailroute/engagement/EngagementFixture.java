package io.mailroute.engagement;

import io.mailroute.db.Database;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.Pages;
import io.mailroute.testing.TestDatabases;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Engagement on an in-memory H2 migrated like the service's, with the real event log, signed links and pages:
 * deliveries planned as the planner plans them (event {@value #EVENT_ID}, item 42 of mailbox support).
 */
final class EngagementFixture implements AutoCloseable {

    static final String EVENT_ID = "0b0e7a52-3c4e-4e59-9a55-2b1f0f7d4c11";

    final Database db;
    final EventLog events;
    final DeliveryStore store;
    final SignedLinks links;
    final EngagementLinks engagementLinks;
    final DeliveryEngagement engagement;
    final EngagementPages pages;
    private final Clock clock;

    /** @param linkPort the port the links point to (loopback) */
    EngagementFixture(Clock clock, int linkPort) {
        this.clock = clock;
        db = TestDatabases.h2("engagement");
        TestDatabases.addMailbox(db, "support");
        events = new EventLog(db, Json.newMapper(), clock);
        store = new DeliveryStore(db, null);
        links = new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(linkPort), db, clock);
        engagementLinks = new EngagementLinks(links, Duration.ofDays(7), Set.of("URGENT", "HIGH"), clock);
        engagement = new DeliveryEngagement(db, events, clock);
        pages = new EngagementPages(engagement, links, new Pages());
    }

    /** A delivery of item 42's case.created by a channel of this type to {@code recipient}; its row. */
    Delivery plan(String channel, String channelType, String recipient, String address) {
        if (!store.plan(EVENT_ID, "case.created", "support", 42L, channel, channelType, recipient, address, null,
                clock.instant())) {
            throw new IllegalStateException("planned twice: " + channel + " " + address);
        }
        long id = db.jdbc().queryForObject("SELECT id FROM delivery WHERE event_id = :e AND channel = :c AND address = :a",
                Map.of("e", EVENT_ID, "c", channel, "a", address), Long.class);
        return new Delivery(id, EVENT_ID, "case.created", "support", 42L, channel, channelType, recipient, address,
                Delivery.PENDING, 0, clock.instant(), null, null, null, null, clock.instant(), null, null);
    }

    /** The token of a link URL ({@code ?t=}). */
    static String token(String url) {
        String query = URI.create(url).getRawQuery();
        if (query == null || !query.startsWith("t=")) {
            throw new IllegalArgumentException("not a link: " + url);
        }
        return query.substring(2);
    }

    long eventCount(String type) {
        return events.count(type);
    }

    Instant now() {
        return clock.instant();
    }

    @Override
    public void close() {
        db.close();
    }
}

package io.mailroute.app;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.db.Database;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.engagement.DeliveryEngagement;
import io.mailroute.engagement.EngagementLinks;
import io.mailroute.engagement.EngagementPages;
import io.mailroute.events.EventLog;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.Pages;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * Engagement capture (routes/engagement.camel.yaml): beans {@code deliveryEngagement} and {@code engagementPages},
 * and every notification's acknowledgement link ({@link EngagementLinks} on the {@link NotificationFactory}); after
 * {@code signedLinks} and {@code pages}.
 */
final class EngagementWiring {

    static final String LIFETIME = "mailroute.engagement.link-lifetime";
    static final String PRIORITIES = "mailroute.engagement.acknowledge-priorities";

    private EngagementWiring() {
    }

    static void bind(CamelContext context, Settings settings, Database db, EventLog events, NotificationFactory notifications,
            Clock clock) {
        Registry registry = context.getRegistry();
        SignedLinks links = registry.lookupByNameAndType("signedLinks", SignedLinks.class);
        Pages pages = registry.lookupByNameAndType("pages", Pages.class);
        Duration lifetime = settings.duration(LIFETIME, Duration.ofDays(7));
        if (lifetime.isNegative() || lifetime.toSeconds() < 1) {
            throw new ConfigException(new ConfigProblem(settings.configDir().resolve("application.properties").toString(),
                    LIFETIME, "is " + lifetime + ", not a positive duration",
                    "write how long a notification's acknowledgement link works, e.g. 7d"));
        }
        Set<String> critical = Arrays.stream(settings.text(PRIORITIES, "URGENT,HIGH").split(","))
                .map(String::strip).filter(p -> !p.isEmpty()).collect(Collectors.toSet());
        notifications.withAckLinks(new EngagementLinks(links, lifetime, critical, clock));
        DeliveryEngagement engagement = new DeliveryEngagement(db, events, clock);
        registry.bind("deliveryEngagement", engagement);
        registry.bind("engagementPages", new EngagementPages(engagement, links, pages));
    }
}

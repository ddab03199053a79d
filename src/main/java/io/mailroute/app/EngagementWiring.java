package io.mailroute.app;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.db.Database;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.delivery.email.GmailEmailTransport;
import io.mailroute.engagement.DeliveryEngagement;
import io.mailroute.engagement.EngagementLinks;
import io.mailroute.engagement.EngagementPages;
import io.mailroute.engagement.GmailReadReceipts;
import io.mailroute.engagement.OpenPixel;
import io.mailroute.engagement.SentNotices;
import io.mailroute.config.MailboxSettings;
import io.mailroute.gmail.GmailRetry;
import io.mailroute.gmail.HistorySync;
import io.mailroute.gmail.MailboxClients;
import io.mailroute.events.EventLog;
import io.mailroute.links.SignedLinks;
import io.mailroute.ops.DeliveryApi;
import io.mailroute.pages.Pages;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * Engagement capture (routes/engagement.camel.yaml): beans {@code deliveryEngagement} and {@code engagementPages},
 * every notification's acknowledgement link ({@link EngagementLinks} on the {@link NotificationFactory}), the optional
 * open-tracking image of email notices ({@value #OPEN_PIXEL}, off by default), and each
 * delivery's engagement in {@code GET /api/deliveries}; after {@code signedLinks}, {@code pages} and {@code deliveryApi}.
 */
final class EngagementWiring {

    static final String LIFETIME = "mailroute.engagement.link-lifetime";
    static final String PRIORITIES = "mailroute.engagement.acknowledge-priorities";
    static final String GMAIL_READ = "mailroute.engagement.gmail-read";
    static final String OPEN_PIXEL = "mailroute.engagement.open-pixel";

    private EngagementWiring() {
    }

    static void bind(CamelContext context, Settings settings, Database db, EventLog events, NotificationFactory notifications,
            GmailEmailTransport email, Clock clock) {
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
        boolean openPixel = settings.flag(OPEN_PIXEL, false);
        EngagementLinks engagementLinks = new EngagementLinks(links, lifetime, critical, openPixel, clock);
        notifications.withAckLinks(engagementLinks);
        email.withOpenPixels(engagementLinks); // issues none while the pixel is off
        DeliveryEngagement engagement = new DeliveryEngagement(db, events, clock);
        registry.bind("deliveryEngagement", engagement);
        registry.lookupByNameAndType("deliveryApi", DeliveryApi.class).showingEngagement(engagement); // GET /api/deliveries
        registry.bind("engagementPages", new EngagementPages(engagement, links, pages,
                new OpenPixel(engagement, links, openPixel)));
    }

    /**
     * Gmail's read state as engagement (bean {@code gmailReadReceipts}, a step of routes/gmail-intake.camel.yaml):
     * the intake's history sync also watches reads, unless {@value #GMAIL_READ} is false; after {@link #bind}.
     */
    static void bindGmailReads(CamelContext context, Settings settings, Database db, Map<String, MailboxSettings> mailboxes,
            MailboxClients clients, GmailRetry retry) {
        Registry registry = context.getRegistry();
        GmailReadReceipts receipts = new GmailReadReceipts(mailboxes, clients, retry, new SentNotices(db),
                registry.lookupByNameAndType("deliveryEngagement", DeliveryEngagement.class));
        registry.bind("gmailReadReceipts", receipts);
        if (settings.flag(GMAIL_READ, true)) {
            registry.lookupByNameAndType("historySync", HistorySync.class).watchingReads();
        }
    }
}

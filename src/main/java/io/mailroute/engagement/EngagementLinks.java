package io.mailroute.engagement;

import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.delivery.email.GmailEmailTransport;
import io.mailroute.links.SignedLinks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signed acknowledgement URL of each delivery, on the one signed-link service; the subject is the delivery's id,
 * the recipient the person it is for (its recipient id, never a device token), the expiry
 * {@code mailroute.engagement.link-lifetime} after the send. Not single-use: opened and then acted are two POSTs, and
 * {@link DeliveryEngagement} records each fact once however often it comes.
 * <ul>
 * <li>every push gets {@value #ACK} at {@value #ACK_PATH}: its app or service worker POSTs opened / dismissed /
 * acted to it ({@link EngagementPages#ack});</li>
 * <li>an email gets {@value #ACKNOWLEDGE} at {@value #ACKNOWLEDGE_PATH} when it is a critical notice (its item's
 * priority among {@code mailroute.engagement.acknowledge-priorities}): the Acknowledge link, whose page confirms
 * with a POST carrying the page's CSRF token. A push link does not open that page, nor an email link the app endpoint.</li>
 * <li>only when {@code mailroute.engagement.open-pixel} is on (off by default), every email notice written from a
 * template also gets {@value #PIXEL} at {@value #PIXEL_PATH}: the open-tracking image's address ({@link OpenPixel});
 * off, none is issued.</li>
 * </ul>
 */
public final class EngagementLinks implements NotificationFactory.AckLinks, GmailEmailTransport.OpenPixels {

    public static final String ACK = "delivery.ack", ACKNOWLEDGE = "delivery.acknowledge", PIXEL = "delivery.pixel";
    /** The pages' paths from the service's root (routes/engagement.camel.yaml). */
    public static final String ACK_PATH = "/p/engagement/ack", ACKNOWLEDGE_PATH = "/p/engagement/acknowledge",
            PIXEL_PATH = "/p/engagement/pixel";
    private static final Logger LOG = LoggerFactory.getLogger(EngagementLinks.class);

    private final SignedLinks links;
    private final Duration lifetime;
    private final Set<String> criticalPriorities;
    private final boolean openPixel;
    private final Clock clock;

    /** Without the open-tracking pixel (its default). */
    public EngagementLinks(SignedLinks links, Duration lifetime, Set<String> criticalPriorities, Clock clock) {
        this(links, lifetime, criticalPriorities, false, clock);
    }

    /**
     * @param lifetime           how long a link works after its notification is made; positive
     * @param criticalPriorities the item priorities (URGENT, HIGH) whose email notices carry the Acknowledge link
     * @param openPixel          {@code mailroute.engagement.open-pixel}: whether email notices carry the open-tracking image
     */
    public EngagementLinks(SignedLinks links, Duration lifetime, Set<String> criticalPriorities, boolean openPixel,
            Clock clock) {
        this.links = Objects.requireNonNull(links, "links");
        if (lifetime == null || lifetime.isNegative() || lifetime.toSeconds() < 1) {
            throw new IllegalArgumentException("an acknowledgement link's lifetime must be a second or more: " + lifetime);
        }
        this.lifetime = lifetime;
        this.criticalPriorities = criticalPriorities.stream().map(p -> p.strip().toUpperCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        this.openPixel = openPixel;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The URL for this delivery's notification, or null (an email that is no critical notice; a link that cannot be made). */
    @Override
    public String ackUrl(Delivery delivery, Map<String, String> data) {
        boolean email = "email".equals(delivery.channelType());
        if (email && !isCritical(data.get("priority"))) {
            return null;
        }
        return email ? url(delivery, ACKNOWLEDGE, ACKNOWLEDGE_PATH) : url(delivery, ACK, ACK_PATH);
    }

    /**
     * The open-tracking image's URL of an email notice, or null: the pixel is off, the delivery is no email, or the
     * link cannot be made. Same subject, recipient and lifetime as the Acknowledge link, a purpose of its own.
     */
    @Override
    public String pixelUrl(Delivery delivery) {
        return openPixel && "email".equals(delivery.channelType()) ? url(delivery, PIXEL, PIXEL_PATH) : null;
    }

    private String url(Delivery delivery, String purpose, String path) {
        Instant expiresAt = clock.instant().plus(lifetime);
        try {
            return links.url(path, links.issue(purpose, String.valueOf(delivery.id()), delivery.recipient(), expiresAt, false));
        } catch (IllegalArgumentException e) {
            // the notice still goes, without its link: engagement is worth less than the notice itself
            LOG.warn("Delivery {}: no {} link ({}); sent without one", delivery.id(), purpose, e.getMessage());
            return null;
        }
    }

    /** Whether an item of this priority is critical: its email notices carry the Acknowledge link. */
    public boolean isCritical(String priority) {
        return priority != null && criticalPriorities.contains(priority.strip().toUpperCase(Locale.ROOT));
    }
}

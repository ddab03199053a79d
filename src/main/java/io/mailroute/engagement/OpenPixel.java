package io.mailroute.engagement;

import io.mailroute.events.Event;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.SignedLinks;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional open-tracking image of email notices ({@code mailroute.engagement.open-pixel}, off by default):
 * {@code GET /p/engagement/pixel?t=} ({@link EngagementPages#pixel}) answers every request with the same 1x1
 * transparent GIF, whatever its token, so nothing can be learnt by trying tokens; a valid {@value EngagementLinks#PIXEL}
 * link of a delivery for its recipient records it OPENED, once, with source {@value #SOURCE}.
 * <p>
 * The one GET in Mailroute that records something. Acceptable here because it records an observation (the image was
 * loaded), never a decision, and only when an operator turned it on. Its cost: a mail scanner or an image proxy
 * loading the image counts as an open, and an opened notice is not escalated ({@code escalate: unopenedFor}). When the
 * setting is off, a link issued while it was on records nothing.
 */
public final class OpenPixel {

    /** {@code data.source} of the {@code delivery.opened} events it records. */
    public static final String SOURCE = "pixel";
    public static final String CONTENT_TYPE = "image/gif";
    /** A 1x1 transparent GIF, 43 bytes. */
    private static final byte[] GIF = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
    private static final Logger LOG = LoggerFactory.getLogger(OpenPixel.class);

    private final DeliveryEngagement engagement;
    private final SignedLinks links;
    private final boolean on;

    /** @param on {@code mailroute.engagement.open-pixel}: off, a fetch records nothing */
    public OpenPixel(DeliveryEngagement engagement, SignedLinks links, boolean on) {
        this.engagement = Objects.requireNonNull(engagement, "engagement");
        this.links = Objects.requireNonNull(links, "links");
        this.on = on;
    }

    /**
     * A fetch of the image with this token: its {@code delivery.opened} event, committed, when the pixel is on, the link
     * valid and of its purpose, its delivery for its recipient and not opened before; no event for anything else.
     * Never throws: the answer is the same image whatever happened here.
     */
    List<Event> fetched(String token) {
        if (!on) {
            return List.of();
        }
        try {
            if (!(links.verify(token, EngagementLinks.PIXEL) instanceof LinkCheck.Valid valid)) {
                return List.of();
            }
            Optional<Event> opened = engagement.find(valid.link()).flatMap(d -> engagement.opened(d.deliveryId(), SOURCE));
            opened.ifPresent(e -> LOG.info("Delivery {}: opened (its open-tracking image was loaded)", valid.link().subjectId()));
            return opened.stream().toList();
        } catch (RuntimeException e) {
            LOG.warn("Engagement {}: a fetch of the open-tracking image was not recorded: {}", EngagementLinks.PIXEL_PATH,
                    e.toString());
            return List.of();
        }
    }

    /** The image every fetch gets. */
    static byte[] image() {
        return GIF.clone();
    }
}

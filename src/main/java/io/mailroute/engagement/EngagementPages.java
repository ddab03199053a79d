package io.mailroute.engagement;

import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.SignedLink;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.FormFields;
import io.mailroute.pages.Page;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a delivery's signed acknowledgement links reach ({@link EngagementLinks}); {@code routes/engagement.camel.yaml}
 * wires it under {@code /p/engagement}. The link's signature is the only credential.
 * <ul>
 * <li>{@code POST ack?t=} (a push's link): an app or service worker says opened / dismissed / acted
 * ({@link AckSignal}); recorded once ({@link DeliveryEngagement}), answered 204 however often it comes. No CSRF
 * token: no page leads to it, the token is per delivery and unguessable, and all it can do is record engagement,
 * never a decision. A forged, expired or other purpose's token is refused (400 / 410), nothing recorded.</li>
 * <li>{@code GET ack?t=}: a small page saying what the link is for and what was recorded; records nothing.</li>
 * <li>{@code GET acknowledge?t=} (a critical email's Acknowledge link): a page with an Acknowledge button; records
 * nothing (mail scanners open every link first). {@code POST acknowledge} (t, csrf) records ACTED
 * {@value AckSignal#ACKNOWLEDGED} (and OPENED), once.</li>
 * <li>{@code GET pixel?t=} (an email notice's open-tracking image, only when it is on): always the same image;
 * {@link OpenPixel} decides what it records.</li>
 * </ul>
 */
public final class EngagementPages {

    static final String TOKEN_FIELD = SignedLinks.TOKEN_PARAMETER;
    static final String CSRF_FIELD = SignedLinks.CSRF_PARAMETER;
    private static final Logger LOG = LoggerFactory.getLogger(EngagementPages.class);
    private static final String RETRY = "Try again in a minute.";

    /** A POST's answer: a page, or null for 204 No Content; and the events it committed. */
    record Answer(Page page, List<Event> events) {
        static Answer page(Page page) {
            return new Answer(page, List.of());
        }

        int status() {
            return page == null ? 204 : page.status();
        }
    }

    /** A link opened: its delivery, or the page that says why it leads nowhere. */
    private record Opened(SignedLink link, DeliveryEngagement.Engagement delivery, Page refusal) {
        static Opened refused(Page page) {
            return new Opened(null, null, page);
        }
    }

    private final DeliveryEngagement engagement;
    private final SignedLinks links;
    private final Pages pages;
    private final OpenPixel pixel;

    /** Without the open-tracking image (its default): a fetch of it records nothing. */
    public EngagementPages(DeliveryEngagement engagement, SignedLinks links, Pages pages) {
        this(engagement, links, pages, new OpenPixel(engagement, links, false));
    }

    public EngagementPages(DeliveryEngagement engagement, SignedLinks links, Pages pages, OpenPixel pixel) {
        this.engagement = Objects.requireNonNull(engagement, "engagement");
        this.links = Objects.requireNonNull(links, "links");
        this.pages = Objects.requireNonNull(pages, "pages");
        this.pixel = Objects.requireNonNull(pixel, "pixel");
    }

    // ---- the routes' beans ------------------------------------------------------------------------------

    /** {@code GET /p/engagement/ack?t=<token>}. */
    public void showAck(@Header(TOKEN_FIELD) String token, Exchange exchange) {
        PageResponses.write(exchange, safely("show an acknowledgement address", EngagementLinks.ACK_PATH, () -> showAck(token)));
    }

    /** {@code POST /p/engagement/ack?t=<token>} with a signal: 204, or a page; the events committed in {@link EventLog#COMMITTED}. */
    public void ack(@Body Object body, Exchange exchange) {
        Answer answer;
        try {
            // a form arrives as platform-http's map; JSON or text/plain as bytes, read as text (UTF-8 by default)
            answer = ack(queryToken(exchange), body instanceof Map<?, ?> ? body : exchange.getMessage().getBody(String.class));
        } catch (RuntimeException e) {
            answer = Answer.page(failed("record an acknowledgement", EngagementLinks.ACK_PATH, e));
        }
        exchange.setProperty(EventLog.COMMITTED, answer.events());
        if (answer.page() == null) {
            noContent(exchange);
        } else {
            PageResponses.write(exchange, answer.page());
        }
    }

    /** {@code GET /p/engagement/acknowledge?t=<token>}. */
    public void showAcknowledge(@Header(TOKEN_FIELD) String token, Exchange exchange) {
        PageResponses.write(exchange, safely("show an Acknowledge page", EngagementLinks.ACKNOWLEDGE_PATH,
                () -> showAcknowledge(token)));
    }

    /** {@code POST /p/engagement/acknowledge} (t, csrf); the events committed in {@link EventLog#COMMITTED}. */
    public void acknowledge(@Body Object body, Exchange exchange) {
        Answer answer;
        try {
            answer = acknowledge(FormFields.of(body));
        } catch (RuntimeException e) {
            answer = Answer.page(failed("record an acknowledgement", EngagementLinks.ACKNOWLEDGE_PATH, e));
        }
        exchange.setProperty(EventLog.COMMITTED, answer.events());
        PageResponses.write(exchange, answer.page());
    }

    /**
     * {@code GET /p/engagement/pixel?t=<token>}: the same image for every token, valid, forged, expired or none; what a
     * valid one recorded in {@link EventLog#COMMITTED}.
     */
    public void pixel(@Header(TOKEN_FIELD) String token, Exchange exchange) {
        exchange.setProperty(EventLog.COMMITTED, pixel.fetched(token));
        PageResponses.image(exchange, OpenPixel.image(), OpenPixel.CONTENT_TYPE);
    }

    // ---- a push's acknowledgement address ---------------------------------------------------------------

    /** The page a GET of a push's link shows; reads only. */
    Page showAck(String token) {
        String path = EngagementLinks.ACK_PATH;
        Opened opened = open(token, EngagementLinks.ACK, path);
        if (opened.refusal() != null) {
            return opened.refusal();
        }
        Map<String, Object> model = about(opened.delivery(), opened.link());
        model.put("heading", "Notification acknowledgement");
        model.put("sentence", "This address is where the app that showed this notification reports that it was opened or "
                + "acted on. Opening it in a browser records nothing.");
        model.put("detail", "Nothing was changed.");
        return pages.render("engagement-notice", 200, path, model);
    }

    /** A POST of a push's app: 204 once the link and the signal are good (also when it was recorded before). */
    Answer ack(String token, Object body) {
        String path = EngagementLinks.ACK_PATH;
        Opened opened = open(token, EngagementLinks.ACK, path);
        if (opened.refusal() != null) {
            LOG.info("Engagement {}: a POST with a refused link answered {}", path, opened.refusal().status());
            return Answer.page(opened.refusal());
        }
        AckSignal signal;
        try {
            signal = AckSignal.parse(body);
        } catch (IllegalArgumentException e) {
            return Answer.page(pages.problem(400, "This acknowledgement cannot be read", e.getMessage()
                    + ". Send {\"event\":\"opened\"}, {\"event\":\"dismissed\"} or {\"event\":\"acted\",\"action\":\"approve\"}.",
                    path));
        }
        List<Event> events = engagement.record(opened.delivery().deliveryId(), signal);
        if (!events.isEmpty()) {
            LOG.info("Delivery {}: {}", opened.delivery().deliveryId(), signal.kind() == AckSignal.Kind.ACTED
                    ? "acted on (" + signal.action() + ")" : signal.kind().name().toLowerCase(Locale.ROOT));
        }
        return new Answer(null, events);
    }

    // ---- a critical email's Acknowledge link ------------------------------------------------------------

    /** The page a GET of an email's Acknowledge link shows: the form, or that it was acknowledged; reads only. */
    Page showAcknowledge(String token) {
        String path = EngagementLinks.ACKNOWLEDGE_PATH;
        Opened opened = open(token, EngagementLinks.ACKNOWLEDGE, path);
        if (opened.refusal() != null) {
            return opened.refusal();
        }
        if (opened.delivery().actedAt() != null) {
            return already(opened.delivery(), path);
        }
        Map<String, Object> model = about(opened.delivery(), opened.link());
        model.put("token", token);
        model.put("csrf", links.csrfToken(opened.link()));
        return pages.render("engagement-acknowledge", 200, path, model);
    }

    /** A POST of the Acknowledge form: records ACTED acknowledged (and OPENED) once when the link and the form allow it. */
    Answer acknowledge(FormFields form) {
        String path = EngagementLinks.ACKNOWLEDGE_PATH;
        Opened opened = open(form.value(TOKEN_FIELD), EngagementLinks.ACKNOWLEDGE, path);
        if (opened.refusal() != null) {
            return Answer.page(opened.refusal());
        }
        if (!links.checkCsrf(opened.link(), form.value(CSRF_FIELD))) {
            LOG.info("Engagement {}: a POST for {} without the page's CSRF token refused", path, opened.link());
            return Answer.page(pages.problem(403, "This form cannot be used", "This acknowledgement was not sent from its "
                    + "page. Open the link from the email again and use its Acknowledge button.", path));
        }
        long deliveryId = opened.delivery().deliveryId();
        List<Event> events = engagement.record(deliveryId, AckSignal.acted(AckSignal.ACKNOWLEDGED));
        DeliveryEngagement.Engagement now = engagement.find(deliveryId).orElseThrow();
        if (events.stream().noneMatch(e -> e.type().equals("delivery.acted"))) {
            return new Answer(already(now, path), events);
        }
        LOG.info("Delivery {}: acknowledged through its email link", deliveryId);
        Map<String, Object> model = about(now, null);
        model.put("heading", "Thank you");
        model.put("sentence", "Your acknowledgement of this notice is recorded.");
        model.put("detail", "You can close this page.");
        return new Answer(pages.render("engagement-notice", 200, path, model), events);
    }

    private Page already(DeliveryEngagement.Engagement delivery, String path) {
        Map<String, Object> model = about(delivery, null);
        model.put("heading", "Already acknowledged");
        model.put("sentence", "This notice was already acknowledged. Nothing more to do.");
        model.put("detail", "Nothing was changed.");
        return pages.render("engagement-notice", 200, path, model);
    }

    // ---- what a link leads to ---------------------------------------------------------------------------

    /** Verifies a link and finds its delivery, which must be for the link's recipient. */
    private Opened open(String token, String purpose, String path) {
        LinkCheck check = links.verify(token, purpose);
        if (check instanceof LinkCheck.Refused refused) {
            return Opened.refused(pages.refused(refused, path));
        }
        SignedLink link = ((LinkCheck.Valid) check).link();
        return engagement.find(link).map(d -> new Opened(link, d, null)).orElseGet(() -> Opened.refused(pages.problem(410,
                "This notification is not known here", "The notification this link was for is not kept here any more.",
                path)));
    }

    /** What every page shows about the delivery. */
    private static Map<String, Object> about(DeliveryEngagement.Engagement d, SignedLink link) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("about", d.eventType() + (d.itemId() == null ? "" : ", item #" + d.itemId()));
        model.put("recipient", d.recipient());
        model.put("sent", time(d.sentAt()));
        if (d.openedAt() != null) {
            model.put("opened", time(d.openedAt()));
        }
        if (d.actedAt() != null) {
            model.put("acted", time(d.actedAt()) + " (" + d.action() + ")");
        }
        if (link != null) {
            model.put("expires", time(link.expiresAt()));
        }
        return model;
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /**
     * The token of the address ({@code ?t=}): the app POSTs to the URL as it got it. Read from the query alone, so
     * that a form field of the same name in the body cannot stand in for it.
     */
    private static String queryToken(Exchange exchange) {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        return query == null ? null : FormFields.parse(query).value(TOKEN_FIELD);
    }

    /** 204 with the pages' security headers and nothing of the request. */
    private static void noContent(Exchange exchange) {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        PageResponses.SECURITY_HEADERS.forEach(message::setHeader);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        message.setHeader("Cache-Control", "no-store");
        message.setBody(null);
    }

    private Page safely(String what, String path, java.util.function.Supplier<Page> page) {
        return pages.safely("Engagement", what, RETRY, path, page);
    }

    private Page failed(String what, String path, RuntimeException e) {
        return pages.failed("Engagement", what, RETRY, path, e);
    }

    static String time(Instant at) {
        return at == null ? "" : Pages.time(at);
    }
}

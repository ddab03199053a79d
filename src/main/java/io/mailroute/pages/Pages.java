package io.mailroute.pages;

import io.mailroute.links.LinkCheck;
import io.mailroute.links.Refusal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * The server-rendered pages people open in a browser: the signed-link pages under {@value #LINK_PREFIX} (approval
 * decisions now; downloads and acknowledgements later) and, later, the console. A feature renders its page with
 * {@link #render} and answers it with {@link PageResponses#write}; a signed link that {@code SignedLinks.verify}
 * refused gets the one refusal page, {@link #refused}. Bean {@code pages}; {@code routes/pages.camel.yaml} serves the
 * assets.
 */
public final class Pages {

    /** Every signed-link page lives under this path: the only pages reachable without an API token. */
    public static final String LINK_PREFIX = io.mailroute.access.ApiAccessPolicy.SIGNED_LINK_PREFIX;
    private static final String PROBLEM_TEMPLATE = "problem";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Pages.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final PageTemplates templates;
    private final PageAssets assets;

    public Pages(PageTemplates templates, PageAssets assets) {
        this.templates = templates;
        this.assets = assets;
    }

    public Pages() {
        this(new PageTemplates(), new PageAssets());
    }

    /**
     * A page from {@code pages/<template>.mustache} in the layout.
     *
     * @param pagePath the page's own path from the service's root ({@code /p/approvals/decide}): the layout's
     *                 addresses are relative to it
     */
    public Page render(String template, int status, String pagePath, Map<String, ?> model) {
        PageLayout layout = new PageLayout(PageLayout.rootFrom(pagePath), assets.path("mailroute.css"));
        return new Page(status, templates.render(template, layout, model));
    }

    /**
     * The one page for a signed link that was refused, whatever it was for: the refusal's sentence (which repeats
     * nothing from the link), with 400 for a link that never was valid here and 410 for one that was and is no more.
     */
    /** A time as the pages show it: {@code 2026-11-30 07:00 UTC}. */
    public static String time(Instant at) {
        return TIME.format(at);
    }

    /**
     * The page for a page that failed unexpectedly: the cause logged once for the operator ("{@code <page>} page: could
     * not {@code <what>}"), a 500 that shows nothing internal, with what the person can do.
     *
     * @param advice what to do now, e.g. "Open the link again in a minute."
     */
    public Page failed(String page, String what, String advice, String pagePath, RuntimeException e) {
        LOG.error("{} page: could not {} ({}): answering 500", page, what, e.toString(), e);
        return problem(500, "Something went wrong", "The service could not answer just now. " + advice, pagePath);
    }

    /** The page {@code page} makes, or {@link #failed} when making it throws. */
    public Page safely(String page, String what, String advice, String pagePath, Supplier<Page> make) {
        try {
            return make.get();
        } catch (RuntimeException e) {
            return failed(page, what, advice, pagePath, e);
        }
    }

    public Page refused(LinkCheck.Refused refused, String pagePath) {
        return problem(status(refused.reason()), "This link cannot be used", refused.message(), pagePath);
    }

    /** A page that says why nothing was done, and what to do: a heading and a sentence, both shown as text. */
    public Page problem(int status, String heading, String message, String pagePath) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("heading", heading);
        model.put("message", message);
        return render(PROBLEM_TEMPLATE, status, pagePath, model);
    }

    /** 410 Gone for a genuine link whose time is over (expired, used, its key retired); 400 for the rest. */
    public static int status(Refusal reason) {
        return switch (reason) {
            case EXPIRED, USED, UNKNOWN_KEY -> 410;
            case MALFORMED, BAD_SIGNATURE, WRONG_PURPOSE -> 400;
        };
    }

    /** {@code GET /assets/{name}}: the asset of that hashed name, or a 404. */
    public void asset(@Header("name") String name, Exchange exchange) {
        assets.find(name).ifPresentOrElse(asset -> PageResponses.write(exchange, asset),
                () -> PageResponses.notFound(exchange, "No such file. Reload the page that refers to it."));
    }
}

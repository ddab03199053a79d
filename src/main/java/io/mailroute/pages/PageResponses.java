package io.mailroute.pages;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Writes pages and assets onto the exchange platform-http answers with: only the headers set here go out (the
 * request's, the query's {@code t} among them, are removed first, so nothing of the request is echoed), and every
 * answer carries the security headers: a Content-Security-Policy that allows the page's own stylesheet and images, its
 * own forms and nothing else (no script at all, no framing), {@code nosniff}, and {@code Referrer-Policy: no-referrer},
 * since a signed link's token is in the page's address. Pages are {@code no-store}; hashed assets are cached a year.
 * ({@link PageHeaders} puts the same on the router's answers, with {@code Cache-Control}, which platform-http drops
 * from a route's headers.)
 */
public final class PageResponses {

    /** The policy every page and asset is served with. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    static final String CONTENT_SECURITY_POLICY_HEADER = "Content-Security-Policy";
    /** What every answer carries, page or asset. */
    public static final Map<String, String> SECURITY_HEADERS = securityHeaders();
    static final String NO_STORE = "no-store";
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    /** An image a link answers with (an email's open-tracking image): also kept by no shared cache or image proxy. */
    static final String NO_STORE_PRIVATE = "no-store, private";

    private PageResponses() {
    }

    /** The page, {@code text/html}, {@code no-store}. */
    public static void write(Exchange exchange, Page page) {
        Message message = reset(exchange, page.status(), "text/html; charset=utf-8", NO_STORE);
        message.setBody(page.html().getBytes(StandardCharsets.UTF_8));
    }

    /** An image that is one person's (an email's open-tracking image): {@code no-store, private}. */
    public static void image(Exchange exchange, byte[] bytes, String contentType) {
        Message message = reset(exchange, 200, contentType, NO_STORE_PRIVATE);
        message.setBody(bytes);
    }

    /** An asset, cached for a year under its hashed name. */
    public static void write(Exchange exchange, PageAssets.Asset asset) {
        Message message = reset(exchange, 200, asset.contentType(), IMMUTABLE);
        message.setBody(asset.bytes());
    }

    /**
     * A file to save, never to show: {@code Content-Disposition: attachment}, {@code no-store}, {@code nosniff} and the
     * pages' policy (so even an HTML document opened from it runs nothing). platform-http streams the body to the browser
     * in chunks and closes it.
     *
     * @param contentType e.g. {@code application/pdf}, {@code text/csv; charset=utf-8}
     * @param fileName    the name to save it under: characters other than letters, digits, {@code . _ -} become {@code _}
     */
    public static void attachment(Exchange exchange, java.io.InputStream body, String contentType, String fileName) {
        Message message = reset(exchange, 200, contentType, NO_STORE);
        message.setHeader("Content-Disposition", "attachment; filename=\"" + fileName.replaceAll("[^A-Za-z0-9._-]", "_") + "\"");
        message.setBody(body);
    }

    /**
     * {@code 303 See Other} to a path of this service (after a form POST, or from a page that moved): the browser GETs
     * {@code location}. The caller makes sure it is local (io.mailroute.console.NextPath for one a request named).
     */
    public static void redirect(Exchange exchange, String location) {
        Message message = reset(exchange, 303, "text/plain; charset=utf-8", NO_STORE);
        message.setHeader("Location", location);
        message.setBody(new byte[0]);
    }

    /**
     * Lets the page's forms lead to these origins too ({@code form-action 'self' <origins>}): for a form whose POST is
     * answered with a redirect to another site (an OAuth provider's consent), since browsers check {@code form-action}
     * on every redirect of a form's navigation. Call it after {@link #write(Exchange, Page)}; {@link PageHeaders} keeps it.
     *
     * @param origins {@code https://accounts.google.com}: scheme, host and port only
     */
    public static void allowFormsTo(Exchange exchange, java.util.Collection<String> origins) {
        exchange.getMessage().setHeader(CONTENT_SECURITY_POLICY_HEADER, CONTENT_SECURITY_POLICY.replace("form-action 'self'",
                "form-action 'self' " + String.join(" ", origins)));
    }

    /** A short plain-text 404 (an asset name that is not one, e.g. of an older jar). */
    public static void notFound(Exchange exchange, String text) {
        Message message = reset(exchange, 404, "text/plain; charset=utf-8", NO_STORE);
        message.setBody(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Message reset(Exchange exchange, int status, String contentType, String cacheControl) {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        SECURITY_HEADERS.forEach(message::setHeader);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        message.setHeader("Cache-Control", cacheControl);
        return message;
    }

    private static Map<String, String> securityHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(CONTENT_SECURITY_POLICY_HEADER, CONTENT_SECURITY_POLICY);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY"); // frame-ancestors for browsers that predate it
        return java.util.Collections.unmodifiableMap(headers);
    }
}

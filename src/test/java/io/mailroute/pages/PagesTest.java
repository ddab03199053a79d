package io.mailroute.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.links.LinkCheck;
import io.mailroute.links.Refusal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The pages' layout, refusal page, headers, assets and form reading, without a server. */
class PagesTest {

    private static final String HOSTILE = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>&amp;`=";

    private final Pages pages = new Pages();

    @Test
    void everyValueIsEscapedAndTheLayoutIsForPhonesWithoutScripts() {
        Page page = pages.problem(400, HOSTILE, HOSTILE, "/p/approvals/decide");

        assertEquals(400, page.status());
        assertFalse(page.html().contains("<script"), page.html());
        assertFalse(page.html().contains("<img"), page.html());
        assertTrue(page.html().contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img src&#61;x"), page.html());
        assertTrue(page.html().contains("&amp;amp;&#96;&#61;"), page.html());
        assertTrue(page.html().contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
        assertTrue(page.html().contains("<meta name=\"referrer\" content=\"no-referrer\">"));
    }

    @Test
    void theStylesheetIsReferredToRelativelyByItsHashedNameAndServedForAYear() {
        Page page = pages.problem(400, "h", "m", "/p/approvals/decide");
        Matcher href = Pattern.compile("href=\"\\.\\./\\.\\./assets/(mailroute\\.[0-9a-f]{10}\\.css)\"").matcher(page.html());
        assertTrue(href.find(), page.html());

        Exchange asset = exchange();
        pages.asset(href.group(1), asset);
        assertEquals(200, asset.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertEquals("text/css; charset=utf-8", asset.getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertEquals("public, max-age=31536000, immutable", asset.getMessage().getHeader("Cache-Control"));
        assertTrue(new String(asset.getMessage().getBody(byte[].class), StandardCharsets.UTF_8).contains(".card"));
        assertSecurityHeaders(asset);

        Exchange unhashed = exchange();
        pages.asset("mailroute.css", unhashed);
        assertEquals(404, unhashed.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE), "only the hashed name is served");
        Exchange traversal = exchange();
        pages.asset("../../application.properties", traversal);
        assertEquals(404, traversal.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
    }

    @Test
    void aPageGoesOutWithTheSecurityHeadersNoStoreAndNothingOfTheRequest() {
        Exchange exchange = exchange();
        exchange.getMessage().setHeader("t", "the-token-from-the-query");
        exchange.getMessage().setHeader("User-Agent", "scanner");
        PageResponses.write(exchange, new Page(410, "<!DOCTYPE html><p>gone</p>"));

        assertSecurityHeaders(exchange);
        assertEquals("no-store", exchange.getMessage().getHeader("Cache-Control"));
        assertEquals("text/html; charset=utf-8", exchange.getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertEquals(410, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertNull(exchange.getMessage().getHeader("t"), "the token is not echoed as a response header");
        assertNull(exchange.getMessage().getHeader("User-Agent"));
        assertArrayEquals("<!DOCTYPE html><p>gone</p>".getBytes(StandardCharsets.UTF_8), exchange.getMessage().getBody(byte[].class));
    }

    @ParameterizedTest
    @CsvSource({"200, false, no-store", "404, false, no-store", "200, true, 'public, max-age=31536000, immutable'",
        "404, true, no-store"})
    void theRoutersAnswersUnderThePagesPrefixesCarryTheSameHeaders(int status, boolean asset, String cacheControl) {
        io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap().set("Cache-Control", "public");
        PageHeaders.apply(headers, status, asset);
        assertEquals(cacheControl, headers.get("cache-control"));
        PageResponses.SECURITY_HEADERS.forEach((name, value) -> assertEquals(value, headers.get(name), name));
    }

    @ParameterizedTest
    @CsvSource({"false, 'no-store, private'", "true, 'public, max-age=31536000, immutable'"})
    void anImageALinkAnswersWithIsPrivateAndAnAssetImageStaysCached(boolean asset, String cacheControl) {
        Exchange exchange = exchange();
        exchange.getMessage().setHeader("t", "the-token-from-the-query");
        PageResponses.image(exchange, new byte[] {1, 2, 3}, "image/gif");
        assertEquals("no-store, private", exchange.getMessage().getHeader("Cache-Control"));
        assertEquals("image/gif", exchange.getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertNull(exchange.getMessage().getHeader("t"), "the token is not echoed");
        assertSecurityHeaders(exchange);

        io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap().set("Content-Type", "image/gif");
        PageHeaders.apply(headers, 200, asset);
        assertEquals(cacheControl, headers.get("cache-control"), "as the router sends it");
    }

    @ParameterizedTest
    @EnumSource(Refusal.class)
    void everyRefusedLinkGetsTheOneRefusalPageWithItsSentence(Refusal reason) {
        Page page = pages.refused(new LinkCheck.Refused(reason, Optional.empty(), Optional.empty()), "/p/approvals/decide");

        assertEquals(reason == Refusal.EXPIRED || reason == Refusal.USED || reason == Refusal.UNKNOWN_KEY ? 410 : 400,
                page.status());
        assertTrue(page.html().contains("This link cannot be used"), page.html());
        assertTrue(page.html().contains(reason.sentence().replace("'", "&#39;")), page.html());
        assertTrue(page.html().contains("Nothing was changed."), page.html());
    }

    @ParameterizedTest
    @CsvSource({"/p/approvals/decide, ../../", "p/x, ../", "/console, ./"})
    void addressesInALayoutAreRelativeToThePage(String path, String root) {
        assertEquals(root, PageLayout.rootFrom(path));
    }

    @Test
    void formFieldsComeFromTheBodyFirstOneWinsAndABrokenEscapeTrustsNothing() {
        FormFields form = FormFields.parse("t=abc-_&decision=approve&comment=caf%C3%A9+%3Cb%3E%0D%0Aok&decision=reject&flag");
        assertEquals("abc-_", form.value("t"));
        assertEquals("approve", form.value("decision"));
        assertEquals("café <b>\r\nok", form.value("comment"));
        assertEquals("", form.value("flag"));
        assertNull(form.value("csrf"));
        assertFalse(form.toString().contains("abc"), "values never in toString: " + form);

        assertNull(FormFields.parse("t=abc&comment=%E0%A4%A").value("t"));
        assertNull(FormFields.parse("t=" + "a".repeat(FormFields.MAX_BODY_CHARS)).value("t"));
        assertNull(FormFields.parse(null).value("t"));

        FormFields fromRoute = FormFields.of(Map.of("t", "abc", "decision", java.util.List.of("approve", "reject")));
        assertEquals("abc", fromRoute.value("t"));
        assertEquals("approve", fromRoute.value("decision"), "platform-http's list for a field sent twice: the first");
        assertEquals("approve", FormFields.of("decision=approve").value("decision"));
    }

    private static void assertSecurityHeaders(Exchange exchange) {
        Map<String, Object> headers = exchange.getMessage().getHeaders();
        assertEquals("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                + "base-uri 'none'", headers.get("Content-Security-Policy"));
        assertEquals("nosniff", headers.get("X-Content-Type-Options"));
        assertEquals("no-referrer", headers.get("Referrer-Policy"));
        assertEquals("DENY", headers.get("X-Frame-Options"));
    }

    private static Exchange exchange() {
        return new DefaultExchange(new DefaultCamelContext());
    }
}

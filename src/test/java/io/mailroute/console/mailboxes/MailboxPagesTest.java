package io.mailroute.console.mailboxes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.javanet.NetHttpTransport;
import io.mailroute.access.ApiGuard;
import io.mailroute.config.MailboxSettings;
import io.mailroute.connection.ConnectFlow;
import io.mailroute.connection.Connections;
import io.mailroute.connection.MailboxConnection;
import io.mailroute.connection.OAuthCredentials;
import io.mailroute.connection.OAuthEndpoints;
import io.mailroute.console.ConsolePages;
import io.mailroute.db.Database;
import io.mailroute.retry.Backoff;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.gmail.MailboxQuotas;
import io.mailroute.gmail.MailboxState;
import io.mailroute.gmail.MailboxStates;
import io.mailroute.json.Json;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.Pages;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.testing.TestMailboxes;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Mailboxes page bean on an in-memory database: what each role sees (escaped), pause and resume with and without
 * the session's CSRF token, and the connect flow's start and the callbacks it refuses before any provider is asked.
 */
class MailboxPagesTest {

    private static final String HOSTILE = "<script>alert(1)</script>\"'";
    private static final String CSRF = "session-csrf-token-of-the-admin-0123456789ab";
    private static final String PROVIDER = "http://127.0.0.1:9/"; // nothing listens: no test reaches it

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:00Z"));
    private final List<JsonNode> audited = new ArrayList<>();
    private final List<String> actions = new ArrayList<>();
    private final MailboxSettings hr = TestMailboxes.sandbox("hr", "hr@acme.example", "in:inbox", 10, 250);
    private DefaultCamelContext camel;
    private Database db;
    private MailboxStates states;
    private MailboxPages pages;

    @BeforeEach
    void setUp() {
        camel = new DefaultCamelContext();
        db = TestDatabases.h2("mailbox-pages");
        states = new MailboxStates(db, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5));
        states.register(hr);
        OAuthCredentials client = new OAuthCredentials("client-1", "secret-1", null);
        OAuthEndpoints endpoints = new OAuthEndpoints(PROVIDER + "o/oauth2/v2/auth", PROVIDER + "token", PROVIDER + "revoke");
        MailboxConnection connection = new MailboxConnection("hr", client, endpoints.token(), new NetHttpTransport(),
                (id, version) -> { });
        connection.use("refresh-from-env", 0, MailboxConnection.Source.ENVIRONMENT);
        Connections connections = new Connections(Map.of("hr", hr), Map.of("hr", connection), Map.of("hr", endpoints), null,
                states, db, (action, mailbox, subject, details) -> {
                    actions.add(action);
                    audited.add(details);
                }, json, HttpClient.newHttpClient(), clock, null);
        SignedLinks links = new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(8080), db, clock);
        MailboxConnect connect = new MailboxConnect(id -> new ConnectFlow(endpoints, client, hr.role().scope(), hr.address(),
                new NetHttpTransport(), Duration.ofMinutes(1)), List.of(endpoints.authorization()), connections, links,
                "http://localhost:8080", clock);
        pages = new MailboxPages(new ConsolePages(new Pages()), new Pages(), connect, connections, states, List::of,
                Map.of("hr", hr), new MailboxQuotas(List.of(hr), clock), clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
        camel.close();
    }

    @Test
    void aViewerSeesTheStateEscapedAndNoButtons() {
        states.failed("hr", new GmailFailure(GmailFailure.Kind.NOT_CONNECTED, 401, null, "invalid_grant " + HOSTILE));
        Exchange page = request("viewer", CSRF, null);
        pages.list(page);
        String html = html(page, 200);
        assertTrue(html.contains("<span class=\"state state-bad\">Not connected</span>"), html);
        assertTrue(html.contains("hr@acme.example"), html);
        assertTrue(html.contains("invalid_grant &lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertFalse(html.contains("<script>"), "every value escaped");
        assertFalse(html.contains("/connect\""), "no connect button for a viewer");
        assertFalse(html.contains("/pause\""), "no pause button for a viewer");
        assertFalse(html.contains("Revoke access"), html);
        assertEquals(io.mailroute.pages.PageResponses.CONTENT_SECURITY_POLICY,
                page.getMessage().getHeader("Content-Security-Policy"), "forms lead nowhere else");
    }

    @Test
    void anAdminGetsEveryButtonEachWithTheSessionsCsrfToken() {
        Exchange page = request("admin", CSRF, null);
        pages.list(page);
        String html = html(page, 200);
        assertTrue(html.contains("action=\"../console/mailboxes/hr/connect\""), html);
        assertTrue(html.contains(">Re-authorize</button>"), "the environment's grant can be replaced: " + html);
        assertTrue(html.contains("href=\"../console/mailboxes/hr/revoke\""), html);
        assertTrue(html.contains("action=\"../console/mailboxes/hr/pause\""), html);
        assertEquals("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' http://127.0.0.1:9; "
                + "frame-ancestors 'none'; base-uri 'none'", page.getMessage().getHeader("Content-Security-Policy"),
                "the connect form's POST may lead to the provider's consent");
        assertEquals(3, html.split("name=\"csrf\" value=\"" + CSRF + "\"", -1).length - 1, "sign-out, connect, pause; "
                + "revoke asks first: " + html);
    }

    @Test
    void pauseAndResumeNeedTheSessionsCsrfTokenAndSayWhoInTheAuditTrail() {
        Exchange forged = request("operator", CSRF, "csrf=not-the-token");
        pages.pause("hr", "csrf=not-the-token", forged);
        assertTrue(html(forged, 403).contains("This form cannot be used"));
        assertEquals(MailboxState.STARTING, states.state("hr"), "nothing changed");

        Exchange pause = request("operator", CSRF, "csrf=" + CSRF);
        pages.pause("hr", "csrf=" + CSRF, pause);
        assertEquals(303, pause.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertEquals("/console/mailboxes/hr?done=paused", pause.getMessage().getHeader("Location"));
        assertEquals(MailboxState.PAUSED, states.state("hr"));
        assertEquals(List.of("mailbox.paused"), actions);
        assertEquals("mei", audited.get(0).path("by").asText());

        Exchange shown = request("operator", CSRF, null);
        pages.show("hr", "paused", shown);
        String html = html(shown, 200);
        assertTrue(html.contains("Paused: it is not polled until resumed"), html);
        assertTrue(html.contains("action=\"../../console/mailboxes/hr/resume\""), html);

        Exchange resume = request("operator", CSRF, "csrf=" + CSRF);
        pages.resume("hr", "csrf=" + CSRF, resume);
        assertEquals(MailboxState.STARTING, states.state("hr"));

        Exchange unknown = request("operator", CSRF, "csrf=" + CSRF);
        pages.pause("nobody", "csrf=" + CSRF, unknown);
        assertTrue(html(unknown, 404).contains("No mailbox &#39;nobody&#39; is configured"));
        Exchange oddDone = request("viewer", CSRF, null);
        pages.show("hr", HOSTILE, oddDone);
        assertFalse(html(oddDone, 200).contains("alert"), "a done= nobody sent is not echoed");
    }

    @Test
    void connectSendsTheBrowserToTheConsentWithPkceAndACookieBoundToTheSession() {
        Exchange forged = request("admin", CSRF, "");
        pages.connect("hr", "", forged);
        html(forged, 403);

        String cookie = startConnect(CSRF);
        Exchange start = lastStart;
        String location = start.getMessage().getHeader("Location", String.class);
        String query = URLDecoder.decode(location.substring(location.indexOf('?') + 1), StandardCharsets.UTF_8);
        assertTrue(location.startsWith(PROVIDER + "o/oauth2/v2/auth?"), location);
        assertTrue(query.contains("redirect_uri=http://localhost:8080/console/mailboxes/connect/callback"), query);
        assertTrue(query.contains("scope=https://www.googleapis.com/auth/gmail.modify"), query);
        assertTrue(query.contains("login_hint=hr@acme.example"), query);
        assertTrue(query.contains("code_challenge_method=S256"), query);
        assertTrue(query.contains("access_type=offline"), query);
        String setCookie = start.getMessage().getHeader("Set-Cookie", String.class);
        assertTrue(setCookie.endsWith("; Path=/console/mailboxes/connect; Max-Age=600; HttpOnly; SameSite=Lax"), setCookie);
        assertFalse(query.contains(cookie), "the verifier stays in the cookie");
        String state = query.replaceAll(".*[?&]state=([^&]+).*", "$1");

        // another session's browser, a wrong state, a declined consent: refused before any provider is asked
        Exchange otherSession = callback("another-session-csrf-token-0123456789abcdef", "code-1", state, null, cookie);
        assertTrue(html(otherSession, 400).contains("belongs to another connect, or to another session"));
        Exchange wrongState = callback(CSRF, "code-1", "not-the-state", null, cookie);
        assertTrue(html(wrongState, 400).contains("another connect"));
        Exchange noCookie = callback(CSRF, "code-1", state, null, null);
        assertTrue(html(noCookie, 400).contains("did not start in this browser"));
        Exchange declined = callback(CSRF, null, state, "access_denied", cookie);
        assertTrue(html(declined, 400).contains("Access was not granted at Google"));
        assertTrue(declined.getMessage().getHeader("Set-Cookie", String.class).contains("Max-Age=0"), "the cookie is cleared");
        Exchange replayed = callback(CSRF, "code-1", state, null, cookie);
        assertTrue(html(replayed, 400).contains("used already"), "single-use");
        assertEquals(List.of(), actions, "nothing connected");
    }

    @Test
    void revokeAsksFirst() {
        Exchange confirm = request("admin", CSRF, null);
        pages.confirmRevoke("hr", confirm);
        String html = html(confirm, 200);
        assertTrue(html.contains("Revoke access of hr@acme.example?"), html);
        assertTrue(html.contains("action=\"../../../console/mailboxes/hr/revoke\""), html);
        assertEquals(MailboxState.STARTING, states.state("hr"), "a GET changes nothing");
    }

    private Exchange lastStart;

    private String startConnect(String csrf) {
        lastStart = request("admin", csrf, "csrf=" + csrf);
        pages.connect("hr", "csrf=" + csrf, lastStart);
        assertEquals(303, lastStart.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        String setCookie = lastStart.getMessage().getHeader("Set-Cookie", String.class);
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    private Exchange callback(String csrf, String code, String state, String error, String cookie) {
        Exchange exchange = request("admin", csrf, null);
        pages.callback(code, state, error, cookie == null ? null : "a=b; " + MailboxConnect.COOKIE + "=" + cookie, exchange);
        return exchange;
    }

    private Exchange request(String role, String csrf, String body) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(ApiGuard.PRINCIPAL_HEADER, "mei");
        exchange.getMessage().setHeader(ApiGuard.ROLE_HEADER, role);
        exchange.getMessage().setHeader(ApiGuard.CSRF_HEADER, csrf);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    private static String html(Exchange exchange, int status) {
        assertEquals(status, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE), "status");
        return new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
    }
}

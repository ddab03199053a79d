package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.approvals.DecisionLinks;
import io.mailroute.db.Database;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.PageResponses;
import io.mailroute.testing.Browsers;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The approval decision page in a real headless Chromium against the packaged service and the sandbox: an approval made
 * through the API, its approver's signed link (made with the service's link key, as the request email will) opened in
 * the browser shows the request with hostile values as text; the GET decides nothing; the confirmed form decides
 * (APPROVED, how link, approval.decided); every link then says who decided, when and how; tampered and expired links
 * get the refusal page; a POST without the page's CSRF token changes nothing.
 */
class ApprovalDecisionPageIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APPROVER = "r.okafor@acme.example";
    private static final String HOSTILE_TITLE = "PO-7 <script>document.title='pwned'</script>";
    private static final String HOSTILE_VENDOR = "Vandelay \"Industries\" <img src=x onerror=alert(1)>";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    Path work;

    @Test
    void anApproverDecidesInABrowserOnceAndOnlyByConfirming() throws Exception {
        String linkKey = LinkKeys.generate();
        try (IntakeFixture world = new IntakeFixture(work, List.of("accounts"), "")) {
            world.environment.put(LinkKeys.ENV, linkKey);
            try (ServiceProcess service = world.service().start().awaitUp(WAIT);
                    Database scratch = TestDatabases.h2("decision-page-it-links")) {
                long approvalId = create(service, "it-page-1", HOSTILE_TITLE);
                long untouchedId = create(service, "it-page-2", "PO-8 Office chairs");
                LinkBaseUrl base = LinkBaseUrl.parse(service.apiUrl("/"), "test");
                DecisionLinks links = new DecisionLinks(new SignedLinks(LinkKeys.of(linkKey), base, scratch, Clock.systemUTC()),
                        Duration.ofDays(1), Clock.systemUTC());
                Instant expiry = Instant.parse(approval(service, approvalId).path("expiresAt").asText());
                DecisionLinks.Urls urls = links.forApprover(approvalId, expiry, APPROVER);

                // headers and the stylesheet, with a plain client
                HttpResponse<String> page = get(urls.approve());
                assertEquals(200, page.statusCode(), page.body());
                PageResponses.SECURITY_HEADERS.forEach((name, value) ->
                        assertEquals(value, page.headers().firstValue(name).orElse(null), name));
                assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(null));
                assertFalse(page.headers().map().containsKey("t"), "the token is not echoed in a header");

                WebDriver browser = Browsers.headlessChromium();
                try {
                    browser.get(urls.approve());
                    assertEquals(HOSTILE_TITLE, browser.findElement(By.cssSelector("section.request h1")).getText(),
                            "the title is shown as text");
                    assertTrue(browser.findElements(By.tagName("script")).isEmpty(), "no script element was injected");
                    assertTrue(browser.findElements(By.tagName("img")).isEmpty(), "no img element was injected");
                    assertTrue(browser.getTitle().startsWith("Decide: PO-7"), browser.getTitle());
                    assertNoAlert(browser);
                    assertEquals(HOSTILE_VENDOR, fieldValue(browser, "vendor"));
                    assertEquals(APPROVER, browser.findElement(By.cssSelector(".acting-as")).getText());
                    assertTrue(browser.findElement(By.cssSelector("input[value=approve]")).isSelected(), "pre-selected");
                    assertEquals("rgba(36, 86, 201, 1)", browser.findElement(By.tagName("button")).getCssValue("background-color"),
                            "the stylesheet loads under the Content-Security-Policy");

                    // opening it decided nothing
                    assertEquals("PENDING", approval(service, approvalId).path("state").asText());
                    assertEquals(0, decidedEvents(service, approvalId).size());

                    browser.findElement(By.id("comment")).sendKeys("Within budget <b>thanks</b>");
                    Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("button[type=submit]")));
                    assertEquals("Your decision is recorded", browser.findElement(By.tagName("h1")).getText());
                    assertTrue(browser.getPageSource().contains("The request is now approved."), browser.getPageSource());

                    JsonNode decided = approval(service, approvalId);
                    assertEquals("APPROVED", decided.path("state").asText(), decided.toString());
                    assertEquals("link", decided.path("decidedHow").asText(), decided.toString());
                    assertEquals(APPROVER, decided.path("decidedBy").asText(), decided.toString());
                    List<JsonNode> events = decidedEvents(service, approvalId);
                    assertEquals(1, events.size(), events.toString());
                    assertEquals("link", events.get(0).path("data").path("how").asText(), events.toString());
                    assertEquals("approve", events.get(0).path("data").path("decision").asText(), events.toString());
                    assertEquals("Within budget <b>thanks</b>", events.get(0).path("data").path("comment").asText());

                    // every link of it now says who decided, when and how
                    for (String url : List.of(urls.approve(), urls.reject(), links.forApprover(approvalId, expiry, APPROVER)
                            .requestChanges())) {
                        browser.get(url);
                        assertEquals("Already decided", browser.findElement(By.tagName("h1")).getText());
                        String sentence = browser.findElement(By.cssSelector("p.outcome")).getText();
                        assertTrue(sentence.matches("Already decided by r\\.okafor@acme\\.example at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, "
                                + "by link: approved\\."), sentence);
                        assertTrue(browser.findElements(By.tagName("form")).isEmpty());
                    }

                    // a tampered and an expired link: the refusal page, nothing changed
                    DecisionLinks.Urls other = links.forApprover(untouchedId, null, APPROVER);
                    String token = token(other.approve());
                    String tampered = other.approve().replace(token, token.substring(0, 20)
                            + (token.charAt(20) == 'A' ? 'B' : 'A') + token.substring(21));
                    browser.get(tampered);
                    assertRefusal(browser, "This link is not valid: it was changed after it was sent.");
                    assertEquals(400, get(tampered).statusCode());
                    MutableClock past = new MutableClock(Instant.now().minus(Duration.ofDays(2)));
                    String expired = new DecisionLinks(new SignedLinks(LinkKeys.of(linkKey), base, scratch, past), Duration.ofDays(1),
                            past).forApprover(untouchedId, null, APPROVER).approve();
                    browser.get(expired);
                    assertRefusal(browser, "This link has expired.");
                    assertEquals(410, get(expired).statusCode());

                    // a POST without the page's CSRF token, or with another's, is refused and changes nothing
                    HttpResponse<String> noCsrf = post(service, "t=" + token + "&decision=reject");
                    assertEquals(403, noCsrf.statusCode(), noCsrf.body());
                    HttpResponse<String> wrongCsrf = post(service, "t=" + token + "&decision=reject&csrf="
                            + URLEncoder.encode(csrfOf(get(other.reject()).body()), StandardCharsets.UTF_8)); // its sibling link's
                    assertEquals(403, wrongCsrf.statusCode(), wrongCsrf.body());
                    assertEquals("PENDING", approval(service, untouchedId).path("state").asText());
                    assertEquals(0, decidedEvents(service, untouchedId).size());
                    browser.get(other.approve());
                    assertEquals(1, browser.findElements(By.tagName("form")).size(), "the link still works");
                } finally {
                    browser.quit();
                }
            }
        }
    }

    private static long create(ServiceProcess service, String key, String title) throws Exception {
        String body = JSON.createObjectNode().put("title", title).put("requester", "mei@acme.example")
                .put("idempotencyKey", key).set("approvers", JSON.createArrayNode().add(APPROVER)).toString();
        JsonNode request = JSON.readTree(body);
        ((com.fasterxml.jackson.databind.node.ObjectNode) request).putObject("fields").put("amount", 2300).put("currency", "EUR")
                .put("vendor", HOSTILE_VENDOR);
        ((com.fasterxml.jackson.databind.node.ObjectNode) request).putArray("attachments").addObject().put("name", "quote <1>.pdf");
        HttpResponse<String> created = service.request("POST", "/api/approvals", request.toString());
        assertEquals(201, created.statusCode(), created.body());
        return JSON.readTree(created.body()).path("id").asLong();
    }

    private static JsonNode approval(ServiceProcess service, long id) {
        return service.api("/api/approvals/" + id);
    }

    private static List<JsonNode> decidedEvents(ServiceProcess service, long approvalId) {
        return service.events("approval.decided").stream().filter(e -> e.path("data").path("approvalId").asLong() == approvalId)
                .toList();
    }

    private static String fieldValue(WebDriver browser, String name) {
        for (WebElement term : browser.findElements(By.cssSelector("section.request dl.fields dt"))) {
            if (term.getText().equals(name)) {
                return term.findElement(By.xpath("following-sibling::dd[1]")).getText();
            }
        }
        throw new AssertionError("no field " + name + " on " + browser.getPageSource());
    }

    private static void assertRefusal(WebDriver browser, String sentence) {
        assertEquals("This link cannot be used", browser.findElement(By.tagName("h1")).getText());
        assertTrue(browser.findElement(By.cssSelector("p.message")).getText().startsWith(sentence),
                browser.findElement(By.cssSelector("p.message")).getText());
        assertTrue(browser.findElements(By.tagName("form")).isEmpty());
    }

    private static void assertNoAlert(WebDriver browser) {
        try {
            browser.switchTo().alert();
            throw new AssertionError("a script ran and opened an alert");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    /** The CSRF token on a page's form. */
    private static String csrfOf(String html) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), html);
        return m.group(1);
    }

    private static String token(String url) {
        String query = URI.create(url).getRawQuery();
        for (String pair : query.split("&")) {
            if (pair.startsWith("t=")) {
                return pair.substring(2);
            }
        }
        throw new AssertionError("no token in " + url);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(ServiceProcess service, String form) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.apiUrl(DecisionLinks.PAGE_PATH))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package io.mailroute.it;

import static io.mailroute.it.ConsoleClient.HTTP;
import static io.mailroute.it.ConsoleClient.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.sandbox.SandboxCredentials;
import io.mailroute.sandbox.WebhookReceiver;
import io.mailroute.testing.Browsers;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's Items, Approvals and Deliveries pages against the packaged service, in a real headless Chromium signed
 * in with Google (the test's sandbox plays Google): a message whose subject, HTML body, sender name and attachment
 * filename carry HTML and script is shown as text or sanitized on every page, and none of its script runs; an item
 * moved from a page that a second change overtook says so and shows the item as it is now; an approval is decided from
 * the console; a failed delivery is retried and goes out; POSTs without the session's CSRF token change nothing; an
 * attachment downloads with a safe name, type and sandbox.
 */
class ConsoleWorkIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String OPERATOR = "r.okafor@acme.example";
    private static final String SUBJECT = "<script>document.title='pwned-subject'</script><img src=x onerror=\"window.pwned='subject'\">help needed";
    private static final String SENDER = "<img src=x onerror=window.pwned='sender'>Eve";
    private static final String FILENAME = "<svg onload=window.pwned='file'>\".html";
    /** What intake keeps of FILENAME (io.mailroute.gmail.mime.AttachmentFilenames): the console shows and sends that. */
    private static final String STORED_FILENAME = "_svg onload=window.pwned='file'__.html";
    private static final String TITLE = "PO <script>window.pwned='approval'</script>4471";

    @TempDir
    Path work;

    @Test
    void itemsApprovalsAndDeliveriesWorkFromTheConsoleAndNoEmailRunsScriptInIt() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "accounts"), "")) {
            SandboxCredentials google = world.sandbox.admin().client();
            world.sandbox.admin().addUser(OPERATOR, "refresh-okafor");
            world.environment.put("MAILROUTE_GOOGLE_CLIENT_ID", google.clientId());
            world.environment.put("MAILROUTE_GOOGLE_CLIENT_SECRET", google.clientSecret());
            Files.writeString(world.configDir.resolve("application.properties"), """

                    ## the console signs in with Google against the test's sandbox
                    mailroute.sandbox.url = %s
                    mailroute.console.google.domains = acme.example
                    mailroute.console.google.issuer = sandbox
                    """.formatted(world.sandbox.rootUrl()), java.nio.file.StandardOpenOption.APPEND);
            // a channel without fallback, so a delivery it cannot make is FAILED (retryable) rather than FELL_BACK
            Path channels = world.configDir.resolve("channels.yaml");
            Files.writeString(channels, Files.readString(channels).replaceFirst("\nchannels:\n", """

                    channels:
                      ops-hook:
                        type: webhook
                        url: %spush/webhook/ops
                        secret: env:IT_TEAM_HOOK_SECRET
                    """.formatted(world.sandbox.rootUrl()))
                    .replaceFirst("\naudiences:\n", "\naudiences:\n  ops-room: {members: [team], via: [ops-hook]}\n")
                    .replaceFirst("    email: team@acme.example\n    devices:\n",
                            "    email: team@acme.example\n    devices:\n      - {channel: ops-hook, address: ops-room}\n"));
            world.triageEverythingTo("ops-room");
            ServiceProcess service = world.service();
            ServiceProcess.CommandResult created = service.run("user", "create", OPERATOR, "--role", "operator", "--google");
            assertEquals(0, created.exit(), created.output());

            WebhookReceiver.of(world.sandbox).failNext(400, 1, null); // the item's notification fails for good
            world.insertText("support", hostileMessage());
            try (ServiceProcess running = service.start().awaitUp(WAIT)) {
                running.await(WAIT, "the hostile message's item and its failed delivery", () ->
                        running.api("/api/deliveries?status=FAILED").path("items").size() == 1);
                long itemId = running.api("/api/items?queue=support").path("items").get(0).path("itemId").asLong();
                long deliveryId = running.api("/api/deliveries?status=FAILED").path("items").get(0).path("id").asLong();
                HttpResponse<String> approval = running.request("POST", "/api/approvals", """
                        {"title": "%s", "requester": "j.smith@acme.example", "approvers": ["%s"], "policy": "default",
                         "fields": {"note": "<img src=x onerror=window.pwned='field'>"}}"""
                        .formatted(TITLE.replace("\"", "\\\""), OPERATOR));
                assertEquals(201, approval.statusCode(), approval.body());
                long approvalId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(approval.body()).path("id").asLong();

                String base = running.apiUrl("/").replace("127.0.0.1", "localhost");
                WebDriver browser = Browsers.headlessChromium();
                try {
                    browser.get(base + "console/items?queue=support");
                    browser.findElement(By.cssSelector("a.button.google")).click();
                    browser.findElement(By.linkText(OPERATOR)).click();
                    assertEquals(base + "console/items?queue=support", browser.getCurrentUrl());
                    assertNoScriptRan(browser, "Items");
                    assertEquals(SUBJECT, browser.findElement(By.cssSelector("table.list a")).getText());

                    // the item: everything from the email as text or sanitized HTML
                    browser.findElement(By.cssSelector("table.list a")).click();
                    assertNoScriptRan(browser, "Item " + itemId);
                    assertEquals(SUBJECT, browser.findElement(By.cssSelector("h1.subject")).getText());
                    assertEquals(SENDER, browser.findElement(By.cssSelector(".from-name")).getText());
                    assertEquals(STORED_FILENAME, browser.findElement(By.cssSelector("a.attachment")).getText());
                    assertEquals("Totals", browser.findElement(By.cssSelector(".body.html b")).getText(), "safe markup stays");
                    String attachmentHref = browser.findElement(By.cssSelector("a.attachment")).getAttribute("href");
                    String session = browser.manage().getCookieNamed("mailroute_session").getValue();
                    attachmentIsASafeDownload(attachmentHref, session);

                    // a second change comes first (through the API); the page's change is refused, saying so
                    new Select(browser.findElement(By.id("state"))).selectByValue("RESOLVED");
                    HttpResponse<String> first = running.request("PATCH", "/api/items/" + itemId,
                            "{\"state\":\"IN_PROGRESS\",\"version\":0}");
                    assertEquals(200, first.statusCode(), first.body());
                    browser.findElement(By.cssSelector("form.change button[type=submit]")).click();
                    assertTrue(shown(browser, ".problem-text").getText()
                            .startsWith("Someone changed this item since you opened it."), browser.getPageSource());
                    assertEquals("in progress", browser.findElement(By.cssSelector("dd.state")).getText(), "as it is now");
                    assertNoScriptRan(browser, "Item " + itemId);
                    new Select(browser.findElement(By.id("state"))).selectByValue("RESOLVED");
                    browser.findElement(By.id("assignee")).sendKeys(OPERATOR);
                    browser.findElement(By.cssSelector("form.change button[type=submit]")).click();
                    assertEquals("Your change is saved.", notice(browser).getText());
                    assertEquals("resolved", browser.findElement(By.cssSelector("dd.state")).getText());
                    JsonNode item = running.api("/api/items/" + itemId);
                    assertEquals("RESOLVED", item.path("state").asText());
                    assertEquals(OPERATOR, item.path("assignee").asText());

                    // the approval: waiting for me, decided here
                    browser.get(base + "console/approvals");
                    assertNoScriptRan(browser, "Approvals");
                    WebElement waiting = browser.findElement(By.cssSelector(".waiting-list a"));
                    assertEquals(TITLE, waiting.getText());
                    waiting.click();
                    assertNoScriptRan(browser, "Approval " + approvalId);
                    browser.findElement(By.cssSelector("input[name=decision][value=approve]")).click();
                    browser.findElement(By.id("comment")).sendKeys("fine <b>by me</b>");
                    browser.findElement(By.cssSelector("form.decision button[type=submit]")).click();
                    assertEquals("Your decision is recorded.", notice(browser).getText());
                    assertEquals("approved", browser.findElement(By.cssSelector(".meta .state")).getText());
                    assertNoScriptRan(browser, "Approval " + approvalId);
                    JsonNode decided = running.api("/api/approvals/" + approvalId);
                    assertEquals("APPROVED", decided.path("state").asText());
                    assertEquals("console", decided.path("decidedHow").asText());
                    running.await(WAIT, "approval.decided published", () -> !running.events("approval.decided").isEmpty());

                    // the failed delivery: retried from the page, and it goes out
                    browser.get(base + "console/deliveries?status=FAILED");
                    assertNoScriptRan(browser, "Deliveries");
                    browser.findElement(By.cssSelector("#delivery-" + deliveryId + " form.retry button")).click();
                    assertTrue(notice(browser).getText().startsWith("Delivery " + deliveryId
                            + " is due again"), browser.getPageSource());
                    running.await(WAIT, "the retried delivery delivered", () -> running.api("/api/deliveries?status=DELIVERED")
                            .path("items").findValuesAsText("id").contains(String.valueOf(deliveryId)));

                    // without the session's CSRF token nothing is done
                    assertEquals(403, post(base + "console/items/" + itemId, "state=OPEN&version=2", session).statusCode());
                    assertEquals(403, post(base + "console/deliveries/" + deliveryId + "/retry", "", session).statusCode());
                    assertEquals(403, post(base + "console/approvals/" + approvalId + "/decision", "decision=reject", session)
                            .statusCode());
                    assertEquals("RESOLVED", running.api("/api/items/" + itemId).path("state").asText());
                } finally {
                    browser.quit();
                }
            }
        }
    }

    /** The page's title is the page's own, no script set the global an email's script would, and the DOM has no script. */
    private static void assertNoScriptRan(WebDriver browser, String title) {
        assertEquals(title + " · Mailroute", browser.getTitle(), browser.getPageSource());
        Object pwned = ((JavascriptExecutor) browser).executeScript("return window.pwned === undefined ? null : String(window.pwned);");
        assertEquals(null, pwned, "a script from an email ran on " + title);
        assertTrue(browser.findElements(By.cssSelector("script, img, svg, iframe, [onerror], [onload], [onclick], a[href^='javascript']"))
                .isEmpty(), browser.getPageSource());
    }

    private static void attachmentIsASafeDownload(String href, String session) throws Exception {
        HttpResponse<String> download = HTTP.send(HttpRequest.newBuilder(URI.create(href))
                .header("Cookie", "mailroute_session=" + session).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, download.statusCode(), download.body());
        assertEquals("<script>window.pwned='download'</script>", download.body().strip());
        assertEquals("application/octet-stream", download.headers().firstValue("Content-Type").orElse(null));
        assertEquals("attachment; filename=\"" + STORED_FILENAME + "\"",
                download.headers().firstValue("Content-Disposition").orElse(null));
        assertEquals("nosniff", download.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertTrue(download.headers().firstValue("Content-Security-Policy").orElse("").endsWith("; sandbox"),
                download.headers().map().toString());
    }

    private static String hostileMessage() {
        return """
                From: "%s" <eve@globex.example>
                To: support@acme.example
                Subject: %s
                Date: Sun, 22 Nov 2026 09:00:00 +0000
                Message-ID: <hostile.%d@globex.example>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b1"

                --b1
                Content-Type: text/html; charset=UTF-8

                <p><b>Totals</b> attached.</p><script>window.pwned='body'</script><img src=x onerror="window.pwned='img'">
                <a href="javascript:window.pwned='link'">open</a> <a href="https://acme.example/" onclick="window.pwned='click'">site</a>
                --b1
                Content-Type: text/html; name="x.html"
                Content-Disposition: attachment; filename="%s"

                <script>window.pwned='download'</script>
                --b1--
                """.formatted(SENDER.replace("\"", "\\\""), SUBJECT, System.nanoTime(), FILENAME.replace("\"", "\\\""));
    }

    /** The page's notice, once the page a form's submit loads has it (a click returns before the next page is there). */
    private static WebElement notice(WebDriver browser) {
        return shown(browser, ".notice");
    }

    private static WebElement shown(WebDriver browser, String css) {
        return new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(20)).until(
                org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
    }
}

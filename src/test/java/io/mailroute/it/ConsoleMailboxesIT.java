package io.mailroute.it;

import static io.mailroute.it.ConsoleClient.CSRF;
import static io.mailroute.it.ConsoleClient.get;
import static io.mailroute.it.ConsoleClient.post;
import static io.mailroute.it.ConsoleClient.signIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.access.Role;
import io.mailroute.testing.Browsers;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The console's Mailboxes and Audit pages against the packaged service and the sandbox, in a real headless Chromium:
 * a mailbox whose grant Google refused is Not connected; an admin connects it from its page (the sandbox's consent
 * with PKCE, back to the service's callback) and it is Active; Revoke access asks first, then revokes the grant at the
 * provider; an operator pauses and resumes a mailbox; the audit trail verifies from the page and names who did what.
 * With a plain client: a POST without the session's CSRF token and a viewer's connect are refused.
 */
class ConsoleMailboxesIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path work;

    @Test
    void anAdminConnectsRevokesAndAnOperatorPausesAMailboxFromTheConsole() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), "")) {
            world.environment.put("MAILROUTE_USER_PASSWORD", PASSWORD);
            world.sandbox.admin().revokeRefreshToken(IntakeFixture.address("hr")); // hr's grant from the environment is dead
            ServiceProcess service = world.service();
            for (Role role : Role.values()) {
                ServiceProcess.CommandResult created = service.run("user", "create", "ops-" + role.configName(), "--role",
                        role.configName());
                assertEquals(0, created.exit(), created.output());
            }
            try (ServiceProcess running = service.start().awaitUp(WAIT)) {
                awaitState(running, "hr", "NOT_CONNECTED");
                // the address the console answers as by default (mailroute.console.public-url): Google comes back there
                String base = running.apiUrl("/").replace("127.0.0.1", "localhost");
                browserFlows(running, world, base);
                plainClientRefusals(base);
            }
        }
    }

    private static void browserFlows(ServiceProcess service, IntakeFixture world, String base) throws Exception {
        WebDriver browser = Browsers.headlessChromium();
        try {
            // the broken-connection notice links to the mailbox's page: signing in leads there
            browser.get(base + "console/mailboxes/hr");
            assertTrue(browser.getCurrentUrl().startsWith(base + "console/sign-in"), browser.getCurrentUrl());
            signIn(browser, "ops-admin", PASSWORD);
            assertEquals(base + "console/mailboxes/hr", Browsers.urlOnceItIs(browser, base + "console/mailboxes/hr"));
            assertEquals("Not connected", browser.findElement(By.cssSelector("#mailbox-hr .state")).getText());
            assertTrue(browser.findElement(By.cssSelector("#mailbox-hr .state")).getAttribute("class").contains("state-bad"));

            // Re-authorize: the sandbox's consent (login_hint picks the account), back to the callback, stored and used
            Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("#mailbox-hr button.connect")));
            assertEquals(base + "console/mailboxes/hr?done=connected", Browsers.urlOnceItIs(browser,
                    base + "console/mailboxes/hr?done=connected"), browser.getPageSource());
            assertTrue(browser.findElement(By.cssSelector(".done")).getText().startsWith("Connected"));
            awaitState(service, "hr", "ACTIVE");
            browser.navigate().refresh();
            assertEquals("Active", browser.findElement(By.cssSelector("#mailbox-hr .state")).getText());
            assertTrue(browser.findElement(By.cssSelector("#mailbox-hr .grant")).getText().startsWith("stored here (encrypted)"));
            assertEquals(1, world.sandbox.admin().liveGrants(IntakeFixture.address("hr")), "the new grant is live");
            assertTrue(browser.manage().getCookieNamed("mailroute_mailbox_connect") == null, "the connect's cookie is gone");

            // Revoke access: a confirm step, then revoked at the provider and forgotten here
            Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("#mailbox-hr a.revoke")));
            assertEquals("Revoke access of hr@acme.example?", browser.findElement(By.tagName("h1")).getText());
            assertEquals("ACTIVE", state(service, "hr"), "the confirm page changes nothing");
            Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("button.revoke")));
            assertEquals(base + "console/mailboxes/hr?done=revoked", Browsers.urlOnceItIs(browser,
                    base + "console/mailboxes/hr?done=revoked"));
            assertEquals("Not connected", browser.findElement(By.cssSelector("#mailbox-hr .state")).getText());
            assertEquals(">Sign in with Google", ">" + browser.findElement(By.cssSelector("#mailbox-hr button.connect")).getText(),
                    "nothing left to re-authorize");
            assertEquals("REVOKED", state(service, "hr"));
            assertEquals(0, world.sandbox.admin().liveGrants(IntakeFixture.address("hr")), "revoked at the provider");

            // an operator pauses and resumes; no connect or revoke for them
            browser.manage().deleteAllCookies();
            browser.get(base + "console/mailboxes");
            signIn(browser, "ops-operator", PASSWORD);
            assertEquals(base + "console/mailboxes", Browsers.urlOnceItIs(browser, base + "console/mailboxes"));
            assertTrue(browser.findElements(By.cssSelector("button.connect, a.revoke")).isEmpty());
            Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("#mailbox-support button.pause")));
            assertEquals("Paused", browser.findElement(By.cssSelector("#mailbox-support .state")).getText());
            assertEquals("PAUSED", state(service, "support"));
            Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("#mailbox-support button.resume")));
            assertFalse(List.of("PAUSED").contains(state(service, "support")), "resumed");
            awaitState(service, "support", "ACTIVE");

            // the audit trail: verified from the page, and it says who connected, revoked and paused
            browser.get(base + "console/audit");
            Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("button.verify")));
            assertTrue(browser.findElement(By.cssSelector(".audit-result")).getText().startsWith("Intact"),
                    browser.getPageSource());
            JsonNode records = service.api("/api/audit/records?from=2020-01-01&to=2100-01-01&limit=500").path("items");
            StringBuilder who = new StringBuilder();
            records.forEach(r -> {
                if (r.path("details").has("by")) {
                    who.append(r.path("action").asText()).append(" by ").append(r.path("details").path("by").asText()).append('\n');
                }
            });
            assertTrue(who.toString().contains("connection.connected by ops-admin"), who.toString());
            assertTrue(who.toString().contains("connection.revoked by ops-admin"), who.toString());
            assertTrue(who.toString().contains("mailbox.paused by ops-operator"), who.toString());
        } finally {
            browser.quit();
        }
    }

    private static void plainClientRefusals(String base) throws Exception {
        String admin = signIn(base, "ops-admin", PASSWORD);
        HttpResponse<String> noCsrf = post(base + "console/mailboxes/support/pause", "", admin);
        assertEquals(403, noCsrf.statusCode(), noCsrf.body());
        HttpResponse<String> noCsrfConnect = post(base + "console/mailboxes/hr/connect", "csrf=guess", admin);
        assertEquals(403, noCsrfConnect.statusCode(), noCsrfConnect.body());

        String viewer = signIn(base, "ops-viewer", PASSWORD);
        HttpResponse<String> page = get(base + "console/mailboxes", viewer);
        assertEquals(200, page.statusCode());
        assertFalse(page.body().contains("/connect\""), "no connect button for a viewer");
        Matcher csrf = CSRF.matcher(page.body());
        assertTrue(csrf.find(), page.body());
        HttpResponse<String> connect = post(base + "console/mailboxes/hr/connect", "csrf="
                + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8), viewer);
        assertEquals(403, connect.statusCode(), "a viewer cannot connect, even with their session's token");
        assertTrue(connect.body().contains("Not for your role"), connect.body());
        assertEquals(403, get(base + "console/mailboxes/hr/revoke", viewer).statusCode());
        assertEquals(403, get(base + "console/audit/export", viewer).statusCode(), "export needs an operator");
        HttpResponse<String> export = get(base + "console/audit/export", admin);
        assertEquals(200, export.statusCode());
        assertTrue(export.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment;"));
    }

    // ---- helpers (sign-in as ConsoleSignInIT does it) ------------------------------------------------------

    private static void awaitState(ServiceProcess service, String mailbox, String expected) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        String last = null;
        while (Instant.now().isBefore(deadline)) {
            last = state(service, mailbox);
            if (expected.equals(last)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("mailbox " + mailbox + " is " + last + ", not " + expected);
    }

    private static String state(ServiceProcess service, String mailbox) throws Exception {
        for (JsonNode m : service.api("/api/mailboxes").path("items")) {
            if (m.path("id").asText().equals(mailbox)) {
                return m.path("state").asText();
            }
        }
        return null;
    }

}

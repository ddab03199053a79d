package io.mailroute.it;

import static io.mailroute.it.ConsoleClient.HTTP;
import static io.mailroute.it.ConsoleClient.get;
import static io.mailroute.it.ConsoleClient.post;
import static io.mailroute.it.ConsoleClient.signIn;
import static io.mailroute.it.ConsoleClient.signInResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.access.ApiAccessPolicy;
import io.mailroute.access.Role;
import io.mailroute.testing.Browsers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;

/**
 * Console sign-in against the packaged service: users made with the {@code user} command, then in a real headless
 * Chromium sign-in (a new session id), {@code next} followed back, sign-out, a wrong role's 403, and with a plain
 * client what a browser cannot show: CSRF-less POSTs, {@code next=https://evil.example}, a foreign Host and Origin,
 * tokens and sessions kept apart, the rate limit, and every console page the route files declare × {not signed in,
 * viewer, operator, admin}.
 */
class ConsoleSignInIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path work;

    @Test
    void peopleSignInToTheConsoleAndOnlyTheirRoleOpensItsPages() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "")) {
            world.environment.put("MAILROUTE_USER_PASSWORD", PASSWORD);
            ServiceProcess service = world.service();
            for (Role role : Role.values()) {
                ServiceProcess.CommandResult created = service.run("user", "create", "ops-" + role.configName(), "--role",
                        role.configName());
                assertEquals(0, created.exit(), created.output());
            }
            ServiceProcess.CommandResult google = service.run("user", "create", "alice@acme.example", "--role", "operator", "--google");
            assertEquals(0, google.exit(), google.output());
            ServiceProcess.CommandResult tooShort = shortPassword(service);
            assertEquals(1, tooShort.exit(), tooShort.output());
            assertTrue(tooShort.output().contains("at least 12"), tooShort.output());
            assertTrue(service.run("user", "list").output().contains("alice@acme.example"));

            try (ServiceProcess running = service.start().awaitUp(WAIT)) {
                String base = running.apiUrl("/");
                assertEquals("/console/", get(base, null).headers().firstValue("Location").orElse(null), "GET / goes to the console");
                HttpResponse<String> notSignedIn = get(base + "console/items?queue=a%20b", null);
                assertEquals(303, notSignedIn.statusCode());
                assertEquals("/console/sign-in?next=%2Fconsole%2Fitems%3Fqueue%3Da%2520b",
                        notSignedIn.headers().firstValue("Location").orElse(null));

                browserFlows(running, base);
                usersAreManagedWhileTheServiceRuns(running, base);
                plainClientRefusals(running, base);
                everyConsolePageAnswersEachRoleAsDeclared(base);
                signInAttemptsAreLimited(base);
            }
        }
    }

    private static void browserFlows(ServiceProcess service, String base) throws Exception {
        WebDriver browser = Browsers.headlessChromium();
        try {
            // not signed in: to sign-in, and back to the page after
            browser.get(base + "console/");
            assertTrue(browser.getCurrentUrl().startsWith(base + "console/sign-in"), browser.getCurrentUrl());
            browser.manage().addCookie(new Cookie("mailroute_session", "A".repeat(43), "/")); // a planted id
            signIn(browser, "ops-admin", "not the password at all");
            assertTrue(browser.getPageSource().contains("Name or password wrong."), browser.getPageSource());
            signIn(browser, "ops-admin", PASSWORD);
            assertEquals(base + "console/", browser.getCurrentUrl());
            assertEquals("Overview", browser.findElement(By.tagName("h1")).getText());
            assertEquals("ops-admin", browser.findElement(By.cssSelector("header .user")).getText());
            assertEquals(6, browser.findElements(By.cssSelector("nav.console a")).size());
            String first = browser.manage().getCookieNamed("mailroute_session").getValue();
            assertNotEquals("A".repeat(43), first, "the session id changes at sign-in");
            assertTrue(browser.manage().getCookieNamed("mailroute_session").isHttpOnly());

            // sign out: the cookie's session is over on the server, not only in the browser
            Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("button.sign-out")));
            assertTrue(browser.getCurrentUrl().startsWith(base + "console/sign-in"), browser.getCurrentUrl());
            assertEquals(303, get(base + "console/", first).statusCode(), "the signed-out session opens nothing");

            // next= is followed when local, and never to another site
            browser.get(base + "console/not-yet-a-page?x=1");
            signIn(browser, "ops-admin", PASSWORD);
            assertEquals(base + "console/not-yet-a-page?x=1", browser.getCurrentUrl());
            String second = browser.manage().getCookieNamed("mailroute_session").getValue();
            assertNotEquals(first, second, "a new session id at every sign-in");
            browser.manage().deleteAllCookies();
            browser.get(base + "console/sign-in?next=" + URLEncoder.encode("https://evil.example/", StandardCharsets.UTF_8));
            signIn(browser, "ops-admin", PASSWORD);
            assertEquals(base + "console/", browser.getCurrentUrl(), "next=https://evil.example is not followed");

            // a viewer: the Overview yes, an admin's page no
            browser.manage().deleteAllCookies();
            browser.get(base + "console/sign-in");
            signIn(browser, "ops-viewer", PASSWORD);
            assertEquals("(viewer)", browser.findElement(By.cssSelector("header .role")).getText());
            browser.get(base + "console/not-yet-a-page");
            assertEquals("Not for your role", browser.findElement(By.tagName("h1")).getText());
            assertEquals(403, get(base + "console/not-yet-a-page", browser.manage().getCookieNamed("mailroute_session").getValue())
                    .statusCode());
        } finally {
            browser.quit();
        }
    }

    private static void plainClientRefusals(ServiceProcess service, String base) throws Exception {
        String viewer = signIn(base, "ops-viewer", PASSWORD);
        // a POST without the session's CSRF token changes nothing
        HttpResponse<String> noCsrf = post(base + "console/sign-out", "", viewer, null);
        assertEquals(403, noCsrf.statusCode(), noCsrf.body());
        assertEquals(200, get(base + "console/", viewer).statusCode(), "still signed in");
        // a sign-in POST without the sign-in page's token is refused too
        HttpResponse<String> noPreSession = post(base + "console/sign-in", "name=ops-admin&password="
                + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&csrf=x", null, null);
        assertEquals(403, noPreSession.statusCode(), noPreSession.body());
        // next= in the form: only local
        HttpResponse<String> evil = signInResponse(base, "ops-viewer", PASSWORD, "https://evil.example");
        assertEquals("/console/", evil.headers().firstValue("Location").orElse(null));
        HttpResponse<String> slashes = signInResponse(base, "ops-viewer", PASSWORD, "//evil.example/console/");
        assertEquals("/console/", slashes.headers().firstValue("Location").orElse(null));
        // the cookie's attributes
        String cookie = evil.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.matches("mailroute_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax"), cookie);

        // DNS rebinding: another Host is refused, and so is a POST from another site
        assertTrue(rawStatusLine(base, "GET /console/ HTTP/1.1", "Host: evil.example").contains(" 421 "));
        assertTrue(rawStatusLine(base, "GET /console/sign-in HTTP/1.1", "Host: evil.example:" + URI.create(base).getPort())
                .contains(" 421 "));
        assertEquals(403, post(base + "console/sign-out", "csrf=x", viewer, "https://evil.example").statusCode());

        // tokens and sessions stay apart
        HttpResponse<String> tokenOnPage = HTTP.send(HttpRequest.newBuilder(URI.create(base + "console/"))
                .header("Authorization", "Bearer " + service.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, tokenOnPage.statusCode(), "a bearer token never opens a console page");
        assertEquals(401, get(base + "api/items", viewer).statusCode(), "a session cookie never opens the API");
    }

    /** Every console page of routes/ × {not signed in, viewer, operator, admin}: 303, the page, or 403. */
    private static void everyConsolePageAnswersEachRoleAsDeclared(String base) throws Exception {
        Map<String, String> sessions = new LinkedHashMap<>();
        sessions.put("none", null);
        for (Role role : Role.values()) {
            sessions.put(role.configName(), signIn(base, "ops-" + role.configName(), PASSWORD));
        }
        List<ApiAccessPolicy.Rule> pages = declared().stream().filter(ApiAccessPolicy.Rule::isSession).toList();
        assertTrue(pages.size() >= 2, pages.toString());
        List<String> wrong = new ArrayList<>();
        for (ApiAccessPolicy.Rule page : pages) {
            String path = page.template().replaceAll("\\{[^}]+}", "0") + (page.template().equals("/console") ? "/" : "");
            for (Map.Entry<String, String> caller : sessions.entrySet()) {
                HttpResponse<String> answer = page.method().equals("GET") ? get(base + path.substring(1), caller.getValue())
                        : post(base + path.substring(1), "", caller.getValue(), null); // no csrf: admitted, then refused 403
                String outcome = answer.statusCode() == 303 ? "sign-in"
                        : answer.statusCode() == 403 && answer.body().contains("Not for your role") ? "role refused" : "admitted";
                String expected = caller.getValue() == null ? "sign-in"
                        : Role.parse(caller.getKey()).includes(page.role()) ? "admitted" : "role refused";
                // a page GET answers 200; one of a path parameter ("0": no such thing) or a callback without its
                // provider's answer says why not instead
                boolean getOk = !page.method().equals("GET") || page.template().contains("{")
                        || page.template().endsWith("/callback") || answer.statusCode() == 200;
                if (!outcome.equals(expected) || expected.equals("admitted") && !getOk) {
                    wrong.add(page.method() + " " + path + " as " + caller.getKey() + ": " + answer.statusCode() + " " + outcome
                            + " (expected " + expected + ")");
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    private static void signInAttemptsAreLimited(String base) throws Exception {
        int status = 0;
        HttpResponse<String> answer = null;
        for (int i = 0; i < 8 && status != 429; i++) {
            answer = signInResponse(base, "ops-operator", "wrong password " + i, null);
            status = answer.statusCode();
        }
        assertEquals(429, status, "wrong passwords are limited");
        assertTrue(answer.body().contains("Try again after"), answer.body());
        assertTrue(Integer.parseInt(answer.headers().firstValue("Retry-After").orElseThrow()) > 0);
        assertEquals(429, signInResponse(base, "ops-operator", PASSWORD, null).statusCode(), "even the right one, for now");
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /** The {@code user} command goes through the running service (the H2 file is the service's): create, list, disable. */
    private static void usersAreManagedWhileTheServiceRuns(ServiceProcess service, String base) throws Exception {
        ServiceProcess.CommandResult created = service.run("user", "create", "late-comer", "--role", "viewer");
        assertEquals(0, created.exit(), created.output());
        assertEquals(303, signInResponse(base, "late-comer", PASSWORD, null).statusCode(), "signs in at once");
        assertTrue(service.run("user", "list").output().contains("late-comer"), "listed");
        ServiceProcess.CommandResult twice = service.run("user", "create", "late-comer", "--role", "viewer");
        assertEquals(1, twice.exit(), twice.output());
        assertTrue(twice.output().contains("exists"), twice.output());
        assertTrue(!twice.output().contains(PASSWORD), "the password is never echoed: " + twice.output());
        assertEquals(0, service.run("user", "disable", "late-comer").exit());
        assertEquals(200, signInResponse(base, "late-comer", PASSWORD, null).statusCode(), "a disabled user is refused");
        assertTrue(!service.log().contains(PASSWORD), "the password is in no log line");
    }

    /** The status line of a request with a Host header Java's client will not send. */
    private static String rawStatusLine(String base, String requestLine, String host) throws Exception {
        URI uri = URI.create(base);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\n" + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return answer.lines().findFirst().orElse("");
        }
    }

    private static ServiceProcess.CommandResult shortPassword(ServiceProcess service) throws Exception {
        ProcessBuilder builder = service.command("user", "create", "too-short", "--role", "viewer");
        builder.environment().put("MAILROUTE_USER_PASSWORD", "short");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return new ServiceProcess.CommandResult(process.exitValue(), output);
    }

    /** Every REST verb of routes/, as the service reads them. */
    private static List<ApiAccessPolicy.Rule> declared() throws Exception {
        return io.mailroute.testing.ShippedRoutes.restRules();
    }
}

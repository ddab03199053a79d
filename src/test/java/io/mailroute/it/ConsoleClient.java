package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The console as the ITs reach it: a plain client that signs in through the sign-in form and sends the session cookie
 * (redirects are not followed, so a test sees each 303), and the browser's sign-in form filled in.
 */
final class ConsoleClient {

    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    /** A form's CSRF field, as every console form carries it. */
    static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private ConsoleClient() {
    }

    /** Fills in and sends the sign-in form the browser shows. */
    static void signIn(WebDriver browser, String name, String password) {
        browser.findElement(By.id("name")).clear();
        browser.findElement(By.id("name")).sendKeys(name);
        browser.findElement(By.id("password")).sendKeys(password);
        io.mailroute.testing.Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("form.sign-in button[type=submit]")));
    }

    /** Signs in with a plain client; the session cookie's value. */
    static String signIn(String base, String name, String password) throws Exception {
        HttpResponse<String> answer = signInResponse(base, name, password, null);
        assertEquals(303, answer.statusCode(), answer.body());
        String cookie = answer.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }

    /** The sign-in form's answer: the form read first for its pre-session cookie and CSRF token, then posted. */
    static HttpResponse<String> signInResponse(String base, String name, String password, String next) throws Exception {
        HttpResponse<String> form = get(base + "console/sign-in", null);
        String preSession = form.headers().firstValue("Set-Cookie").orElseThrow();
        preSession = preSession.substring(0, preSession.indexOf(';'));
        Matcher csrf = CSRF.matcher(form.body());
        assertTrue(csrf.find(), form.body());
        String body = "csrf=" + csrf.group(1) + "&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + (next == null ? "" : "&next="
                + URLEncoder.encode(next, StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "console/sign-in")).header("Cookie", preSession)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String url, String session) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (session != null) {
            request.header("Cookie", "mailroute_session=" + session);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String url, String form, String session) throws Exception {
        return post(url, form, session, null);
    }

    static HttpResponse<String> post(String url, String form, String session, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (session != null) {
            request.header("Cookie", "mailroute_session=" + session);
        }
        if (origin != null) {
            request.header("Origin", origin);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

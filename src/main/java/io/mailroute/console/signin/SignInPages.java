package io.mailroute.console.signin;

import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.console.ConsoleSessions;
import io.mailroute.console.ConsoleUser;
import io.mailroute.console.ConsoleUsers;
import io.mailroute.console.NextPath;
import io.mailroute.pages.FormFields;
import io.mailroute.pages.Page;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in and out of the console with a local user's name and password (bean {@code signInPages},
 * routes/console.camel.yaml):
 * <ul>
 * <li>{@code GET /console/sign-in?next=} shows the form, with a pre-session CSRF token: a random value in a cookie
 * ({@value #PRE_SESSION_COOKIE}, HttpOnly, SameSite=Strict, only for /console/sign-in) and the same in the form
 * (double submit), so another site cannot sign a browser in as somebody else.</li>
 * <li>{@code POST /console/sign-in} checks that token, the attempts allowed ({@link SignInThrottle}: 429 with when to
 * try again), then the password (constant time, the same answer for a wrong name and a wrong password), and on
 * success starts a new session and sends the browser to {@code next} when that is a local path
 * ({@link NextPath}).</li>
 * <li>{@code POST /console/sign-out} (a session's form, with its CSRF token) ends the session.</li>
 * </ul>
 */
public final class SignInPages {

    public static final String PRE_SESSION_COOKIE = "mailroute_signin";
    static final String PAGE_PATH = "/console/sign-in";
    static final String WRONG = "Name or password wrong.";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final Logger LOG = LoggerFactory.getLogger(SignInPages.class);

    private final ConsoleUsers users;
    private final ConsoleSessions sessions;
    private final SignInThrottle throttle;
    private final Pages pages;
    private final ConsolePages console;
    private final boolean secure;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile boolean google;

    /** @param secure whether the console is served over https: then cookies are Secure */
    public SignInPages(ConsoleUsers users, ConsoleSessions sessions, SignInThrottle throttle, Pages pages, ConsolePages console,
            boolean secure, Clock clock) {
        this.users = users;
        this.sessions = sessions;
        this.throttle = throttle;
        this.pages = pages;
        this.console = console;
        this.secure = secure;
        this.clock = clock;
    }

    /** Whether the form offers "Sign in with Google" (set once at start, when it is configured). */
    public void offeringGoogle(boolean offered) {
        this.google = offered;
    }

    /** {@code GET /console/sign-in}. */
    public void show(@Header("next") String next, @Header("Cookie") String cookies, Exchange exchange) {
        String preSession = ConsoleSessions.cookieValue(cookies, PRE_SESSION_COOKIE);
        if (preSession == null || !TOKEN.matcher(preSession).matches()) {
            preSession = newToken();
        }
        PageResponses.write(exchange, form(200, preSession, NextPath.orDefault(next), "", null));
        exchange.getMessage().setHeader("Set-Cookie", preSessionCookie(preSession));
    }

    /** {@code POST /console/sign-in} with name, password, csrf and next. */
    public void signIn(@Body Object body, @Header("Cookie") String cookies, Exchange exchange) {
        FormFields form = FormFields.of(body);
        String preSession = ConsoleSessions.cookieValue(cookies, PRE_SESSION_COOKIE);
        String next = NextPath.orDefault(form.value("next"));
        String name = form.get("name").orElse("");
        String address = io.mailroute.pages.RemoteAddress.of(exchange);
        if (preSession == null || !TOKEN.matcher(preSession).matches() || !same(preSession, form.value(ConsoleRequest.CSRF_FIELD))) {
            LOG.info("Console: a sign-in from {} without the sign-in page's token refused", address);
            PageResponses.write(exchange, pages.problem(403, "This form cannot be used", "It was not sent from this "
                    + "service's sign-in page, or your browser keeps no cookies for it. Open the sign-in page again.", PAGE_PATH));
            return;
        }
        Optional<Instant> blocked = throttle.blockedUntil(name, address);
        if (blocked.isPresent()) {
            tooMany(exchange, blocked.get());
            return;
        }
        char[] password = form.get("password").map(String::toCharArray).orElse(new char[0]);
        Optional<ConsoleUser> user;
        try {
            user = users.authenticate(name, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        if (user.isEmpty()) {
            throttle.failed(name, address);
            LOG.info("Console: a failed sign-in from {}", address);
            PageResponses.write(exchange, form(200, preSession, next, name, WRONG));
            return;
        }
        sessions.signOut(ConsoleSessions.cookieValue(cookies, ConsoleSessions.COOKIE)); // whatever the browser had ends
        ConsoleSessions.Session session = sessions.signIn(user.get().name(), user.get().role(), ConsoleUsers.PASSWORD);
        LOG.info("Console: {} ({}) signed in from {}", session.user(), session.role().configName(), address);
        PageResponses.redirect(exchange, next);
        exchange.getMessage().setHeader("Set-Cookie", ConsoleSessions.cookie(session.id(), secure));
    }

    /** {@code POST /console/sign-out} with the session's csrf: ends the session, back to sign-in. */
    public void signOut(@Body Object body, @Header("Cookie") String cookies, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        if (!request.csrfMatches(ConsolePages.csrfOf(body))) {
            PageResponses.write(exchange, console.csrfRefused("/console/sign-out"));
            return;
        }
        sessions.signOut(ConsoleSessions.cookieValue(cookies, ConsoleSessions.COOKIE));
        LOG.info("Console: {} signed out", request.user());
        PageResponses.redirect(exchange, PAGE_PATH);
        exchange.getMessage().setHeader("Set-Cookie", ConsoleSessions.clearedCookie(secure));
    }

    private Page form(int status, String csrf, String next, String name, String error) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("csrf", csrf);
        model.put("next", next);
        model.put("name", name);
        model.put("google", google);
        model.put("nextQuery", java.net.URLEncoder.encode(next, StandardCharsets.UTF_8));
        if (error != null) {
            model.put("error", error);
        }
        return pages.render("sign-in", status, PAGE_PATH, model);
    }

    private void tooMany(Exchange exchange, Instant until) {
        long seconds = Math.max(1, Duration.between(clock.instant(), until).toSeconds() + 1);
        PageResponses.write(exchange, pages.problem(429, "Too many attempts", "Sign-in is paused for this name or from "
                + "this address after too many wrong passwords. Try again after " + TIME.format(until) + " (in "
                + (seconds >= 60 ? (seconds + 59) / 60 + " minutes" : seconds + " seconds") + ").", PAGE_PATH));
        exchange.getMessage().setHeader("Retry-After", String.valueOf(seconds));
    }

    private String preSessionCookie(String value) {
        return PRE_SESSION_COOKIE + "=" + value + "; Path=" + PAGE_PATH + "; Max-Age=3600; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static boolean same(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}

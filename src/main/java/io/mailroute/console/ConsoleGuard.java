package io.mailroute.console;

import io.mailroute.access.ApiGuard;
import io.mailroute.access.ConsoleGate;
import io.mailroute.access.Role;
import io.mailroute.pages.Page;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import io.vertx.core.MultiMap;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's side of {@link ApiGuard}: refuses a Host or Origin that is not the console's public address (421, 403),
 * sends a browser without a session to sign-in with the page it wanted as {@code next} (303), answers a session whose
 * role is too small with a 403 page, and passes the rest on with the user, role and CSRF token in headers.
 */
public final class ConsoleGuard implements ConsoleGate {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleGuard.class);

    private final ConsoleSessions sessions;
    private final PublicAddress address;
    private final Pages pages;

    public ConsoleGuard(ConsoleSessions sessions, PublicAddress address, Pages pages) {
        this.sessions = sessions;
        this.address = address;
        this.pages = pages;
    }

    @Override
    public boolean addressAllowed(RoutingContext request) {
        // HTTP/1.1's Host header, or HTTP/2's :authority (Java's client upgrades to h2c): what the client addressed
        io.vertx.core.net.HostAndPort authority = request.request().authority();
        String host = authority == null ? null : authority.port() < 0 ? authority.host() : authority.host() + ":" + authority.port();
        if (!address.hostAllowed(host)) {
            LOG.info("Console: refused a request for {} with Host '{}' (not {})", request.normalizedPath(), host, address.url());
            plain(request, 421, "This service answers as " + address.url() + " only (mailroute.console.public-url).");
            return false;
        }
        String origin = request.request().headers().get("Origin");
        if (!address.originAllowed(origin)) {
            LOG.info("Console: refused a {} {} from Origin '{}'", request.request().method(), request.normalizedPath(), origin);
            plain(request, 403, "Requests from another site are refused.");
            return false;
        }
        return true;
    }

    @Override
    public void admit(RoutingContext request, Role required) {
        Cookie cookie = request.request().getCookie(ConsoleSessions.COOKIE);
        String id = cookie == null ? null : cookie.getValue();
        if (id == null || id.isEmpty()) {
            toSignIn(request, false);
            return;
        }
        if (!request.request().isEnded()) {
            request.request().pause(); // the body waits while the session is looked up (as ApiGuard does for tokens)
        }
        request.vertx().executeBlocking(() -> sessions.find(id), false).onComplete(looked -> {
            if (looked.failed()) {
                LOG.warn("Console: cannot look a session up ({}): answering 503", looked.cause().getMessage());
                plain(request, 503, "The service cannot check sessions now (its database does not answer); try again.");
            } else if (looked.result().isEmpty()) {
                toSignIn(request, true);
            } else {
                ConsoleSessions.Session session = looked.result().get();
                if (!session.role().includes(required)) {
                    LOG.info("Console: {} ({}) refused {} {}: needs {}", session.user(), session.role().configName(),
                            request.request().method(), request.normalizedPath(), required.configName());
                    Page page = pages.problem(403, "Not for your role", "This page needs the role " + required.configName()
                            + "; you are signed in as " + session.user() + " with the role " + session.role().configName()
                            + ". Ask an admin if you need it.", request.normalizedPath());
                    html(request, page);
                    return;
                }
                MultiMap headers = request.request().headers();
                headers.set(ApiGuard.PRINCIPAL_HEADER, session.user());
                headers.set(ApiGuard.ROLE_HEADER, session.role().configName());
                headers.set(ApiGuard.CSRF_HEADER, session.csrfToken());
                request.next();
            }
        });
    }

    /** 303 to the sign-in page, with the page asked for (a GET's; the console for anything else) as {@code next}. */
    private void toSignIn(RoutingContext request, boolean forgetCookie) {
        String wanted = request.request().method().name().equals("GET") ? request.request().uri() : NextPath.DEFAULT;
        String location = "/console/sign-in" + (NextPath.isLocal(wanted) && !wanted.equals(NextPath.DEFAULT)
                ? "?next=" + URLEncoder.encode(wanted, StandardCharsets.UTF_8) : "");
        if (forgetCookie) {
            request.response().putHeader("Set-Cookie", ConsoleSessions.clearedCookie(address.isSecure()));
        }
        securityHeaders(request);
        request.response().setStatusCode(303).putHeader("Location", location).end();
    }

    private static void html(RoutingContext request, Page page) {
        securityHeaders(request);
        request.response().setStatusCode(page.status()).putHeader("Content-Type", "text/html; charset=utf-8").end(page.html());
    }

    private static void plain(RoutingContext request, int status, String text) {
        securityHeaders(request);
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(text + "\n");
    }

    private static void securityHeaders(RoutingContext request) {
        PageResponses.SECURITY_HEADERS.forEach(request.response()::putHeader);
        request.response().putHeader("Cache-Control", "no-store");
    }
}

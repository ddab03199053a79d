package io.mailroute.console.google;

import io.mailroute.console.ConsoleSessions;
import io.mailroute.console.ConsoleUser;
import io.mailroute.console.ConsoleUsers;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Sign in with Google" for the console (bean {@code googleSignInPages}, routes/console.camel.yaml):
 * <ul>
 * <li>{@code GET /console/sign-in/google?next=} sends the browser to Google (or the sandbox) with a new sign-in
 * ({@link GoogleSignIn#start}) and the cookie that remembers it; nothing is stored on the server.</li>
 * <li>{@code GET /console/sign-in/google/callback?code=&state=} verifies what Google answered
 * ({@link GoogleSignIn#finish}); an allowed, verified account that is a console user (made with
 * {@code user create EMAIL --role R --google}) gets a new session with that user's role, and goes to {@code next}.</li>
 * </ul>
 * The person sees one plain sentence when it fails; the log says why, for the administrator.
 */
public final class GoogleSignInPages {

    static final String SIGN_IN_PAGE = "/console/sign-in";
    private static final Logger LOG = LoggerFactory.getLogger(GoogleSignInPages.class);

    private final GoogleSignIn google;
    private final ConsoleUsers users;
    private final ConsoleSessions sessions;
    private final Pages pages;
    private final boolean secure;

    /** @param google the sign-in, or null when Google sign-in is off (then both pages say so) */
    public GoogleSignInPages(GoogleSignIn google, ConsoleUsers users, ConsoleSessions sessions, Pages pages, boolean secure) {
        this.google = google;
        this.users = users;
        this.sessions = sessions;
        this.pages = pages;
        this.secure = secure;
    }

    /** Whether the sign-in page offers the button. */
    public boolean enabled() {
        return google != null;
    }

    /** {@code GET /console/sign-in/google}. */
    public void start(@Header("next") String next, Exchange exchange) {
        if (google == null) {
            off(exchange);
            return;
        }
        try {
            GoogleSignIn.Start start = google.start(next);
            PageResponses.redirect(exchange, start.authorizationUrl());
            exchange.getMessage().setHeader("Set-Cookie", google.cookie(start));
        } catch (GoogleSignInException e) {
            LOG.warn("Console: Sign in with Google cannot start: {}", e.getMessage());
            PageResponses.write(exchange, pages.problem(e.problem().status(), "Sign in with Google", e.problem().sentence(),
                    SIGN_IN_PAGE));
        }
    }

    /** {@code GET /console/sign-in/google/callback}. */
    public void callback(@Header("code") String code, @Header("state") String state, @Header("error") String error,
            @Header("Cookie") String cookies, Exchange exchange) {
        if (google == null) {
            off(exchange);
            return;
        }
        GoogleSignIn.SignedIn signedIn;
        try {
            signedIn = google.finish(code, state, error, ConsoleSessions.cookieValue(cookies, GoogleSignIn.COOKIE));
        } catch (GoogleSignInException e) {
            LOG.info("Console: a Google sign-in refused ({}): {}", e.problem(), e.getMessage());
            PageResponses.write(exchange, pages.problem(e.problem().status(), "Sign in with Google", e.problem().sentence(),
                    SIGN_IN_PAGE));
            exchange.getMessage().setHeader("Set-Cookie", google.clearCookie());
            return;
        }
        String email = signedIn.identity().email();
        // only a user made for Google: a password user of the same name is somebody who signs in otherwise
        Optional<ConsoleUser> user = users.find(email).filter(ConsoleUser::signsInWithGoogle);
        if (user.isEmpty()) {
            LOG.info("Console: {} signed in with Google but is no console user (or is disabled): refused; an admin makes "
                    + "them one with 'user create {} --role viewer --google'", email, email);
            PageResponses.write(exchange, pages.problem(403, "Not a Mailroute user", "Your Google account " + email
                    + " is verified, but it has no access to this console. Ask an administrator to add it.", SIGN_IN_PAGE));
            exchange.getMessage().setHeader("Set-Cookie", google.clearCookie());
            return;
        }
        sessions.signOut(ConsoleSessions.cookieValue(cookies, ConsoleSessions.COOKIE)); // whatever the browser had ends
        ConsoleSessions.Session session = sessions.signIn(user.get().name(), user.get().role(), ConsoleUsers.GOOGLE);
        LOG.info("Console: {} ({}) signed in with Google", session.user(), session.role().configName());
        PageResponses.redirect(exchange, signedIn.next());
        exchange.getMessage().setHeader("Set-Cookie", List.of(ConsoleSessions.cookie(session.id(), secure), google.clearCookie()));
    }

    private void off(Exchange exchange) {
        PageResponses.write(exchange, pages.problem(404, "Sign in with Google is off", "This console signs in with a name "
                + "and password only.", SIGN_IN_PAGE));
    }
}

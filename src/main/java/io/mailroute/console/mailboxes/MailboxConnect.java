package io.mailroute.console.mailboxes;

import io.mailroute.connection.ConnectFlow;
import io.mailroute.connection.Connections;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.SignedLink;
import io.mailroute.links.SignedLinks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Function;

/**
 * Connecting a mailbox from the browser: the OAuth authorization-code flow with PKCE that the {@code connect} command
 * runs ({@link ConnectFlow}), with the console's callback as the redirect URI.
 *
 * <pre>{@code
 * // POST /console/mailboxes/{id}/connect (admin, csrf)
 * MailboxConnect.Start start = connect.start(id, request);
 * // 303 to start.authorizationUrl(), Set-Cookie: connect.cookie(start)
 *
 * // GET /console/mailboxes/connect/callback?code=...&state=...   (the same session)
 * String mailboxId = connect.finish(code, state, error, cookieValue, request);
 * }</pre>
 *
 * What must survive the trip to Google (mailbox, state, PKCE verifier) is kept in a short-lived cookie signed by
 * {@link SignedLinks}, single-use, as {@code console.google.GoogleSignIn} does for signing in. The cookie is bound to
 * the console session that started it (a digest of its CSRF token), so a code and state from another browser or
 * another session connect nothing. The grant is checked and stored by {@link Connections#connect}: a monitored
 * mailbox's grant must be its own account's (else it is revoked), and it is used at once.
 */
public final class MailboxConnect {

    /** The cookie that carries a connect from {@link #start} to {@link #finish}. */
    public static final String COOKIE = "mailroute_mailbox_connect";
    /** Where the browser comes back; the cookie is sent there only. */
    public static final String CALLBACK_PATH = "/console/mailboxes/connect/callback";
    static final String COOKIE_PATH = "/console/mailboxes/connect";
    static final String PURPOSE = "console.mailbox-connect";
    /** How long a person has at Google before the connect must start again (Google's codes live as long). */
    static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /** Where to send the browser, and the value of the {@link #COOKIE} to set on the way. */
    public record Start(String authorizationUrl, String cookieValue) {
        @Override
        public String toString() {
            return "Start[" + authorizationUrl.substring(0, Math.max(0, authorizationUrl.indexOf('?'))) + "]";
        }
    }

    /**
     * The connect did not happen: {@code status} and {@code sentence} for the person (no secret, no provider text),
     * the message for the log.
     *
     * @param mailboxId the mailbox it was for, when known (null for a callback that cannot be trusted)
     */
    public static final class Refused extends Exception {
        private final int status;
        private final String sentence;
        private final String mailboxId;

        Refused(int status, String sentence, String mailboxId, String logMessage) {
            super(logMessage);
            this.status = status;
            this.sentence = sentence;
            this.mailboxId = mailboxId;
        }

        public int status() {
            return status;
        }

        public String sentence() {
            return sentence;
        }

        public String mailboxId() {
            return mailboxId;
        }
    }

    private final Function<String, ConnectFlow> flows;
    private final Connections connections;
    private final SignedLinks links;
    private final String redirectUri;
    private final boolean secure;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final java.util.Set<String> providerOrigins;

    /**
     * @param flows          the flow of a mailbox (its OAuth client, endpoints, scope, address as login hint)
     * @param authorizations the mailboxes' authorization endpoints (Google's, the sandbox's)
     * @param publicUrl      {@code mailroute.console.public-url}, where browsers reach the console
     */
    public MailboxConnect(Function<String, ConnectFlow> flows, java.util.Collection<String> authorizations,
            Connections connections, SignedLinks links, String publicUrl, Clock clock) {
        this.flows = Objects.requireNonNull(flows, "flows");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.links = Objects.requireNonNull(links, "links");
        String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.redirectUri = base + CALLBACK_PATH;
        this.secure = base.startsWith("https:");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.providerOrigins = authorizations.stream().map(MailboxConnect::origin)
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    /**
     * Where a connect form's POST leads (its 303 to the consent): the page with the form allows these in its
     * {@code form-action}, which browsers check on redirects too.
     */
    public java.util.Set<String> providerOrigins() {
        return providerOrigins;
    }

    /** {@code https://accounts.google.com} of {@code https://accounts.google.com/o/oauth2/v2/auth}. */
    static String origin(String url) {
        java.net.URI uri = java.net.URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    /** The redirect URI to register with the OAuth client at Google. */
    public String redirectUri() {
        return redirectUri;
    }

    /**
     * A new connect of a configured mailbox for this session: the provider's consent URL and the cookie that remembers
     * it.
     *
     * @throws Connections.ConnectionException for a mailbox nobody configured
     */
    public Start start(String mailboxId, ConsoleRequest session) {
        ConnectFlow flow = flows.apply(mailboxId);
        String state = randomToken();
        String verifier = ConnectFlow.newVerifier();
        String cookie = links.issue(PURPOSE, mailboxId + "." + state + "." + verifier, binding(session),
                clock.instant().plus(LIFETIME), true);
        return new Start(flow.authorizationUrl(redirectUri, state, verifier), cookie);
    }

    /**
     * The callback: checks the cookie (signed, unexpired, unused, this session's) and the state, trades the code for
     * the grant, and connects the mailbox with it ({@link Connections#connect}, recording {@code session.user()}).
     *
     * @param code        the callback's {@code code}, untrusted
     * @param state       its {@code state}, untrusted
     * @param error       its {@code error} (the person declined, or the provider refused), or null
     * @param cookieValue the {@link #COOKIE} the browser sent, or null
     * @return the mailbox connected
     */
    public String finish(String code, String state, String error, String cookieValue, ConsoleRequest session) throws Refused {
        LinkCheck check = links.verify(cookieValue, PURPOSE);
        if (!(check instanceof LinkCheck.Valid valid)) {
            throw new Refused(400, "This connect did not start in this browser, was used already, or took longer than "
                    + LIFETIME.toMinutes() + " minutes. Start it again from the Mailboxes page.", null,
                    "mailbox connect callback without a valid " + COOKIE + " cookie (" + ((LinkCheck.Refused) check).reason() + ")");
        }
        SignedLink link = valid.link();
        String[] kept = link.subjectId().split("\\.", -1);
        if (kept.length != 3 || !same(kept[1], state) || !same(link.recipient(), binding(session))) {
            throw new Refused(400, "This answer from Google belongs to another connect, or to another session. Start it "
                    + "again from the Mailboxes page.", null, "mailbox connect callback whose state or session is not the "
                    + "one that started it");
        }
        String mailboxId = kept[0];
        if (!links.consume(link)) {
            throw new Refused(400, "This connect was finished already. Start it again from the Mailboxes page.", mailboxId,
                    "mailbox connect callback of a connect that was finished already");
        }
        if (error != null) {
            throw new Refused(400, "Access was not granted at Google, so nothing changed.", mailboxId, "mailbox connect for "
                    + mailboxId + " came back with error=" + error.replaceAll("[^A-Za-z0-9_.-]", "?"));
        }
        if (code == null || code.isBlank()) {
            throw new Refused(400, "Google's answer carried no code. Start again from the Mailboxes page.", mailboxId,
                    "mailbox connect callback for " + mailboxId + " without a code");
        }
        ConnectFlow.Grant grant;
        try {
            grant = flows.apply(mailboxId).redeem(code, redirectUri, kept[2]);
        } catch (ConnectFlow.ConnectException e) {
            throw new Refused(502, "Google did not give Mailroute the grant: " + e.getMessage(), mailboxId,
                    "mailbox connect for " + mailboxId + ": " + e.getMessage());
        } catch (IOException e) {
            throw new Refused(502, "Google's token endpoint could not be reached; nothing changed. Try again.", mailboxId,
                    "mailbox connect for " + mailboxId + ": cannot reach the token endpoint: " + e);
        }
        try {
            connections.connect(mailboxId, grant.refreshToken(), grant.scopes(), session.user());
        } catch (Connections.ConnectionException e) {
            throw new Refused(422, "Not connected: " + e.getMessage(), mailboxId, "mailbox connect for " + mailboxId
                    + " refused: " + e.getMessage());
        }
        return mailboxId;
    }

    /** The {@code Set-Cookie} value that carries {@link Start#cookieValue()} to the callback. */
    public String cookie(Start start) {
        return COOKIE + "=" + start.cookieValue() + "; Path=" + COOKIE_PATH + "; Max-Age=" + LIFETIME.toSeconds()
                + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

    /** The {@code Set-Cookie} value that removes the connect's cookie once it is finished, either way. */
    public String clearCookie() {
        return COOKIE + "=; Path=" + COOKIE_PATH + "; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

    /** The session a connect belongs to, without its CSRF token itself: a digest of it. */
    private static String binding(ConsoleRequest session) {
        try {
            return BASE64URL.encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(("mailbox-connect:" + session.csrfToken()).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }

    private static boolean same(String expected, String given) {
        return expected != null && given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8));
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes);
    }
}

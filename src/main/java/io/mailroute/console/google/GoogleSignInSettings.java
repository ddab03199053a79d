package io.mailroute.console.google;

import java.util.Objects;
import java.util.Set;

/**
 * What "Sign in with Google" needs, from {@code mailroute.console.google.*}, {@code mailroute.console.public-url} and
 * the environment.
 *
 * @param issuer       the OpenID provider: {@code https://accounts.google.com}, or the sandbox's root without its slash
 * @param clientId     the OAuth client's id (a "Web application" client at Google)
 * @param clientSecret its secret, from the environment or the sandbox; never logged
 * @param redirectUri  {@code <public-url>/console/sign-in/google/callback}, registered with the client at Google
 * @param domains      the Workspace domains whose accounts may sign in, lower case, at least one
 */
public record GoogleSignInSettings(String issuer, String clientId, String clientSecret, String redirectUri,
        Set<String> domains) {

    public static final String DOMAINS = "mailroute.console.google.domains";
    public static final String ISSUER = "mailroute.console.google.issuer";
    public static final String GOOGLE_ISSUER = "https://accounts.google.com";
    public static final String CLIENT_ID_ENV = "MAILROUTE_GOOGLE_CLIENT_ID";
    public static final String CLIENT_SECRET_ENV = "MAILROUTE_GOOGLE_CLIENT_SECRET";
    /** Where Google sends the browser back, below {@code mailroute.console.public-url}. */
    public static final String CALLBACK_PATH = "/console/sign-in/google/callback";

    public GoogleSignInSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(redirectUri, "redirectUri");
        domains = Set.copyOf(domains);
        if (domains.isEmpty()) {
            throw new IllegalArgumentException(DOMAINS + " is empty: Google sign-in is off");
        }
    }

    /** Whether the session and sign-in cookies must be {@code Secure}: the browser comes back over https. */
    public boolean secureCookies() {
        return redirectUri.startsWith("https:");
    }

    @Override
    public String toString() {
        return "GoogleSignInSettings[issuer " + issuer + ", client " + clientId + ", secret ***, redirect "
                + redirectUri + ", domains " + domains + "]";
    }
}

package io.mailroute.links;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The public address links point to ({@value #KEY}): what a recipient's browser reaches the service's port at,
 * which behind a reverse proxy is the proxy's address (and path prefix), not the service's own. An absolute
 * http or https URL with a host, no user, query or fragment; it always ends with "/", and link paths are
 * resolved under it, so a prefix such as {@code https://mail.acme.example/mailroute/} is kept.
 */
public final class LinkBaseUrl {

    public static final String KEY = "mailroute.links.base-url";
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_~-][A-Za-z0-9._~-]*(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,1024}");

    private final URI base;

    private LinkBaseUrl(URI base) {
        this.base = base;
    }

    /**
     * @param file the file that sets it, for the error
     * @throws ConfigException naming {@value #KEY}, what is wrong and what to write instead
     */
    public static LinkBaseUrl parse(String value, String file) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw bad(file, "'" + value + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw bad(file, "'" + value + "' is not an absolute http:// or https:// URL");
        }
        if (uri.getHost() == null) {
            throw bad(file, "'" + value + "' has no host name");
        }
        if (uri.getRawUserInfo() != null) {
            throw bad(file, "carries a user name or password; links must not");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw bad(file, "'" + value + "' has a query (?...) or fragment (#...); the link adds its own query");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        try {
            return new LinkBaseUrl(new URI(scheme + "://" + uri.getRawAuthority() + (path.endsWith("/") ? path : path + "/")));
        } catch (URISyntaxException e) {
            throw bad(file, "'" + value + "' is not a URL: " + e.getReason());
        }
    }

    /** The service's own port on loopback: the default, right only for a browser on the same machine. */
    public static LinkBaseUrl loopback(int port) {
        return new LinkBaseUrl(URI.create("http://127.0.0.1:" + port + "/"));
    }

    /** True for plain http to a host other than loopback: links (credentials) would cross the network in clear text. */
    public boolean isCleartextBeyondLoopback() {
        String host = base.getHost().toLowerCase(Locale.ROOT);
        return base.getScheme().equals("http") && !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    }

    /**
     * The link: this base, the path under it, and the token as query parameter {@value SignedLinks#TOKEN_PARAMETER}.
     *
     * @param path relative to the base (a leading "/" is ignored): segments of letters, digits and {@code . _ ~ -}
     * @throws IllegalArgumentException for another path, or a token that is not base64url
     */
    String url(String path, String token) {
        String relative = path != null && path.startsWith("/") ? path.substring(1) : path;
        if (relative == null || !PATH.matcher(relative).matches()) {
            throw new IllegalArgumentException("not a link path (segments of letters, digits, . _ ~ -; no . or ..): " + path);
        }
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new IllegalArgumentException("not a link token (base64url): use what SignedLinks.issue returned");
        }
        return base + relative + "?" + SignedLinks.TOKEN_PARAMETER + "=" + token;
    }

    @Override
    public String toString() {
        return base.toString();
    }

    private static ConfigException bad(String file, String problem) {
        return new ConfigException(new ConfigProblem(file, KEY, problem,
                "write the address recipients' browsers reach this service at, e.g. https://mailroute.acme.example/ "
                        + "(behind a reverse proxy: the proxy's public address and path prefix)"));
    }
}

package io.mailroute.console;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The address browsers reach the console at ({@code mailroute.console.public-url}), and the check of every console
 * request against it: a {@code Host} that is not that address is refused (421), as is an {@code Origin} that is not
 * it (403). A service bound to loopback is otherwise open to DNS rebinding: a page of evil.example whose name is made
 * to resolve to 127.0.0.1 reaches the port, but still sends {@code Host: evil.example}. The service port on loopback
 * ({@code 127.0.0.1} and {@code localhost} with {@code camel.server.port}) is accepted as well, for a browser on the
 * machine itself and a reverse proxy that forwards there.
 */
public final class PublicAddress {

    private final URI url;
    private final boolean secure;
    /** Allowed {@code host:port} pairs, lower case, ports always written. */
    private final Set<String> hosts = new LinkedHashSet<>();
    /** Allowed origins: {@code scheme://host:port}, lower case, ports always written. */
    private final Set<String> origins = new LinkedHashSet<>();

    /**
     * @param publicUrl  an absolute http(s) URL
     * @param serverPort the service port, accepted on loopback too
     * @throws IllegalArgumentException naming what is wrong with the URL
     */
    public PublicAddress(String publicUrl, int serverPort) {
        URI parsed;
        try {
            parsed = URI.create(publicUrl.trim());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("'" + publicUrl + "' is not a URL");
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || parsed.getHost() == null || parsed.getRawQuery() != null
                || parsed.getRawFragment() != null || parsed.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + publicUrl + "' is not an absolute http:// or https:// URL without user, "
                    + "query or fragment");
        }
        this.url = parsed;
        this.secure = scheme.equals("https");
        allow(scheme, parsed.getHost(), port(scheme, parsed.getPort()));
        allow("http", "127.0.0.1", serverPort);
        allow("http", "localhost", serverPort);
    }

    private void allow(String scheme, String host, int port) {
        String authority = host.toLowerCase(Locale.ROOT) + ":" + port;
        hosts.add(authority);
        origins.add(scheme + "://" + authority);
    }

    /** Whether the console is served over https: then its cookies are Secure. */
    public boolean isSecure() {
        return secure;
    }

    public String url() {
        return url.toString();
    }

    /** Whether a request's {@code Host} header names this address (a missing one does not). */
    public boolean hostAllowed(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        boolean hasPort = colon > h.lastIndexOf(']');
        if (hasPort) {
            return hosts.contains(h);
        }
        // no port: the scheme's default, which only the public URL's own scheme can mean
        return hosts.contains(h + ":" + port(secure ? "https" : "http", -1));
    }

    /**
     * Whether a request's {@code Origin} header is this address. No Origin (a GET typed in, an old browser) passes, and
     * so does {@code Origin: null}, which browsers send for the pages' own forms because the pages are served with
     * {@code Referrer-Policy: no-referrer}: the Host check, the forms' CSRF tokens and SameSite cookies cover those.
     * Any other origin is refused.
     */
    public boolean originAllowed(String origin) {
        if (origin == null || origin.trim().equals("null")) {
            return true;
        }
        try {
            URI o = URI.create(origin.trim());
            if (o.getScheme() == null || o.getHost() == null || o.getRawPath() != null && !o.getRawPath().isEmpty()) {
                return false;
            }
            String scheme = o.getScheme().toLowerCase(Locale.ROOT);
            return origins.contains(scheme + "://" + o.getHost().toLowerCase(Locale.ROOT) + ":" + port(scheme, o.getPort()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(String scheme, int port) {
        return port >= 0 ? port : scheme.equals("https") ? 443 : 80;
    }
}

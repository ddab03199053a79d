package io.mailroute.console;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a browser may be sent after signing in ({@code next=}): a path on this service only, so a link
 * {@code /console/sign-in?next=https://evil.example} cannot turn the sign-in page into an open redirect. A local path
 * starts with exactly one {@code /} (not {@code //host}, not {@code /\host}, which browsers read as another host),
 * has no scheme, no backslash and no control characters; anything else is the console's start page.
 */
public final class NextPath {

    /** Where the browser goes when {@code next} is missing or refused. */
    public static final String DEFAULT = "/console/";
    private static final int MAX_LENGTH = 2048;

    private NextPath() {
    }

    /** Whether {@code next} is a local path this service may redirect to. */
    public static boolean isLocal(String next) {
        if (next == null || next.isEmpty() || next.length() > MAX_LENGTH || next.charAt(0) != '/') {
            return false;
        }
        if (next.length() > 1 && (next.charAt(1) == '/' || next.charAt(1) == '\\')) {
            return false;
        }
        for (int i = 0; i < next.length(); i++) {
            char c = next.charAt(i);
            if (c == '\\' || Character.isISOControl(c) || Character.isWhitespace(c)) {
                return false;
            }
        }
        try {
            URI uri = new URI(next);
            return uri.getScheme() == null && uri.getRawAuthority() == null && uri.getRawPath() != null
                    && uri.getRawPath().startsWith("/");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** {@code next} when it is local, else {@link #DEFAULT}. */
    public static String orDefault(String next) {
        return isLocal(next) ? next : DEFAULT;
    }
}

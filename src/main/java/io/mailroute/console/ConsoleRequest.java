package io.mailroute.console;

import io.mailroute.access.ApiGuard;
import io.mailroute.access.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.camel.Exchange;

/**
 * Who a console request is from, as {@link ApiGuard} admitted it: the signed-in user's name (a local name or a Google
 * email), role and the session's CSRF token, from the headers the guard sets (a client's own values of them are
 * removed before). Page beans take it with {@link #of}, and check a form POST's {@code csrf} field with
 * {@link #requireCsrf}.
 */
public record ConsoleRequest(String user, Role role, String csrfToken) {

    /** The form field every console form POST carries. */
    public static final String CSRF_FIELD = "csrf";

    /** A form POST without its session's CSRF token: answer 403 and change nothing. */
    public static final class CsrfRefused extends RuntimeException {
        public CsrfRefused() {
            super("the form did not carry this session's CSRF token");
        }
    }

    /**
     * The request's user, role and CSRF token.
     *
     * @throws IllegalStateException when the request did not come through a console session (a route declared
     *                               without {@code security: [{key: session ...}]})
     */
    public static ConsoleRequest of(Exchange exchange) {
        String user = exchange.getMessage().getHeader(ApiGuard.PRINCIPAL_HEADER, String.class);
        String role = exchange.getMessage().getHeader(ApiGuard.ROLE_HEADER, String.class);
        String csrf = exchange.getMessage().getHeader(ApiGuard.CSRF_HEADER, String.class);
        if (user == null || role == null || csrf == null || user.isEmpty() || role.isEmpty() || csrf.isEmpty()) {
            throw new IllegalStateException("not a console session's request: declare the route with "
                    + "security: [{key: session, scopes: <role>}]");
        }
        return new ConsoleRequest(user, Role.parse(role), csrf);
    }

    /** Whether the form's {@code csrf} value is this session's token, compared in constant time. */
    public boolean csrfMatches(String formValue) {
        return formValue != null && MessageDigest.isEqual(formValue.getBytes(StandardCharsets.UTF_8),
                csrfToken.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws CsrfRefused when the form's {@code csrf} value is not this session's token */
    public void requireCsrf(String formValue) {
        if (!csrfMatches(formValue)) {
            throw new CsrfRefused();
        }
    }

    @Override
    public String toString() {
        return "ConsoleRequest[" + user + ", " + role.configName() + "]";
    }
}

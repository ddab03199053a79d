package io.mailroute.access;

import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * Keeps who a request is ({@link ApiGuard#PRINCIPAL_HEADER}, {@link ApiGuard#ROLE_HEADER}, {@link ApiGuard#CSRF_HEADER})
 * the guard's alone. platform-http turns a request's HTTP headers, then its query parameters, then its form fields into
 * Camel headers of the same names, appending a second value to a first: {@code ?X-Mailroute-Principal=mallory} would
 * otherwise ride along with the guard's value. The guard sets each of these headers on every request it lets through
 * (empty where there is nobody), and HTTP headers come first, so any later value of such a name — a query parameter or
 * a form field — is dropped here. Everything else is filtered as platform-http does by default (its HttpHeaderFilterStrategy).
 */
public final class GuardedHeaders extends HttpHeaderFilterStrategy {

    static final Set<String> GUARDED = Set.of(ApiGuard.PRINCIPAL_HEADER.toLowerCase(Locale.ROOT),
            ApiGuard.ROLE_HEADER.toLowerCase(Locale.ROOT), ApiGuard.CSRF_HEADER.toLowerCase(Locale.ROOT));

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        if (headerName != null && GUARDED.contains(headerName.toLowerCase(Locale.ROOT))) {
            // the guard's value arrived first as an HTTP header: anything after it is the client's
            return exchange == null || exchange.getMessage().getHeaders().containsKey(headerName);
        }
        return super.applyFilterToExternalHeaders(headerName, headerValue, exchange);
    }
}

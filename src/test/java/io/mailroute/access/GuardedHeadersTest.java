package io.mailroute.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** platform-http's order, played by hand: HTTP headers (the guard's) first, then query parameters and form fields. */
class GuardedHeadersTest {

    private final GuardedHeaders filter = new GuardedHeaders();

    @Test
    void onlyTheFirstValueOfAGuardedNameIsKeptWhateverItsCase() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        Map<String, Object> headers = exchange.getMessage().getHeaders();
        offer(exchange, ApiGuard.PRINCIPAL_HEADER, "mei");      // the guard's HTTP header
        offer(exchange, ApiGuard.ROLE_HEADER, "viewer");
        offer(exchange, "x-mailroute-principal", "mallory");   // ?x-mailroute-principal=mallory
        offer(exchange, "X-MAILROUTE-ROLE", "admin");          // a form field
        offer(exchange, "assignee", "mei@acme.example");       // an ordinary query parameter

        assertEquals("mei", headers.get(ApiGuard.PRINCIPAL_HEADER), "no list of values, no second value");
        assertEquals("viewer", headers.get(ApiGuard.ROLE_HEADER));
        assertEquals("mei@acme.example", headers.get("assignee"));
    }

    @Test
    void withoutTheGuardsValueNothingOfThatNameGetsIn() {
        assertTrue(filter.applyFilterToExternalHeaders(ApiGuard.CSRF_HEADER, "x", null), "no exchange: dropped");
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        // the guard sets all three on every request; were one missing, the first value would be taken: so it never is
        for (String name : List.of(ApiGuard.PRINCIPAL_HEADER, ApiGuard.ROLE_HEADER, ApiGuard.CSRF_HEADER)) {
            assertFalse(filter.applyFilterToExternalHeaders(name, "", exchange), name);
        }
        assertTrue(filter.applyFilterToExternalHeaders("CamelHttpUri", "/x", exchange) == new org.apache.camel.http.base.HttpHeaderFilterStrategy().applyFilterToExternalHeaders("CamelHttpUri", "/x", exchange),
                "other names as platform-http filters them");
    }

    private void offer(Exchange exchange, String name, String value) {
        if (!filter.applyFilterToExternalHeaders(name, value, exchange)) {
            Object before = exchange.getMessage().getHeader(name);
            exchange.getMessage().setHeader(name, before == null ? value : List.of(before, value)); // appendEntry's way
        }
    }
}

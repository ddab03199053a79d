package io.mailroute.console.work;

import io.mailroute.access.Role;
import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.pages.Page;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.camel.Exchange;

/** What the console's work pages share: their ids, queries, times, problem pages and the CSRF check of their forms. */
final class WorkRequests {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    /** A page of a list shows this many rows. */
    static final int PAGE_SIZE = 50;

    private WorkRequests() {
    }

    /** A path's or query's id: a whole number, or empty for anything else (the page then answers 404 or ignores it). */
    static java.util.OptionalLong id(String text) {
        if (text == null || !text.strip().matches("\\d{1,18}")) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(Long.parseLong(text.strip()));
    }

    /** A list's {@code after}: the last id of the page before; 0 for the first page. */
    static long after(String text) {
        return id(text).orElse(0);
    }

    static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    static String time(Instant at) {
        return at == null ? null : TIME.format(at);
    }

    /** {@code ?a=1&b=x%20y} of the non-empty values, for a list's next-page link; empty for none. */
    static String query(Map<String, ?> values) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        values.forEach((name, value) -> {
            if (value != null && !value.toString().isBlank()) {
                query.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            }
        });
        return query.toString();
    }

    static boolean operates(ConsoleRequest request) {
        return request.role().includes(Role.OPERATOR);
    }

    /** A list's filters as the form shows them again: a map of the values given. */
    static Map<String, Object> filters(String... namesAndValues) {
        Map<String, Object> filters = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            filters.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return filters;
    }

    /** The form's CSRF field is this session's, or the exchange is answered 403 and false returned. */
    static boolean csrfChecked(Exchange exchange, ConsoleRequest request, ConsolePages console, String pagePath) {
        if (request.csrfMatches(ConsolePages.csrfOf(exchange.getMessage().getBody()))) {
            return true;
        }
        PageResponses.write(exchange, console.csrfRefused(pagePath));
        return false;
    }

    static void notFound(Exchange exchange, Pages pages, String what, String pagePath) {
        Page page = pages.problem(404, "Not found", what + " Go back to the list and choose again.", pagePath);
        PageResponses.write(exchange, page);
    }
}

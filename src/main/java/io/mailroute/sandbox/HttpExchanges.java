package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Small transport helpers shared by the sandbox's HTTP handlers. */
final class HttpExchanges {

    static final ObjectMapper JSON = io.mailroute.json.Json.newMapper();

    private HttpExchanges() {
    }

    /** The request body, un-gzipped when the client compressed it (Google's client gzips POST bodies). */
    static byte[] body(HttpExchange exchange) throws IOException {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        try (InputStream raw = exchange.getRequestBody();
             InputStream in = encoding != null && encoding.trim().equalsIgnoreCase("gzip")
                     ? new GZIPInputStream(raw) : raw) {
            return in.readAllBytes();
        }
    }

    /** Query or form parameters; repeated keys keep every value in order. */
    static Map<String, List<String>> parseParams(String encoded) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return params;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    static Map<String, List<String>> query(HttpExchange exchange) {
        return parseParams(exchange.getRequestURI().getRawQuery());
    }

    /** Query and form-body parameters together, as OAuth endpoints take them; query values come first. */
    static Map<String, List<String>> queryAndForm(HttpExchange exchange) throws IOException {
        Map<String, List<String>> params = query(exchange);
        String form = new String(body(exchange), StandardCharsets.UTF_8);
        parseParams(form).forEach((k, v) -> params.merge(k, v, (a, b) -> {
            a.addAll(b);
            return a;
        }));
        return params;
    }

    static String first(Map<String, List<String>> params, String key) {
        List<String> values = params.get(key);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Gmail's {@code maxResults}: 100 by default, capped at 500. */
    static int pageSize(Map<String, List<String>> query) {
        String max = HttpExchanges.first(query, "maxResults");
        if (max == null || max.isEmpty()) {
            return 100;
        }
        try {
            int n = Integer.parseInt(max);
            if (n < 1) {
                throw GmailErrors.invalidArgument("Invalid maxResults: " + max);
            }
            return Math.min(n, 500);
        } catch (NumberFormatException e) {
            throw GmailErrors.invalidArgument("Invalid maxResults: " + max);
        }
    }

    /** Text made safe to place in HTML content and quoted attribute values. */
    static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }

    static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        send(exchange, status, "application/json; charset=UTF-8", JSON.writeValueAsBytes(body));
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean noBody = body.length == 0 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    static void sendError(HttpExchange exchange, GmailApiException error) throws IOException {
        error.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        sendJson(exchange, error.status(), GmailErrors.body(error));
    }
}

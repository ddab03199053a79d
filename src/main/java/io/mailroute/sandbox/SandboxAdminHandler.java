package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The admin API over HTTP, the twin of {@link SandboxAdmin}. It has no authentication: the sandbox binds
 * to loopback (127.0.0.1) by default, so only processes on this machine can reach it.
 *
 * <pre>
 * POST /sandbox/admin/faults                        {"errorRate":0.1,"errorStatus":500,"latencyMillis":0}
 * POST /sandbox/admin/rate-limit                    {"requests":3,"retryAfterSeconds":2}
 * POST /sandbox/admin/quota                         {"unitsPerSecond":250}
 * POST /sandbox/admin/users                         {"address":"a@x.example","refreshToken":"..."}
 * GET  /sandbox/admin/users/{address}/credentials
 * POST /sandbox/admin/users/{address}/messages?labelIds=INBOX&amp;labelIds=UNREAD   (body: message/rfc822)
 * POST /sandbox/admin/users/{address}/expire-history
 * POST /sandbox/admin/users/{address}/revoke
 * POST /sandbox/admin/users/{address}/expire-access-tokens
 * GET  /sandbox/admin/users/{address}/token-requests   {"refreshTokenGrants":1,"authorizationCodeExchanges":1}
 * GET  /sandbox/admin/stats
 * GET  /sandbox/admin/push          (what the push receivers got)
 * POST /sandbox/admin/push/{webhook|fcm|appworks}/fail   {"status":503,"count":5,"retryAfterSeconds":1}
 * POST /sandbox/admin/pubsub                        {"dropRate":1.0,"delayMillis":0}   (Gmail notifications)
 * POST /sandbox/admin/pubsub/watch-lifetime         {"seconds":5}
 * GET  /sandbox/admin/pubsub/stats
 * </pre>
 */
final class SandboxAdminHandler implements HttpHandler {

    private static final String PREFIX = "/sandbox/admin/";

    private final SandboxAdmin admin;

    SandboxAdminHandler(SandboxAdmin admin) {
        this.admin = admin;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getRawPath().substring(PREFIX.length());
            String[] s = path.split("/");
            String verb = exchange.getRequestMethod();
            JsonNode result = route(verb, s, exchange);
            if (result == null) {
                error(exchange, 404, "No admin endpoint " + verb + " " + exchange.getRequestURI().getPath());
            } else {
                HttpExchanges.sendJson(exchange, 200, result);
            }
        } catch (IllegalArgumentException e) {
            error(exchange, 400, e.getMessage());
        } catch (IOException e) {
            error(exchange, 400, "Unreadable request: " + e.getMessage());
        }
    }

    private JsonNode route(String verb, String[] s, HttpExchange exchange) throws IOException {
        boolean post = verb.equals("POST");
        if (s.length == 3 && s[0].equals("push") && s[2].equals("fail") && post) {
            JsonNode f = json(exchange);
            int retryAfter = f.path("retryAfterSeconds").asInt(0);
            admin.failPushes(s[1], f.path("status").asInt(503), f.path("count").asInt(1),
                    retryAfter > 0 ? java.time.Duration.ofSeconds(retryAfter) : null);
            return ok();
        }
        if (s[0].equals("pubsub")) {
            return pubSub(verb, s, exchange);
        }
        if (s.length == 1) {
            switch (s[0]) {
                case "stats":
                    return verb.equals("GET") ? HttpExchanges.JSON.valueToTree(admin.stats()) : null;
                case "push":
                    return verb.equals("GET") ? HttpExchanges.JSON.valueToTree(admin.pushInbox().all()) : null;
                case "client":
                    if (!verb.equals("GET")) {
                        return null;
                    }
                    SandboxCredentials client = admin.client();
                    return HttpExchanges.JSON.createObjectNode().put("clientId", client.clientId())
                            .put("clientSecret", client.clientSecret());
                case "faults":
                    if (!post) {
                        return null;
                    }
                    JsonNode f = json(exchange);
                    admin.setFaults(f.path("errorRate").asDouble(0), f.path("errorStatus").asInt(500),
                            f.path("latencyMillis").asInt(0));
                    return ok();
                case "rate-limit":
                    if (!post) {
                        return null;
                    }
                    JsonNode r = json(exchange);
                    admin.rateLimitNext(required(r, "requests").asInt(), r.path("retryAfterSeconds").asInt(1));
                    return ok();
                case "quota":
                    if (!post) {
                        return null;
                    }
                    admin.setQuota(required(json(exchange), "unitsPerSecond").asInt());
                    return ok();
                case "users":
                    if (!post) {
                        return verb.equals("GET") ? HttpExchanges.JSON.valueToTree(Map.of("users", admin.users())) : null;
                    }
                    JsonNode u = json(exchange);
                    admin.addUser(required(u, "address").asText(), required(u, "refreshToken").asText());
                    return ok();
                default:
                    return null;
            }
        }
        if (s.length == 3 && s[0].equals("users")) {
            String address = HttpExchanges.decode(s[1]);
            switch (s[2]) {
                case "credentials":
                    if (!verb.equals("GET")) {
                        return null;
                    }
                    SandboxCredentials c = admin.credentials(address);
                    return HttpExchanges.JSON.createObjectNode().put("clientId", c.clientId())
                            .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken());
                case "messages":
                    if (!post) {
                        return null;
                    }
                    List<String> labels = HttpExchanges.query(exchange).getOrDefault("labelIds", List.of());
                    String id = admin.insert(address, HttpExchanges.body(exchange), labels);
                    return HttpExchanges.JSON.createObjectNode().put("id", id);
                case "expire-history":
                    if (!post) {
                        return null;
                    }
                    admin.expireHistory(address);
                    return ok();
                case "revoke":
                    if (!post) {
                        return null;
                    }
                    admin.revokeRefreshToken(address);
                    return ok();
                case "expire-access-tokens":
                    if (!post) {
                        return null;
                    }
                    admin.expireAccessTokens(address);
                    return ok();
                case "token-requests":
                    return verb.equals("GET") ? HttpExchanges.JSON.valueToTree(admin.tokenRequests(address)) : null;
                default:
                    return null;
            }
        }
        return null;
    }

    private JsonNode pubSub(String verb, String[] s, HttpExchange exchange) throws IOException {
        PubSubSandbox pubSub = admin.pubSub();
        String what = s.length == 1 ? "" : s.length == 2 ? s[1] : null;
        if ("".equals(what) && verb.equals("POST")) {
            JsonNode f = json(exchange);
            pubSub.setFaults(f.path("dropRate").asDouble(0), f.path("delayMillis").asLong(0));
            return ok();
        }
        if ("watch-lifetime".equals(what) && verb.equals("POST")) {
            long seconds = required(json(exchange), "seconds").asLong();
            if (seconds <= 0) {
                throw new IllegalArgumentException("'seconds' must be positive, was " + seconds);
            }
            pubSub.setWatchLifetime(java.time.Duration.ofSeconds(seconds));
            return ok();
        }
        if ("stats".equals(what) && verb.equals("GET")) {
            return HttpExchanges.JSON.valueToTree(pubSub.stats());
        }
        return null;
    }

    private static JsonNode json(HttpExchange exchange) throws IOException {
        byte[] body = HttpExchanges.body(exchange);
        return body.length == 0 ? HttpExchanges.JSON.createObjectNode() : HttpExchanges.JSON.readTree(body);
    }

    private static JsonNode required(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("Missing field '" + field + "' in request body");
        }
        return value;
    }

    private static ObjectNode ok() {
        return HttpExchanges.JSON.createObjectNode().put("ok", true);
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        HttpExchanges.sendJson(exchange, status, HttpExchanges.JSON.createObjectNode().put("error", message));
    }
}

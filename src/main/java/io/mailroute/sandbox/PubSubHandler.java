package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pub/Sub's v1 REST API, the subset Gmail push needs, under {@value #PATH}: topics ({@code PUT/GET/DELETE},
 * {@code :publish}), subscriptions ({@code PUT/GET/DELETE}, {@code :pull}, {@code :acknowledge},
 * {@code :modifyAckDeadline}), with Google's JSON shapes and errors. Every request needs a bearer token from the
 * sandbox's service account with scope {@code pubsub} or {@code cloud-platform}.
 */
final class PubSubHandler implements HttpHandler {

    static final String PATH = "/v1/";
    /** How long a pull without {@code returnImmediately} waits for a message (Google holds it open for a while too). */
    static final long PULL_WAIT_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(PubSubHandler.class);
    private static final Pattern RESOURCE = Pattern.compile(
            "/v1/(projects/([^/:]+)/(topics|subscriptions)/([^/:]+))(?::([A-Za-z]+))?");
    /** Google's rule for topic and subscription ids. */
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9\\-_.~+%]{2,254}");
    private static final int MAX_ACK_DEADLINE_SECONDS = 600;

    private final PubSubSandbox pubSub;

    PubSubHandler(PubSubSandbox pubSub) {
        this.pubSub = pubSub;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            authenticate(exchange);
            Matcher m = RESOURCE.matcher(HttpExchanges.decode(exchange.getRequestURI().getRawPath()));
            if (!m.matches()) {
                throw new PubSubException(404, "NOT_FOUND", "Not found: " + exchange.getRequestURI().getPath());
            }
            String name = m.group(1);
            boolean topic = m.group(3).equals("topics");
            if (!ID.matcher(m.group(4)).matches() || m.group(4).startsWith("goog")) {
                throw PubSubException.invalidArgument("Invalid [" + m.group(3) + "] name: (name=" + name + ")");
            }
            JsonNode result = topic ? topic(exchange, name, m.group(5)) : subscription(exchange, name, m.group(5));
            HttpExchanges.sendJson(exchange, 200, result);
        } catch (PubSubException e) {
            if (e.code() == 401) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
            }
            HttpExchanges.sendJson(exchange, e.code(), e.body());
        } catch (IOException e) {
            HttpExchanges.sendJson(exchange, 400, PubSubException.invalidArgument(
                    "Invalid JSON payload received. " + e.getMessage()).body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            HttpExchanges.sendJson(exchange, 503, new PubSubException(503, "UNAVAILABLE", "The service is shutting down.").body());
        } catch (RuntimeException e) {
            LOG.warn("Pub/Sub sandbox failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            HttpExchanges.sendJson(exchange, 500, new PubSubException(500, "INTERNAL", "Internal error encountered.").body());
        }
    }

    private void authenticate(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)
                || !pubSub.validAccessToken(header.substring(7).trim())) {
            throw new PubSubException(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."
                    + " Expected OAuth 2 access token, login cookie or other valid authentication credential."
                    + " See https://developers.google.com/identity/sign-in/web/devconsole-project.");
        }
    }

    private JsonNode topic(HttpExchange exchange, String name, String action) throws IOException {
        String verb = exchange.getRequestMethod();
        if ("publish".equals(action) && verb.equals("POST")) {
            return publish(name, json(exchange));
        }
        if (action != null) {
            throw notAllowed(verb, action);
        }
        switch (verb) {
            case "PUT" -> {
                if (!pubSub.createTopic(name)) {
                    throw PubSubException.alreadyExists("Topic");
                }
            }
            case "GET" -> {
                if (!pubSub.topicExists(name)) {
                    throw PubSubException.notFound(name);
                }
            }
            case "DELETE" -> {
                if (!pubSub.deleteTopic(name)) {
                    throw PubSubException.notFound(name);
                }
                return HttpExchanges.JSON.createObjectNode();
            }
            default -> throw notAllowed(verb, null);
        }
        return HttpExchanges.JSON.createObjectNode().put("name", name);
    }

    private JsonNode publish(String topic, JsonNode request) {
        JsonNode messages = request.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw PubSubException.invalidArgument("The request contains no messages.");
        }
        List<Map.Entry<String, Map<String, String>>> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String data = message.path("data").asText("");
            try {
                Base64.getDecoder().decode(data);
            } catch (IllegalArgumentException e) {
                throw PubSubException.invalidArgument("Invalid value at 'messages[" + i + "].data' (TYPE_BYTES),"
                        + " Base64 decoding failed for \"" + data + "\"");
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            message.path("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
            if (data.isEmpty() && attributes.isEmpty()) {
                throw PubSubException.invalidArgument("Some messages are empty: a message needs data or attributes.");
            }
            out.add(Map.entry(data, attributes));
        }
        ObjectNode answer = HttpExchanges.JSON.createObjectNode();
        ArrayNode ids = answer.putArray("messageIds");
        pubSub.publish(topic, out).forEach(ids::add);
        return answer;
    }

    private JsonNode subscription(HttpExchange exchange, String name, String action)
            throws IOException, InterruptedException {
        String verb = exchange.getRequestMethod();
        if (verb.equals("PUT") && action == null) {
            return describe(create(name, json(exchange)));
        }
        PubSubSubscription subscription = pubSub.subscription(name).orElseThrow(() -> PubSubException.notFound(name));
        if (action == null) {
            return switch (verb) {
                case "GET" -> describe(subscription);
                case "DELETE" -> {
                    pubSub.deleteSubscription(name);
                    yield HttpExchanges.JSON.createObjectNode();
                }
                default -> throw notAllowed(verb, null);
            };
        }
        if (!verb.equals("POST")) {
            throw notAllowed(verb, action);
        }
        JsonNode request = json(exchange);
        return switch (action) {
            case "pull" -> pull(subscription, request);
            case "acknowledge" -> {
                subscription.acknowledge(ackIds(request));
                yield HttpExchanges.JSON.createObjectNode();
            }
            case "modifyAckDeadline" -> {
                int seconds = ackDeadline(request.path("ackDeadlineSeconds"), 0);
                subscription.modifyAckDeadline(ackIds(request), seconds * 1000L);
                yield HttpExchanges.JSON.createObjectNode();
            }
            default -> throw notAllowed(verb, action);
        };
    }

    private PubSubSubscription create(String name, JsonNode request) {
        String topic = request.path("topic").asText("");
        if (topic.isEmpty()) {
            throw PubSubException.invalidArgument("Invalid resource field value in the request: topic is required.");
        }
        JsonNode push = request.path("pushConfig");
        PubSubSubscription.PushConfig pushConfig = null;
        if (!push.path("pushEndpoint").asText("").isEmpty()) {
            String endpoint = push.get("pushEndpoint").asText();
            if (!endpoint.startsWith("https://") && !endpoint.startsWith("http://")) {
                throw PubSubException.invalidArgument("Invalid push endpoint given (endpoint=" + endpoint
                        + "). Refer to https://cloud.google.com/pubsub/docs/push for more information.");
            }
            JsonNode oidc = push.path("oidcToken");
            pushConfig = new PubSubSubscription.PushConfig(push.get("pushEndpoint").asText(),
                    oidc.path("serviceAccountEmail").asText(null), oidc.path("audience").asText(null));
        }
        // the sandbox accepts deadlines from 1 s (Google: 10 s) so that tests of redelivery run quickly
        int deadline = ackDeadline(request.path("ackDeadlineSeconds"), PubSubSandbox.DEMO_ACK_DEADLINE_SECONDS);
        return pubSub.createSubscription(name, topic, Math.max(1, deadline), pushConfig);
    }

    private static ObjectNode describe(PubSubSubscription s) {
        ObjectNode json = HttpExchanges.JSON.createObjectNode().put("name", s.name()).put("topic", s.topic());
        ObjectNode push = json.putObject("pushConfig");
        if (s.pushConfig() != null) {
            push.put("pushEndpoint", s.pushConfig().pushEndpoint());
            if (s.pushConfig().serviceAccountEmail() != null) {
                ObjectNode oidc = push.putObject("oidcToken").put("serviceAccountEmail",
                        s.pushConfig().serviceAccountEmail());
                if (s.pushConfig().audience() != null) {
                    oidc.put("audience", s.pushConfig().audience());
                }
            }
        }
        return json.put("ackDeadlineSeconds", s.ackDeadlineSeconds())
                .put("messageRetentionDuration", "604800s")
                .put("state", "ACTIVE");
    }

    private JsonNode pull(PubSubSubscription subscription, JsonNode request) throws InterruptedException {
        int max = request.path("maxMessages").asInt(0);
        if (max <= 0) {
            throw PubSubException.invalidArgument("Invalid max_messages: must be greater than 0, was " + max);
        }
        boolean immediately = request.path("returnImmediately").asBoolean(false);
        List<PubSubSubscription.Received> received = subscription.pull(Math.min(max, 1000),
                immediately ? 0 : pubSub.pullWaitMillis());
        ObjectNode answer = HttpExchanges.JSON.createObjectNode();
        if (!received.isEmpty()) {
            ArrayNode messages = answer.putArray("receivedMessages");
            for (PubSubSubscription.Received r : received) {
                ObjectNode m = messages.addObject().put("ackId", r.ackId());
                m.set("message", r.message().json());
                m.put("deliveryAttempt", r.deliveryAttempt());
            }
        }
        return answer;
    }

    private static List<String> ackIds(JsonNode request) {
        List<String> ids = new ArrayList<>();
        request.path("ackIds").forEach(id -> ids.add(id.asText()));
        if (ids.isEmpty()) {
            throw PubSubException.invalidArgument("No ack ids specified.");
        }
        return ids;
    }

    private static int ackDeadline(JsonNode value, int fallback) {
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        int seconds = value.asInt(-1);
        if (seconds < 0 || seconds > MAX_ACK_DEADLINE_SECONDS) {
            throw PubSubException.invalidArgument("Invalid ack deadline given: " + value.asText()
                    + " (must be between 0 and " + MAX_ACK_DEADLINE_SECONDS + " seconds)");
        }
        return seconds;
    }

    private static PubSubException notAllowed(String verb, String action) {
        return new PubSubException(404, "NOT_FOUND", "Method not found: " + verb + (action == null ? "" : " :" + action));
    }

    private static JsonNode json(HttpExchange exchange) throws IOException {
        byte[] body = HttpExchanges.body(exchange);
        JsonNode json = body.length == 0 ? HttpExchanges.JSON.createObjectNode() : HttpExchanges.JSON.readTree(body);
        if (!json.isObject()) {
            throw PubSubException.invalidArgument("Invalid JSON payload received: the body must be a JSON object.");
        }
        return json;
    }
}

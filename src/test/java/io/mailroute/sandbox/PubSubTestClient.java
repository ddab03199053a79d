package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auth.oauth2.ServiceAccountCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Pub/Sub's REST API spoken over java.net.http, with a bearer token the real google-auth library gets from the
 * sandbox's service-account key (as the service would).
 */
final class PubSubTestClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PUBSUB_SCOPE = "https://www.googleapis.com/auth/pubsub";

    /** A status and its JSON body. */
    record Answer(int status, JsonNode body) {
    }

    private final GmailSandbox sandbox;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String token;

    PubSubTestClient(GmailSandbox sandbox, String scope) throws IOException {
        this.sandbox = sandbox;
        String key = PubSubSandbox.of(sandbox).serviceAccountJson(sandbox.rootUrl());
        ServiceAccountCredentials credentials = (ServiceAccountCredentials) ServiceAccountCredentials
                .fromStream(new ByteArrayInputStream(key.getBytes(StandardCharsets.UTF_8))).createScoped(List.of(scope));
        this.token = credentials.refreshAccessToken().getTokenValue();
    }

    String token() {
        return token;
    }

    /** A fresh topic and a pull subscription to it; the subscription's name. */
    String newSubscription(String topic, int ackDeadlineSeconds) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String subscription = "projects/" + PubSubSandbox.PROJECT_ID + "/subscriptions/sub-" + id;
        ok(call("PUT", topic, "{}"));
        ok(call("PUT", subscription, "{\"topic\":\"" + topic + "\",\"ackDeadlineSeconds\":" + ackDeadlineSeconds + "}"));
        return subscription;
    }

    static String newTopicName() {
        return "projects/" + PubSubSandbox.PROJECT_ID + "/topics/topic-" + UUID.randomUUID().toString().substring(0, 8);
    }

    JsonNode pull(String subscription, int max, boolean returnImmediately) throws Exception {
        return ok(call("POST", subscription + ":pull", "{\"maxMessages\":" + max + ",\"returnImmediately\":"
                + returnImmediately + "}"));
    }

    void acknowledge(String subscription, String... ackIds) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        for (String id : ackIds) {
            body.withArray("ackIds").add(id);
        }
        ok(call("POST", subscription + ":acknowledge", body.toString()));
    }

    void modifyAckDeadline(String subscription, int seconds, String... ackIds) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("ackDeadlineSeconds", seconds);
        for (String id : ackIds) {
            body.withArray("ackIds").add(id);
        }
        ok(call("POST", subscription + ":modifyAckDeadline", body.toString()));
    }

    JsonNode publish(String topic, String text) throws Exception {
        String data = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        return ok(call("POST", topic + ":publish", "{\"messages\":[{\"data\":\"" + data + "\"}]}"));
    }

    Answer call(String verb, String resource, String json) throws Exception {
        return send(request(verb, resource, json, token));
    }

    HttpRequest.Builder request(String verb, String resource, String json, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(PubSubSandbox.baseUrl(sandbox.rootUrl())
                        + resource))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(verb, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return request;
    }

    Answer send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().isEmpty() ? JSON.createObjectNode()
                : JSON.readTree(response.body()));
    }

    static JsonNode ok(Answer answer) {
        if (answer.status() != 200) {
            throw new AssertionError("Pub/Sub answered " + answer.status() + ": " + answer.body());
        }
        return answer.body();
    }

    /** The notification a received message carries: {@code {"emailAddress","historyId"}}. */
    static JsonNode notification(JsonNode receivedMessage) throws IOException {
        return JSON.readTree(Base64.getDecoder().decode(receivedMessage.path("message").path("data").asText()));
    }
}

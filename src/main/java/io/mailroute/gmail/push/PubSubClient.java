package io.mailroute.gmail.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.HttpResponseException;
import com.google.api.client.http.HttpTransport;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A pull subscription over Pub/Sub's v1 REST API ({@code subscriptions.pull}, {@code acknowledge},
 * {@code modifyAckDeadline}) with google-http-client and a service account's bearer token (google-auth-library):
 * no gRPC stack, plain HTTPS. The same client talks to Google ({@code https://pubsub.googleapis.com/}) and to the
 * sandbox ({@code <sandbox>/v1/...} with its service account).
 */
public final class PubSubClient {

    public static final String SCOPE = "https://www.googleapis.com/auth/pubsub";
    /** A pull is held open by the server (Google: up to about 90 s with returnImmediately false). */
    static final Duration PULL_READ_TIMEOUT = Duration.ofSeconds(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One delivery of a message: acknowledge or give back by its {@code ackId}. */
    public record Received(String ackId, String messageId, String data, int deliveryAttempt) {
    }

    private final HttpRequestFactory requests;
    private final String subscriptionUrl;
    private final String subscription;

    /**
     * @param rootUrl      the REST root, ending in '/': {@code https://pubsub.googleapis.com/} or the sandbox's root
     * @param subscription {@code projects/P/subscriptions/S}
     */
    public PubSubClient(HttpTransport transport, GoogleCredentials credentials, String rootUrl, String subscription) {
        this.requests = transport.createRequestFactory(new HttpCredentialsAdapter(credentials));
        this.subscription = subscription;
        this.subscriptionUrl = rootUrl + "v1/" + subscription;
    }

    /**
     * The credentials of a service-account JSON key ({@code token_uri} says where its tokens come from: Google's or
     * the sandbox's endpoint).
     *
     * @throws IllegalArgumentException naming what is wrong, never quoting the key
     */
    public static GoogleCredentials serviceAccount(String keyJson, HttpTransport transport, String where) {
        try (InputStream in = new ByteArrayInputStream(keyJson.getBytes(StandardCharsets.UTF_8))) {
            return ServiceAccountCredentials.fromStream(in, () -> transport).createScoped(List.of(SCOPE));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(where + " is not a usable service-account JSON key ("
                    + e.getClass().getSimpleName() + "); download a key of the service account that may subscribe");
        }
    }

    public String subscription() {
        return subscription;
    }

    /** Waits (server side) for up to {@code maxMessages}; an empty list when none came in the server's wait. */
    public List<Received> pull(int maxMessages) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("maxMessages", maxMessages).put("returnImmediately", false);
        JsonNode answer = post(":pull", body, PULL_READ_TIMEOUT);
        List<Received> out = new ArrayList<>();
        for (JsonNode r : answer.path("receivedMessages")) {
            JsonNode message = r.path("message");
            out.add(new Received(r.path("ackId").asText(), message.path("messageId").asText(""),
                    message.path("data").asText(""), r.path("deliveryAttempt").asInt(0)));
        }
        return out;
    }

    public void acknowledge(List<String> ackIds) throws IOException {
        if (ackIds.isEmpty()) {
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        ackIds.forEach(body.putArray("ackIds")::add);
        post(":acknowledge", body, Duration.ofSeconds(30));
    }

    /** {@code seconds} 0 gives the messages back at once: they are delivered again. */
    public void modifyAckDeadline(List<String> ackIds, int seconds) throws IOException {
        if (ackIds.isEmpty()) {
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("ackDeadlineSeconds", seconds);
        ackIds.forEach(body.putArray("ackIds")::add);
        post(":modifyAckDeadline", body, Duration.ofSeconds(30));
    }

    private JsonNode post(String action, ObjectNode body, Duration readTimeout) throws IOException {
        HttpRequest request = requests.buildPostRequest(new GenericUrl(subscriptionUrl + action),
                new ByteArrayContent("application/json", JSON.writeValueAsBytes(body)));
        request.setConnectTimeout(10_000);
        request.setReadTimeout((int) readTimeout.toMillis());
        request.setThrowExceptionOnExecuteError(false);
        HttpResponse response = request.execute();
        try {
            String text = response.parseAsString();
            if (!response.isSuccessStatusCode()) {
                throw new HttpResponseException.Builder(response.getStatusCode(), response.getStatusMessage(),
                        response.getHeaders()).setContent(text).setMessage("Pub/Sub " + subscription + action + " answered "
                        + response.getStatusCode() + ": " + errorMessage(text)).build();
            }
            return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } finally {
            response.disconnect();
        }
    }

    private static String errorMessage(String body) {
        try {
            JsonNode error = JSON.readTree(body == null ? "{}" : body).path("error");
            String message = error.path("status").asText("") + " " + error.path("message").asText("");
            return message.isBlank() ? "(no error message)" : message.trim();
        } catch (IOException e) {
            return "(not JSON)";
        }
    }
}

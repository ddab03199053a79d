package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.services.gmail.model.WatchRequest;
import com.sun.net.httpserver.HttpServer;
import io.mailroute.gmail.push.OidcTokenVerifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A push subscription POSTs each notification to an endpoint (a tiny server in this test) with an ID token the
 * sandbox's OpenID key signed; the service's {@link OidcTokenVerifier} accepts it against the sandbox's JWKS; an
 * answer other than 2xx makes the sandbox deliver again.
 */
class SandboxPubSubPushIT {

    private static final String PUSHER = "gmail-push@mailroute-sandbox.iam.gserviceaccount.com";

    /** What the endpoint got: the request body and the verified sender (or the refusal). */
    record Push(JsonNode body, String verifiedEmail) {
    }

    private static GmailSandbox sandbox;
    private static PubSubTestClient pubSub;
    private static HttpServer endpoint;
    private static final BlockingQueue<Push> pushes = new LinkedBlockingQueue<>();
    /** The endpoint answers 500 while this is above zero, counting down. */
    private static final AtomicInteger failuresLeft = new AtomicInteger();
    private static OidcTokenVerifier verifier;
    private static String audience;

    @BeforeAll
    static void start() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        pubSub = new PubSubTestClient(sandbox, PubSubTestClient.PUBSUB_SCOPE);
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        audience = "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/push/gmail";
        verifier = OidcTokenVerifier.fromJwksUrl(sandbox.openIdIssuer() + "/oauth2/v3/certs",
                Set.of(sandbox.openIdIssuer()), audience, PUSHER, Clock.systemUTC());
        endpoint.createContext("/push/gmail", exchange -> {
            String verified;
            try {
                verified = verifier.verifyAuthorization(exchange.getRequestHeaders().getFirst("Authorization")).email();
            } catch (OidcTokenVerifier.RefusedException e) {
                verified = "refused: " + e.getMessage();
            }
            pushes.add(new Push(PubSubTestClient.JSON.readTree(exchange.getRequestBody()), verified));
            int status = failuresLeft.getAndDecrement() > 0 ? 500 : 204;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        endpoint.start();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
        endpoint.stop(0);
    }

    @Test
    void aNotificationIsPushedWithAVerifiableIdTokenAndPushedAgainAfterA500() throws Exception {
        String topic = PubSubTestClient.newTopicName();
        PubSubTestClient.ok(pubSub.call("PUT", topic, "{}"));
        String subscription = "projects/" + PubSubSandbox.PROJECT_ID + "/subscriptions/push-intake";
        PubSubTestClient.ok(pubSub.call("PUT", subscription, PubSubTestClient.JSON.createObjectNode()
                .put("topic", topic).put("ackDeadlineSeconds", 10).set("pushConfig", PubSubTestClient.JSON
                        .createObjectNode().put("pushEndpoint", audience).set("oidcToken", PubSubTestClient.JSON
                                .createObjectNode().put("serviceAccountEmail", PUSHER).put("audience", audience)))
                .toString()));
        SandboxTestClients.User user = SandboxTestClients.newUser(sandbox, "pushed");
        user.gmail().users().watch("me", new WatchRequest().setTopicName(topic)).execute();
        failuresLeft.set(1);

        sandbox.admin().insert(user.address(), SandboxTestClients.mail("a@example.com", user.address(), "hi", "x"),
                List.of("INBOX"));

        Push first = pushes.poll(30, TimeUnit.SECONDS);
        Push second = pushes.poll(30, TimeUnit.SECONDS);
        assertEquals(PUSHER, first.verifiedEmail());
        assertEquals(PUSHER, second.verifiedEmail());
        assertEquals(subscription, first.body().get("subscription").asText());
        assertEquals(user.address(), PubSubTestClient.notification(first.body()).get("emailAddress").asText());
        assertEquals(first.body().at("/message/messageId").asText(), second.body().at("/message/messageId").asText());
        assertEquals(first.body().at("/message/messageId").asText(), first.body().at("/message/message_id").asText());
        assertEquals(1, first.body().get("deliveryAttempt").asInt());
        assertEquals(2, second.body().get("deliveryAttempt").asInt());
        PubSubSubscription pushed = PubSubSandbox.of(sandbox).subscription(subscription).orElseThrow();
        SandboxPubSubIT.await("the 204 acknowledged it", () -> pushed.unacknowledged() == 0);
        assertTrue(pushes.isEmpty(), "acknowledged: not pushed a third time");
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedByTheVerifier() throws Exception {
        OidcTokenVerifier elsewhere = OidcTokenVerifier.fromJwksUrl(sandbox.openIdIssuer() + "/oauth2/v3/certs",
                Set.of(sandbox.openIdIssuer()), "https://other.example/push", PUSHER, Clock.systemUTC());
        String token = sandbox.admin().pubSub().idToken(PUSHER, audience);
        assertEquals(PUSHER, verifier.verify(token).email());
        OidcTokenVerifier.RefusedException refused = org.junit.jupiter.api.Assertions.assertThrows(
                OidcTokenVerifier.RefusedException.class, () -> elsewhere.verify(token));
        assertTrue(refused.getMessage().contains("aud"), refused.getMessage());
    }
}

package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.mailroute.sandbox.PubSubSandbox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gmail push by a push subscription, end to end: the packaged service, configured with {@code pubsub.endpoint:} and no
 * pull subscription, watches its mailbox on the sandbox's topic; the sandbox's Pub/Sub push subscription POSTs each
 * notification to {@code /gmail/push} with an ID token its OpenID provider signed, which the service verifies against
 * the sandbox's JWKS. The scheduled poll is 10 minutes away: only the push brings the mail. Tokens that are missing,
 * forged, expired, for another audience or from another account are refused (401/403) and ingest nothing.
 */
class GmailPushEndpointIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUSHER = "gmail-push@mailroute-sandbox.iam.gserviceaccount.com";
    private static final String AUDIENCE = "https://mailroute.it.example/gmail/push";
    private static final String PUSH_SUBSCRIPTION = "projects/" + PubSubSandbox.PROJECT_ID + "/subscriptions/mailroute-push";

    @TempDir
    Path work;

    private IntakeFixture world(String syncTimeout) throws IOException {
        IntakeFixture world = new IntakeFixture(work, List.of("support"), "mailroute.push.initial-delay = 200\n",
                "    push: pubsub\n    pushPollInterval: 10m\n");
        String issuer = world.sandbox.openIdIssuer();
        Files.writeString(world.configDir.resolve("mailboxes.yaml"), """
                pubsub:
                  topic: %s
                  syncTimeout: %s
                  endpoint:
                    audience: %s
                    serviceAccount: %s
                    issuers: [%s]
                    jwksUrl: %s/oauth2/v3/certs
                """.formatted(PubSubSandbox.DEMO_TOPIC, syncTimeout, AUDIENCE, PUSHER, issuer, issuer), StandardOpenOption.APPEND);
        return world;
    }

    @Test
    void mailArrivesByPushToTheEndpointAndRefusedTokensIngestNothing() throws Exception {
        try (IntakeFixture world = world("20s"); ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            PubSubSandbox pubSub = PubSubSandbox.of(world.sandbox);
            String address = IntakeFixture.address("support");
            service.await(WAIT, "the watch", () -> pubSub.stats().calls().containsKey(address)
                    && pubSub.stats().calls().get(address).watch() >= 1);
            service.await(WAIT, "the bootstrap poll", () -> ConnectionLifecycleIT.mailbox(service, "support")
                    .hasNonNull("historyId"));
            assertTrue(service.log().contains("Pub/Sub may push notifications to POST /gmail/push"), service.log());
            assertFalse(service.log().contains("notifications pulled from"), "no pull subscription, no pull loop");

            // Refused: nothing of the request reaches the intake. The mail waits for a push that is let in.
            String waiting = world.insert("support", "Waiting for a genuine push");
            String body = push("{\"emailAddress\":\"" + address + "\",\"historyId\":999999999}");
            Map<String, String> refusals = new LinkedHashMap<>();
            refusals.put("401 no token", null);
            refusals.put("401 not a JWT", "not-a-token");
            refusals.put("401 forged", forged(world.sandbox.openIdIssuer()));
            refusals.put("401 expired", pubSub.idToken(PUSHER, AUDIENCE, Duration.ofHours(2)));
            refusals.put("401 an API token", service.adminToken());
            refusals.put("403 another audience", pubSub.idToken(PUSHER, "https://elsewhere.example/gmail/push"));
            refusals.put("403 another account", pubSub.idToken("someone@other-project.iam.gserviceaccount.com", AUDIENCE));
            for (Map.Entry<String, String> refusal : refusals.entrySet()) {
                HttpResponse<String> answer = post(service, body, refusal.getValue());
                assertEquals(refusal.getKey().substring(0, 3), String.valueOf(answer.statusCode()), refusal.getKey());
                assertFalse(answer.body().contains("aud") || answer.body().contains("email") || answer.body()
                        .contains("signature"), "no reason in the answer: " + answer.body());
            }
            Thread.sleep(2000);
            assertFalse(messages(service).contains(waiting), "no refused push made it poll");
            assertTrue(service.log().contains("refused (403): push token refused: aud is"), "the reason in the log");
            for (String token : refusals.values()) {
                assertTrue(token == null || !service.log().contains(token), "no token in the log");
            }

            // Accepted, but nothing to do: an unknown mailbox, a message that is no notification, a body that is no
            // push; each acknowledged (204) so that Pub/Sub stops, and ignored.
            String token = pubSub.idToken(PUSHER, AUDIENCE);
            assertEquals(204, post(service, push("{\"emailAddress\":\"stranger@elsewhere.example\",\"historyId\":42}"),
                    token).statusCode());
            assertEquals(204, post(service, push("not json at all"), token).statusCode());
            assertEquals(204, post(service, "{\"no\":\"message\"}", token).statusCode());
            assertTrue(service.log().contains("stranger@elsewhere.example"), "said which address");
            assertFalse(messages(service).contains(waiting));

            // The sandbox's push subscription: its POST is answered once the sync committed, so the mail is stored then.
            createPushSubscription(world, service.apiUrl("/gmail/push"));
            String pushed = world.insert("support", "Login broken, pushed to us");
            service.await(WAIT, "the pushed message stored", () -> messages(service).contains(pushed));
            assertTrue(messages(service).contains(waiting), "the same sync found the one before");
            service.await(WAIT, "its push acknowledged by the 204",
                    () -> pubSub.stats().unacknowledged().getOrDefault(PUSH_SUBSCRIPTION, 0) == 0);
            assertEquals(2, messages(service).size(), "nothing else stored");
        }
    }

    @Test
    void aPushWhoseSyncIsNotDoneInTimeIsA503AndPushedAgainUntilTheMailIsStored() throws Exception {
        try (IntakeFixture world = world("2s"); ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            PubSubSandbox pubSub = PubSubSandbox.of(world.sandbox);
            // the mail must come after the watch (which follows the bootstrap): Gmail notifies only what comes after
            // one, and what came before is fetched by the poll the new watch fires, with no push to give back
            service.await(WAIT, "the watch in the mailbox's status", () -> ConnectionLifecycleIT.mailbox(service, "support")
                    .path("push").hasNonNull("watchExpiresAt"));
            assertTrue(ConnectionLifecycleIT.mailbox(service, "support").hasNonNull("historyId"), "bootstrapped first");
            createPushSubscription(world, service.apiUrl("/gmail/push"));
            world.sandbox.admin().setFaults(0, 500, 3000); // Gmail answers slowly: no sync commits within 2 s

            String gmailId = world.insert("support", "Slow to sync");
            service.await(WAIT, "the push given back", () -> service.log().contains("no sync committed within 2 s"));
            assertFalse(messages(service).contains(gmailId), "the 503 came before the mail was stored");
            world.sandbox.admin().setFaults(0, 500, 0);

            service.await(WAIT, "the mail stored", () -> messages(service).contains(gmailId));
            service.await(WAIT, "a push acknowledged once it was synced",
                    () -> pubSub.stats().unacknowledged().getOrDefault(PUSH_SUBSCRIPTION, 0) == 0);
            assertTrue(pubSub.stats().redelivered() >= 1, "Pub/Sub pushed it again after the 503: " + pubSub.stats());
            assertEquals(1, messages(service).stream().filter(gmailId::equals).count(), "stored once");
        }
    }

    /** Pub/Sub's push body around a notification. */
    private static String push(String notification) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("message").put("data", Base64.getEncoder().encodeToString(notification.getBytes(StandardCharsets.UTF_8)))
                .put("messageId", "it-" + System.nanoTime());
        return body.put("subscription", PUSH_SUBSCRIPTION).toString();
    }

    private static HttpResponse<String> post(ServiceProcess service, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.apiUrl("/gmail/push")))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A token with every claim right, signed by a key that is not the issuer's (its key id is). */
    private static String forged(String issuer) throws Exception {
        String kid = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(issuer + "/oauth2/v3/certs")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("keys").get(0).path("kid").asText();
        RSAKey key = new RSAKeyGenerator(2048).keyID(kid).generate();
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().issuer(issuer).audience(AUDIENCE).subject("1").claim("email", PUSHER)
                        .claim("email_verified", true).issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(3600))).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /** A push subscription on the demo topic to the service, as an operator makes one with gcloud. */
    private static void createPushSubscription(IntakeFixture world, String endpoint) throws Exception {
        String key = PubSubSandbox.of(world.sandbox).serviceAccountJson(world.sandbox.rootUrl());
        String bearer = ((ServiceAccountCredentials) ServiceAccountCredentials.fromStream(
                new ByteArrayInputStream(key.getBytes(StandardCharsets.UTF_8)))
                .createScoped(List.of("https://www.googleapis.com/auth/pubsub"))).refreshAccessToken().getTokenValue();
        ObjectNode subscription = JSON.createObjectNode().put("topic", PubSubSandbox.DEMO_TOPIC).put("ackDeadlineSeconds", 30);
        subscription.putObject("pushConfig").put("pushEndpoint", endpoint).putObject("oidcToken")
                .put("serviceAccountEmail", PUSHER).put("audience", AUDIENCE);
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(
                        PubSubSandbox.baseUrl(world.sandbox.rootUrl()) + PUSH_SUBSCRIPTION))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(subscription.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
    }

    private static List<String> messages(ServiceProcess service) {
        JsonNode items = service.api("/api/messages?mailbox=support&limit=500").path("items");
        return StreamSupport.stream(items.spliterator(), false).map(m -> m.path("gmailId").asText()).toList();
    }
}

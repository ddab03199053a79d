package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.delivery.fcm.ServiceAccount;
import io.mailroute.delivery.webhook.WebhookSender;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The receivers refuse what the real providers refuse, in the providers' shapes (raw HTTP, no senders). */
class PushReceiversIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static GmailSandbox sandbox;
    /** The audience Google's token endpoint expects, wherever it is reached (the sandbox expects the same). */
    static final String GOOGLE_AUDIENCE = "https://oauth2.googleapis.com/token";
    static ServiceAccount account;
    static String accessToken;

    @BeforeAll
    static void start() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        account = FcmReceiver.testAccount(sandbox.rootUrl());
        HttpResponse<String> token = tokenRequest(assertion(GOOGLE_AUDIENCE, "https://www.googleapis.com/auth/"
                + "firebase.messaging", Instant.now().getEpochSecond(), Instant.now().getEpochSecond() + 3600));
        assertEquals(200, token.statusCode(), token.body());
        JsonNode body = JSON.readTree(token.body());
        assertEquals("Bearer", body.get("token_type").asText());
        assertEquals(3599, body.get("expires_in").asInt());
        accessToken = body.get("access_token").asText();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static String assertion(String aud, String scope, long iat, long exp) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(JSON.createObjectNode().put("iss", account.clientEmail())
                .put("scope", scope).put("aud", aud).put("iat", iat).put("exp", exp).toString()
                .getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(account.privateKey());
        rs256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + b64.encodeToString(rs256.sign());
    }

    static HttpResponse<String> tokenRequest(String assertion) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(account.tokenUri()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type="
                        + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
                        + "&assertion=" + assertion))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> fcmSend(String bearer, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(FcmReceiver.baseUrl(sandbox.rootUrl())
                        + "v1/projects/" + FcmReceiver.PROJECT_ID + "/messages:send"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("error");
    }

    @Test
    void tokenEndpointChecksAudienceLifetimeScopeAndSignature() throws Exception {
        long now = Instant.now().getEpochSecond();
        String scope = "https://www.googleapis.com/auth/firebase.messaging";
        HttpResponse<String> wrongAud = tokenRequest(assertion(account.tokenUri(), scope, now, now + 3600));
        assertEquals(400, wrongAud.statusCode());
        assertEquals("invalid_grant", JSON.readTree(wrongAud.body()).get("error").asText());
        assertTrue(wrongAud.body().contains("audience"), wrongAud.body());

        assertEquals(400, tokenRequest(assertion(GOOGLE_AUDIENCE, scope, now, now + 7200)).statusCode(),
                "longer than an hour");
        assertEquals(400, tokenRequest(assertion(GOOGLE_AUDIENCE, scope, now - 7200, now - 3600)).statusCode(),
                "expired");
        HttpResponse<String> noScope = tokenRequest(assertion(GOOGLE_AUDIENCE,
                "https://www.googleapis.com/auth/gmail.send", now, now + 3600));
        assertEquals("invalid_scope", JSON.readTree(noScope.body()).get("error").asText());

        String good = assertion(GOOGLE_AUDIENCE, scope, now, now + 3600);
        String tampered = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
        HttpResponse<String> badSignature = tokenRequest(tampered);
        assertEquals(400, badSignature.statusCode());
        assertEquals("Invalid JWT Signature.", JSON.readTree(badSignature.body()).get("error_description").asText());
    }

    @Test
    void sendWithoutOrWithAnUnknownBearerIsUnauthenticated() throws Exception {
        String message = "{\"message\":{\"token\":\"t\",\"notification\":{\"title\":\"x\"}}}";
        HttpResponse<String> none = fcmSend(null, message);
        assertEquals(401, none.statusCode());
        assertEquals("UNAUTHENTICATED", error(none).get("status").asText());
        HttpResponse<String> unknown = fcmSend("ya29.made-up", message);
        assertEquals(401, unknown.statusCode());
        assertTrue(unknown.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
    }

    @Test
    void sendRefusesWhatFcmsParserRefuses() throws Exception {
        HttpResponse<String> number = fcmSend(accessToken, "{\"message\":{\"token\":\"t\",\"data\":{\"n\":12}}}");
        assertEquals(400, number.statusCode());
        JsonNode numberError = error(number);
        assertEquals("INVALID_ARGUMENT", numberError.get("status").asText());
        assertEquals("type.googleapis.com/google.rpc.BadRequest", numberError.at("/details/0/@type").asText());
        assertEquals("message.data[0].value", numberError.at("/details/0/fieldViolations/0/field").asText());

        HttpResponse<String> reserved = fcmSend(accessToken, "{\"message\":{\"token\":\"t\",\"data\":{\"from\":\"x\"}}}");
        assertEquals(400, reserved.statusCode());
        assertEquals("INVALID_ARGUMENT", error(reserved).at("/details/0/errorCode").asText());

        HttpResponse<String> typo = fcmSend(accessToken, "{\"message\":{\"token\":\"t\",\"notifcation\":{}}}");
        assertEquals(400, typo.statusCode());
        assertTrue(error(typo).get("message").asText().contains("Unknown name \"notifcation\""), typo.body());

        HttpResponse<String> noRecipient = fcmSend(accessToken, "{\"message\":{\"notification\":{\"title\":\"x\"}}}");
        assertEquals(400, noRecipient.statusCode());

        HttpResponse<String> lowercasePriority = fcmSend(accessToken,
                "{\"message\":{\"token\":\"t\",\"android\":{\"priority\":\"high\"}}}");
        assertEquals(400, lowercasePriority.statusCode());

        HttpResponse<String> big = fcmSend(accessToken, "{\"message\":{\"token\":\"t\",\"data\":{\"k\":\""
                + "x".repeat(5000) + "\"}}}");
        assertEquals(400, big.statusCode());

        assertFalse(sandbox.admin().pushInbox().of("fcm").stream().filter(p -> p.target().equals("t"))
                .anyMatch(PushInbox.Push::accepted), "nothing malformed was accepted");
    }

    @Test
    void webhookRefusesATamperedBodyAndAMismatchedDeliveryHeader() throws Exception {
        WebhookReceiver hook = WebhookReceiver.of(sandbox);
        byte[] secret = "raw-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        hook.setSecret(secret);
        String body = "{\"deliveryId\":\"d1\",\"eventId\":\"e\",\"eventType\":\"t\",\"title\":\"x\",\"body\":\"y\","
                + "\"url\":null,\"data\":{}}";
        String ts = Long.toString(Instant.now().getEpochSecond());
        String signature = WebhookSender.signature(secret, ts, body);
        URI uri = URI.create(sandbox.rootUrl() + "push/webhook/raw");

        HttpResponse<String> tampered = HTTP.send(HttpRequest.newBuilder(uri).header("X-Mailroute-Timestamp", ts)
                .header("X-Mailroute-Signature", signature).header("X-Mailroute-Delivery", "d1")
                .POST(HttpRequest.BodyPublishers.ofString(body.replace("\"x\"", "\"X\""))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, tampered.statusCode());

        HttpResponse<String> mismatched = HTTP.send(HttpRequest.newBuilder(uri).header("X-Mailroute-Timestamp", ts)
                .header("X-Mailroute-Signature", signature).header("X-Mailroute-Delivery", "d2")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, mismatched.statusCode());
        assertTrue(WebhookSender.verify(secret, ts, body, signature, Clock.systemUTC(), java.time.Duration.ofMinutes(1)));
    }

    @Test
    void appWorksRefusesJsonBodiesAndMessagesWithoutTheStandardFields() throws Exception {
        AppWorksReceiver gateway = AppWorksReceiver.of(sandbox);
        URI uri = URI.create(AppWorksReceiver.gatewayUrl(sandbox.rootUrl()) + "gateway/v2/notifications");
        HttpResponse<String> json = HTTP.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, json.statusCode());

        String noHeader = "key=" + URLEncoder.encode(gateway.trustedServerKey(), StandardCharsets.UTF_8)
                + "&users=otto&message=" + URLEncoder.encode("{\"type\":\"a\",\"body\":\"b\"}", StandardCharsets.UTF_8);
        HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(noHeader)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("header"), missing.body());
    }
}

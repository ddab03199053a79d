package io.mailroute.delivery.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.ScriptedHttpClient;
import io.mailroute.delivery.ScriptedHttpClient.Answer;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.SendResult.Outcome;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import io.mailroute.testing.MutableClock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FcmSenderTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN_URI = "https://oauth2.example/token";
    static final Notification NOTIFICATION = new Notification("dlv-7", "evt-7", "case.created", "New case #42",
            "Printer on fire, support queue.", "https://work.example/items/42",
            Map.of("itemId", "42", "priority", "high"));
    static final PushTarget DEVICE = new PushTarget("mobile", "ana", "device-token-abc", Map.of());
    static KeyPair keys;
    static ServiceAccount account;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        account = new ServiceAccount("acme-prod", "push@acme-prod.iam.gserviceaccount.com",
                (RSAPrivateKey) keys.getPrivate(), TOKEN_URI);
    }


    /** A fake Google: token endpoint issuing tok-1, tok-2, ...; messages:send answering {@code send}. */
    static ScriptedHttpClient google(AtomicInteger tokensIssued, ScriptedHttpClient.Script send) {
        return google(tokensIssued, 3599, send);
    }

    /** The same, with tokens that live {@code expiresIn} seconds. */
    static ScriptedHttpClient google(AtomicInteger tokensIssued, int expiresIn, ScriptedHttpClient.Script send) {
        return new ScriptedHttpClient(r -> {
            if (r.uri().toString().equals(TOKEN_URI)) {
                return Answer.of(200, "{\"access_token\":\"tok-" + tokensIssued.incrementAndGet()
                        + "\",\"expires_in\":" + expiresIn + ",\"token_type\":\"Bearer\"}");
            }
            return send.answer(r);
        });
    }

    static ScriptedHttpClient.Script ok() {
        return r -> Answer.of(200, "{\"name\":\"projects/acme-prod/messages/0:1500415314455276%31bd1c96\"}");
    }

    private static MutableClock startClock() {
        return new MutableClock(Instant.parse("2026-03-01T09:00:00Z"));
    }

    @Test
    void sendsTheV1MessageForANotification() throws Exception {
        ScriptedHttpClient http = google(new AtomicInteger(), ok());
        SendResult result = new FcmSender(account, "https://fcm.example/", http, startClock())
                .send(NOTIFICATION, DEVICE);

        assertEquals(Outcome.DELIVERED, result.outcome());
        assertEquals("projects/acme-prod/messages/0:1500415314455276%31bd1c96", result.providerId());
        ScriptedHttpClient.Sent send = http.sentTo(":send").get(0);
        assertEquals("https://fcm.example/v1/projects/acme-prod/messages:send", send.uri().toString());
        assertEquals("Bearer tok-1", send.header("Authorization"));
        assertTrue(send.header("Content-Type").startsWith("application/json"));
        JsonNode expected = JSON.readTree("""
                {"message":{
                  "token":"device-token-abc",
                  "notification":{"title":"New case #42","body":"Printer on fire, support queue."},
                  "data":{"itemId":"42","priority":"high","deliveryId":"dlv-7","eventId":"evt-7",
                          "eventType":"case.created","url":"https://work.example/items/42"},
                  "android":{"priority":"HIGH"},
                  "apns":{"headers":{"apns-priority":"10"}},
                  "webpush":{"fcm_options":{"link":"https://work.example/items/42"}}
                }}""");
        assertEquals(expected, JSON.readTree(send.body()));
    }

    @Test
    void baseUrlWithoutTrailingSlashStillFormsTheV1Path() throws Exception {
        ScriptedHttpClient http = google(new AtomicInteger(), ok());
        new FcmSender(account, "http://127.0.0.1:9/push/fcm", http, startClock()).send(NOTIFICATION, DEVICE);
        assertEquals("http://127.0.0.1:9/push/fcm/v1/projects/acme-prod/messages:send",
                http.sentTo(":send").get(0).uri().toString());
    }

    @Test
    void eventDataCannotShadowTheDeliveryIdAndReservedKeysFailBeforeSending() throws Exception {
        Notification shadowing = new Notification("dlv-real", "e", "t", "x", "y", null,
                Map.of("deliveryId", "spoofed"));
        JsonNode data = JSON.readTree(FcmMessage.json(shadowing, "tok")).at("/message/data");
        assertEquals("dlv-real", data.get("deliveryId").asText());
        assertFalse(JSON.readTree(FcmMessage.json(shadowing, "tok")).at("/message").has("webpush"),
                "no link without an https URL");

        for (String reserved : new String[] {"from", "message_type", "google.sent_time", "gcm.notification.x",
                "Google"}) {
            ScriptedHttpClient http = google(new AtomicInteger(), ok());
            SendResult result = new FcmSender(account, "https://fcm.example/", http, startClock())
                    .send(new Notification("d", "e", "t", "x", "y", null, Map.of(reserved, "v")), DEVICE);
            assertEquals(Outcome.FAILED, result.outcome(), reserved);
            assertTrue(result.detail().contains(reserved), result.detail());
            assertTrue(http.sent().isEmpty(), "nothing goes on the wire for " + reserved);
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "404, NOT_FOUND,          UNREGISTERED,           TARGET_GONE",
        "400, INVALID_ARGUMENT,   INVALID_ARGUMENT,       FAILED",
        "403, PERMISSION_DENIED,  SENDER_ID_MISMATCH,     FAILED",
        "401, UNAUTHENTICATED,    THIRD_PARTY_AUTH_ERROR, FAILED",
        "429, RESOURCE_EXHAUSTED, QUOTA_EXCEEDED,         RETRY",
        "503, UNAVAILABLE,        UNAVAILABLE,            RETRY",
        "500, INTERNAL,           INTERNAL,               RETRY",
        "400, INVALID_ARGUMENT,   '',                     FAILED",
        "403, PERMISSION_DENIED,  '',                     FAILED",
        "404, NOT_FOUND,          '',                     FAILED",
        "429, RESOURCE_EXHAUSTED, '',                     RETRY",
        "502, '',                 '',                     RETRY",
        "503, UNAVAILABLE,        UNSPECIFIED_ERROR,      RETRY",
        "400, INVALID_ARGUMENT,   SOME_NEW_CODE,          FAILED",
    })
    void errorAnswersMapToOutcomes(int status, String googleStatus, String errorCode, Outcome expected)
            throws Exception {
        String details = errorCode.isEmpty() ? "" : ",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"" + errorCode + "\"}]";
        String body = "{\"error\":{\"code\":" + status + ",\"message\":\"m\",\"status\":\"" + googleStatus + "\""
                + details + "}}";
        ScriptedHttpClient http = google(new AtomicInteger(),
                r -> Answer.of(status, body).withHeader("Retry-After", "30"));
        SendResult result = new FcmSender(account, "https://fcm.example/", http, startClock())
                .send(NOTIFICATION, DEVICE);

        assertEquals(expected, result.outcome(), result.detail());
        assertTrue(result.detail().contains(Integer.toString(status)), result.detail());
        assertFalse(result.detail().contains("device-token-abc"), "the device token stays out of details");
        if (expected == Outcome.RETRY) {
            assertEquals(Duration.ofSeconds(30), result.retryAfter());
        } else {
            assertNull(result.retryAfter());
        }
        assertEquals(1, http.sentTo(":send").size(), "no hidden retries");
    }

    @Test
    void aRefusedAccessTokenIsRefreshedOnceAndTheSendRetried() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        String unauthenticated = "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication"
                + " credentials.\",\"status\":\"UNAUTHENTICATED\"}}";
        ScriptedHttpClient http = google(issued, r -> r.header("Authorization").equals("Bearer tok-1")
                ? Answer.of(401, unauthenticated) : ok().answer(r));
        FcmSender sender = new FcmSender(account, "https://fcm.example/", http, startClock());

        assertEquals(Outcome.DELIVERED, sender.send(NOTIFICATION, DEVICE).outcome());
        assertEquals(2, issued.get());
        assertEquals(2, http.sentTo(":send").size());
        assertEquals("Bearer tok-2", http.sentTo(":send").get(1).header("Authorization"));

        ScriptedHttpClient alwaysRefused = google(new AtomicInteger(), r -> Answer.of(401, unauthenticated));
        SendResult result = new FcmSender(account, "https://fcm.example/", alwaysRefused, startClock())
                .send(NOTIFICATION, DEVICE);
        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(2, alwaysRefused.sentTo(":send").size(), "once refreshed, then given up: no loop");
    }

    @Test
    void thirdPartyAuthErrorIsNotMistakenForAStaleToken() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        ScriptedHttpClient http = google(issued, r -> Answer.of(401, "{\"error\":{\"code\":401,\"status\":"
                + "\"UNAUTHENTICATED\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\","
                + "\"errorCode\":\"THIRD_PARTY_AUTH_ERROR\"}]}}"));
        assertEquals(Outcome.FAILED, new FcmSender(account, "https://fcm.example/", http, startClock())
                .send(NOTIFICATION, DEVICE).outcome());
        assertEquals(1, issued.get());
    }

    @Test
    void oneTokenServesManySendsUntilShortlyBeforeExpiry() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        ScriptedHttpClient http = google(issued, ok());
        FcmSender sender = new FcmSender(account, "https://fcm.example/", http, startClock());
        for (int i = 0; i < 20; i++) {
            sender.send(NOTIFICATION, DEVICE);
        }
        assertEquals(1, issued.get(), "one token call for many sends");
        assertEquals("Bearer tok-1", http.sentTo(":send").get(19).header("Authorization"));

        // the credential library keeps time itself: token lifetimes either side of the 5-minute margin
        AtomicInteger kept = new AtomicInteger();
        FcmSender roomy = new FcmSender(account, "https://fcm.example/", google(kept, 360, ok()), startClock());
        for (int i = 0; i < 3; i++) {
            roomy.send(NOTIFICATION, DEVICE);
        }
        assertEquals(1, kept.get(), "6 minutes left: kept");

        AtomicInteger refreshed = new AtomicInteger();
        ScriptedHttpClient shortLived = google(refreshed, 240, ok());
        FcmSender tight = new FcmSender(account, "https://fcm.example/", shortLived, startClock());
        for (int i = 0; i < 3; i++) {
            tight.send(NOTIFICATION, DEVICE);
        }
        assertEquals(3, refreshed.get(), "within 5 minutes of expiry: refreshed before each send");
        assertEquals("Bearer tok-3", shortLived.sentTo(":send").get(2).header("Authorization"));
    }

    @Test
    void tokenRequestIsAJwtBearerGrantWithAnRs256AssertionWithTheRightClaims() throws Exception {
        ScriptedHttpClient http = google(new AtomicInteger(), ok());
        long before = Instant.now().getEpochSecond();
        new FcmSender(account, "https://fcm.example/", http, startClock()).send(NOTIFICATION, DEVICE);
        long after = Instant.now().getEpochSecond();

        ScriptedHttpClient.Sent token = http.sent().get(0);
        assertEquals(TOKEN_URI, token.uri().toString());
        assertTrue(token.header("Content-Type").startsWith("application/x-www-form-urlencoded"),
                token.header("Content-Type"));
        Map<String, String> form = new java.util.HashMap<>();
        for (String pair : token.body().split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        assertEquals("urn:ietf:params:oauth:grant-type:jwt-bearer", form.get("grant_type"));
        String[] jwt = form.get("assertion").split("\\.");
        assertEquals(3, jwt.length);
        Base64.Decoder b64 = Base64.getUrlDecoder();
        JsonNode header = JSON.readTree(b64.decode(jwt[0]));
        JsonNode claims = JSON.readTree(b64.decode(jwt[1]));
        assertEquals("RS256", header.get("alg").asText());
        assertEquals("push@acme-prod.iam.gserviceaccount.com", claims.get("iss").asText());
        assertEquals("https://www.googleapis.com/auth/firebase.messaging", claims.get("scope").asText());
        assertEquals("https://oauth2.googleapis.com/token", claims.get("aud").asText(),
                "Google's audience, though the exchange goes to the key's token_uri");
        long iat = claims.get("iat").asLong();
        assertTrue(before <= iat && iat <= after, "issued now (the library's clock): " + iat);
        assertEquals(iat + 3600, claims.get("exp").asLong());
        assertFalse(form.get("assertion").contains("="), "base64url without padding");

        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(keys.getPublic());
        rs256.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(b64.decode(jwt[2])), "signature verifies with the account's public key");
    }

    @Test
    void tokenEndpointRefusalFailsAndItsOutageRetries() throws Exception {
        ScriptedHttpClient refused = new ScriptedHttpClient(r -> Answer.of(400,
                "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}"));
        SendResult failed = new FcmSender(account, "https://fcm.example/", refused, startClock())
                .send(NOTIFICATION, DEVICE);
        assertEquals(Outcome.FAILED, failed.outcome());
        assertTrue(failed.detail().contains("invalid_grant"), failed.detail());

        ScriptedHttpClient down = new ScriptedHttpClient(r -> Answer.of(503, "").withHeader("Retry-After", "7"));
        SendResult retry = new FcmSender(account, "https://fcm.example/", down, startClock())
                .send(NOTIFICATION, DEVICE);
        assertEquals(Outcome.RETRY, retry.outcome());
        assertEquals(Duration.ofSeconds(7), retry.retryAfter());
    }

    @Test
    void serviceAccountReadsGoogleKeyFilesAndNeverPrintsTheKey() {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        String json = JSON.createObjectNode().put("type", "service_account").put("project_id", "acme-prod")
                .put("private_key_id", "abc").put("private_key", pem)
                .put("client_email", "push@acme-prod.iam.gserviceaccount.com")
                .put("token_uri", "https://oauth2.googleapis.com/token").toString();
        ServiceAccount read = ServiceAccount.fromJson(json);
        assertEquals("acme-prod", read.projectId());
        assertEquals("push@acme-prod.iam.gserviceaccount.com", read.clientEmail());
        assertEquals(keys.getPrivate(), read.privateKey());
        assertEquals("https://oauth2.googleapis.com/token", read.tokenUri());
        assertFalse(read.toString().contains(((RSAPrivateKey) keys.getPrivate()).getModulus().toString().substring(0, 20)));

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ServiceAccount.fromJson(json.replace("client_email", "clientEmail")));
        assertTrue(missing.getMessage().contains("client_email"), missing.getMessage());
        IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
                () -> ServiceAccount.fromJson(json.replace("MII", "XYZ")));
        assertTrue(broken.getMessage().contains("private_key"));
        assertFalse(broken.getMessage().contains("BEGIN"), "the key's text is not echoed");
    }

    @Test
    void aBadKeyFileIsAProblemNamingTheChannelAndTheFieldNeverTheKey(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("channels.yaml");
        java.nio.file.Files.writeString(file, """
                channels:
                  phones:
                    type: fcm
                    serviceAccount: env:FCM_KEY
                """);
        io.mailroute.delivery.ChannelsConfig channels = io.mailroute.delivery.ChannelsFile.load(file);
        String pem = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC7-not-a-key\n"
                + "-----END PRIVATE KEY-----\n";
        String broken = JSON.createObjectNode().put("type", "service_account").put("project_id", "acme-prod")
                .put("private_key", pem).put("client_email", "push@acme-prod.iam.gserviceaccount.com").toString();

        java.util.List<io.mailroute.config.ConfigProblem> problems = io.mailroute.delivery.PushSenders.check(channels,
                file.toString(), Map.of("FCM_KEY", broken)::get, false, new ScriptedHttpClient(r -> Answer.of(500, "")));
        assertEquals(1, problems.size(), problems.toString());
        String said = problems.get(0).key() + ": " + problems.get(0).problem();
        assertTrue(said.startsWith("channels.phones"), said);
        assertTrue(said.contains("\"private_key\" is not an RSA PKCS#8 PEM key"), said);
        assertFalse(said.contains("MIIEvgIBADAN"), "the key's text is not echoed: " + said);

        java.util.List<io.mailroute.config.ConfigProblem> unset = io.mailroute.delivery.PushSenders.check(channels,
                file.toString(), Map.<String, String>of()::get, false, new ScriptedHttpClient(r -> Answer.of(500, "")));
        assertEquals("channels.phones.serviceAccount", unset.get(0).key());
        assertTrue(unset.get(0).problem().contains("environment variable FCM_KEY is not set"), unset.get(0).problem());
    }
}

package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mailroute.delivery.SendResult.Outcome;
import io.mailroute.delivery.appworks.AppWorksSender;
import io.mailroute.delivery.fcm.FcmSender;
import io.mailroute.delivery.fcm.ServiceAccount;
import io.mailroute.delivery.webhook.WebhookSender;
import io.mailroute.delivery.webpush.P256Keys;
import io.mailroute.delivery.webpush.VapidKeys;
import io.mailroute.delivery.webpush.WebPushSender;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every push sender against a provider on loopback that answers badly: with a body that never ends (read to a bound,
 * then the connection dropped) and with hostile text (never in the delivery's detail, only in what the log gets).
 */
class ProviderAnswersTest {

    /** What no API answer may carry: markup, and something that looks like a credential. */
    static final String HOSTILE = "<script>alert(document.cookie)</script> sk_live_51HxProviderLeakedSecret9";
    private static final String HOSTILE_FCM_ERROR = "{\"error\":{\"code\":400,\"message\":\"" + HOSTILE + "\",\"status\":"
            + "\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\","
            + "\"errorCode\":\"<b>sk_live_51HxCode</b>\"}]}}";
    private static final String HOSTILE_TOKEN_ERROR = "{\"error\":\"invalid_grant <script>\",\"error_description\":\""
            + HOSTILE + "\"}";
    private static final Notification NOTIFICATION = new Notification("dlv-1", "evt-1", "case.created", "New case",
            "Printer on fire", null, Map.of("itemId", "42"));
    private static final Map<String, String> BROWSER_KEYS = Map.of(
            "p256dh", P256Keys.base64Url(P256Keys.encode((ECPublicKey) P256Keys.generate().getPublic())),
            "auth", P256Keys.base64Url(new byte[16]));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpServer provider;
    static String root;
    static RSAPrivateKey serviceAccountKey;
    /** One entry per endless answer that ended: how the provider's writing stopped. */
    static final ConcurrentLinkedQueue<Throwable> hungUp = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        serviceAccountKey = (RSAPrivateKey) rsa.generateKeyPair().getPrivate();
        provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.setExecutor(Executors.newCachedThreadPool());
        provider.createContext("/endless", ProviderAnswersTest::endless);
        provider.createContext("/hostile", exchange -> answer(exchange, 400, HOSTILE));
        provider.createContext("/token-ok", exchange -> answer(exchange, 200,
                "{\"access_token\":\"ya29.test\",\"expires_in\":3600,\"token_type\":\"Bearer\"}"));
        provider.createContext("/token-hostile", exchange -> answer(exchange, 400, HOSTILE_TOKEN_ERROR));
        provider.createContext("/fcm-hostile", exchange -> answer(exchange, 400, HOSTILE_FCM_ERROR));
        provider.start();
        root = "http://127.0.0.1:" + provider.getAddress().getPort() + "/";
    }

    @AfterAll
    static void stop() {
        provider.stop(0);
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void endless(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(400, 0);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) '<');
        try (OutputStream out = exchange.getResponseBody()) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            hungUp.add(e);
        }
    }

    private static PushSender sender(String type, String path) {
        return switch (type) {
            case "webhook" -> new WebhookSender(root + path, "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), HTTP,
                    Clock.systemUTC());
            case "appworks" -> new AppWorksSender(root + path, "mailroute", "trusted-key", "mailroute", HTTP);
            case "webpush" -> new WebPushSender(VapidKeys.generate(), "mailto:ops@acme.example", HTTP, Clock.systemUTC(),
                    Duration.ofMinutes(5));
            case "fcm" -> new FcmSender(new ServiceAccount("p", "push@p.iam.gserviceaccount.com", serviceAccountKey,
                    root + "token-ok"), root + path, HTTP, Clock.systemUTC());
            case "fcm-token" -> new FcmSender(new ServiceAccount("p", "push@p.iam.gserviceaccount.com", serviceAccountKey,
                    root + path), root, HTTP, Clock.systemUTC());
            default -> throw new IllegalArgumentException(type);
        };
    }

    private static PushTarget target(String type, String path) {
        return type.equals("webpush") ? new PushTarget("browser", "ana", root + path, BROWSER_KEYS)
                : new PushTarget(type, "ana", "device-or-user-1", Map.of());
    }

    /** Sends on another thread: against an unbounded read it would never come back, which fails here, not hangs. */
    private static SendResult send(String type, String path) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return sender(type, path).send(NOTIFICATION, target(type, path));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).get(2, TimeUnit.MINUTES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"webhook", "appworks", "webpush", "fcm", "fcm-token"})
    void anEndlessAnswerIsCutOffAndTheDeliveryStillGetsAnOutcome(String type) throws Exception {
        int before = hungUp.size();

        SendResult result = send(type, "endless");

        assertEquals(Outcome.FAILED, result.outcome(), result.detail());
        assertTrue(result.detail().contains("400"), result.detail());
        CompletableFuture.runAsync(() -> {
            while (hungUp.size() == before) {
                sleep(10);
            }
        }).get(1, TimeUnit.MINUTES);
        assertInstanceOf(IOException.class, hungUp.stream().skip(before).findFirst().orElseThrow(),
                "we hung up on the provider rather than read on");
    }

    @ParameterizedTest
    @ValueSource(strings = {"webhook", "appworks", "webpush"})
    void aProvidersTextGoesToTheLogNotToTheDetail(String type) throws Exception {
        SendResult result = send(type, "hostile");

        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.detail().startsWith(type + " 400"), result.detail());
        assertClean(result.detail());
        assertEquals(HOSTILE, result.providerSaid(), "the log gets what it said");
    }

    @Test
    void fcmKeepsItsErrorCodesOnlyWhenTheyLookLikeCodes() throws Exception {
        SendResult send = send("fcm", "fcm-hostile");
        assertEquals("fcm 400 INVALID_ARGUMENT", send.detail(), "the FCM error code was not a code, Google's status is");
        assertEquals(HOSTILE, send.providerSaid());

        SendResult token = send("fcm-token", "token-hostile");
        assertEquals(Outcome.FAILED, token.outcome());
        assertTrue(token.detail().startsWith("fcm token endpoint 400 ("), token.detail());
        assertClean(token.detail());
        assertEquals(HOSTILE, token.providerSaid());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void assertClean(String text) {
        assertFalse(text.contains("<"), text);
        assertFalse(text.contains("sk_live"), text);
        assertFalse(text.contains("script"), text);
    }
}

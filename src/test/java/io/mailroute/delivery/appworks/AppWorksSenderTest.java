package io.mailroute.delivery.appworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.ScriptedHttpClient;
import io.mailroute.delivery.ScriptedHttpClient.Answer;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.SendResult.Outcome;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppWorksSenderTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Notification NOTIFICATION = new Notification("dlv-3", "evt-3", "approval.requested",
            "Approve invoice 7781?", "Acme Ltd, 1 240 EUR & VAT.", "https://work.example/approvals/7781",
            Map.of("itemId", "7781"));
    static final PushTarget USER = new PushTarget("appworks", "otto", "otto.meier", Map.of());

    static AppWorksSender sender(ScriptedHttpClient http) {
        return new AppWorksSender("https://gw.example/", "mailroute", "k3y+with/odd=chars", "mailroute-approvals",
                http);
    }

    static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return form;
    }

    @Test
    void postsTheTrustedServerFormWithKeyUsersAndMessage() throws Exception {
        ScriptedHttpClient http = new ScriptedHttpClient(r -> Answer.of(200, "{}"));
        SendResult result = sender(http).send(NOTIFICATION, USER);

        assertEquals(Outcome.DELIVERED, result.outcome());
        ScriptedHttpClient.Sent sent = http.sent().get(0);
        assertEquals("POST", sent.method());
        assertEquals("https://gw.example/gateway/v2/notifications", sent.uri().toString());
        assertEquals("application/x-www-form-urlencoded", sent.header("Content-Type"));
        Map<String, String> form = form(sent.body());
        assertEquals(java.util.Set.of("key", "users", "message"), form.keySet());
        assertEquals("k3y+with/odd=chars", form.get("key"), "the key survives form encoding");
        assertEquals("otto.meier", form.get("users"));
        assertEquals(JSON.readTree("""
                {"type":"mailroute-approvals","displayType":"show","header":"Approve invoice 7781?",
                 "body":"Acme Ltd, 1 240 EUR & VAT.","source":"mailroute","deliveryId":"dlv-3","eventId":"evt-3",
                 "eventType":"approval.requested","url":"https://work.example/approvals/7781",
                 "data":{"itemId":"7781"}}"""), JSON.readTree(form.get("message")));
        assertTrue(sent.timeout().isPresent());
    }

    @Test
    void gatewayUrlWithoutTrailingSlashAndUserIdsWithCommasAreHandled() throws Exception {
        ScriptedHttpClient http = new ScriptedHttpClient(r -> Answer.of(200, ""));
        new AppWorksSender("http://127.0.0.1:9/push/appworks", "s", "k", "a", http).send(NOTIFICATION, USER);
        assertEquals("http://127.0.0.1:9/push/appworks/gateway/v2/notifications", http.sent().get(0).uri().toString());

        SendResult twoPeople = new AppWorksSender("https://gw.example/", "s", "k", "a", http)
                .send(NOTIFICATION, new PushTarget("appworks", "x", "otto,eve", Map.of()));
        assertEquals(Outcome.FAILED, twoPeople.outcome(), "a comma would address a second user");
        assertEquals(1, http.sent().size());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"200, DELIVERED", "204, DELIVERED", "401, FAILED", "403, FAILED", "404, FAILED", "400, FAILED",
        "429, RETRY", "500, RETRY", "503, RETRY"})
    void statusMapsToOutcome(int status, Outcome expected) throws Exception {
        ScriptedHttpClient http = new ScriptedHttpClient(r -> Answer.of(status, "").withHeader("Retry-After", "9"));
        SendResult result = sender(http).send(NOTIFICATION, USER);
        assertEquals(expected, result.outcome(), result.detail());
        if (expected == Outcome.RETRY) {
            assertEquals(Duration.ofSeconds(9), result.retryAfter());
        }
        assertFalse(result.detail().contains("k3y"), "the key stays out of details");
    }

    @Test
    void networkFailureIsRetried() throws Exception {
        ScriptedHttpClient down = new ScriptedHttpClient(r -> {
            throw new IOException("Connection reset");
        });
        assertEquals(Outcome.RETRY, sender(down).send(NOTIFICATION, USER).outcome());
    }
}

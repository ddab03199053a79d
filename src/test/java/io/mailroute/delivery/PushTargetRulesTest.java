package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.delivery.webpush.P256Keys;
import java.security.interfaces.ECPublicKey;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PushTargetRulesTest {

    /** A real subscription's keys: a P-256 point and a 16-byte auth secret. */
    private static final Map<String, String> KEYS = Map.of(
            "p256dh", P256Keys.base64Url(P256Keys.encode((ECPublicKey) P256Keys.generate().getPublic())),
            "auth", P256Keys.base64Url(new byte[16]));

    private static Optional<PushTargetRules.Problem> webPush(String endpoint) {
        return PushTargetRules.problem("webpush", endpoint, KEYS);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://fcm.googleapis.com/fcm/send/cXk3:APA91bH",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
        "https://web.push.apple.com/QGuQyavXutnMei",
        "https://8.8.8.8/push/1",                  // a public IP literal: unusual, not refused
        "http://127.0.0.1:8025/push/webpush/abc",  // the sandbox
        "http://127.3.4.5/push",
        "http://localhost:8025/push/webpush/abc",
        "http://[::1]:8025/push/webpush/abc",
        "https://127.0.0.1:8443/push",
    })
    void publicHttpsPushServicesAndTheSandboxOnLoopbackAreAccepted(String endpoint) {
        assertEquals(Optional.empty(), webPush(endpoint));
        assertEquals(endpoint, PushTargetRules.webPushEndpoint(endpoint).toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http://push.example.com/sub/1             | https URL",
        "ftp://push.example.com/sub/1              | https URL",
        "file:///etc/passwd                        | https URL",
        "/relative/endpoint                        | https URL",
        "https://user:pw@push.example.com/sub/1    | no user name",
        "https:///no-host                          | https URL",
        "https://10.0.0.7/push                     | private, link-local",
        "https://172.16.1.1/push                   | private, link-local",
        "https://192.168.1.10/push                 | private, link-local",
        "https://169.254.169.254/latest/meta-data  | private, link-local",
        "https://100.64.0.1/push                   | private, link-local",
        "https://0.0.0.0/push                      | private, link-local",
        "https://[fd00::1]/push                    | private, link-local",
        "https://[fe80::1]/push                    | private, link-local",
        "https://[::ffff:10.0.0.1]/push            | private, link-local",
        "https://224.0.0.1/push                    | private, link-local",
        "http://10.0.0.7/push                      | https URL",
        "https://127.1/push                        | https URL",
        "https://010.0.0.1/push                    | not a valid IP address",
        "https://push.example.com/a b              | not a URL",
    })
    void otherEndpointsAreRefusedNamingTheAddressAndTheRule(String endpoint, String rule) {
        PushTargetRules.Problem problem = webPush(endpoint).orElseThrow();
        assertEquals("address", problem.field());
        assertTrue(problem.rule().contains(rule), problem.rule());
        IllegalArgumentException atSend = assertThrows(IllegalArgumentException.class,
                () -> PushTargetRules.webPushEndpoint(endpoint));
        assertEquals(problem.toString(), atSend.getMessage(), "one rule for registering and sending");
    }

    @Test
    void aWebPushSubscriptionNeedsItsTwoKeys() {
        assertEquals("keys.p256dh", PushTargetRules.problem("webpush", "https://push.example.com/1", Map.of()).orElseThrow().field());
        assertEquals("keys.p256dh", PushTargetRules.problem("webpush", "https://push.example.com/1",
                Map.of("p256dh", P256Keys.base64Url(new byte[65]), "auth", KEYS.get("auth"))).orElseThrow().field());
        assertEquals("keys.auth", PushTargetRules.problem("webpush", "https://push.example.com/1",
                Map.of("p256dh", KEYS.get("p256dh"), "auth", P256Keys.base64Url(new byte[15]))).orElseThrow().field());
        assertEquals("keys.auth", PushTargetRules.problem("webpush", "https://push.example.com/1",
                Map.of("p256dh", KEYS.get("p256dh"), "auth", "not base64url!")).orElseThrow().field());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "fcm      | ''                          | is required",
        "fcm      | '   '                       | is required",
        "fcm      | 'tok\nen'                   | control characters",
        "fcm      | 'tok\u2028en'               | control characters",
        "fcm      | ' token'                    | spaces",
        "appworks | 'ops.team,ceo'              | comma",
        "webhook  | 'room\r\nX-Injected: 1'     | control characters",
    })
    void tokensAndIdsAreOneBoundedLine(String type, String address, String rule) {
        PushTargetRules.Problem problem = PushTargetRules.problem(type, address, Map.of()).orElseThrow();
        assertEquals("address", problem.field());
        assertTrue(problem.rule().contains(rule), problem.rule());
    }

    @Test
    void tokensMayBeLongButNotLongerThanTheColumn() {
        assertEquals(Optional.empty(), PushTargetRules.problem("fcm", "d".repeat(PushTargetRules.MAX_ADDRESS), Map.of()));
        assertTrue(PushTargetRules.problem("fcm", "d".repeat(PushTargetRules.MAX_ADDRESS + 1), Map.of()).orElseThrow()
                .rule().contains("longer than 2048"));
        assertTrue(webPush("https://push.example.com/" + "p".repeat(PushTargetRules.MAX_ADDRESS)).isPresent());
        assertEquals(Optional.empty(), PushTargetRules.problem("appworks", "ops.team", Map.of()));
        assertEquals(Optional.empty(), PushTargetRules.problem("webhook", "team-room", Map.of()));
    }

    @Test
    void onlyWebPushTargetsHaveKeys() {
        assertEquals("keys", PushTargetRules.problem("fcm", "token-1", Map.of("auth", "x")).orElseThrow().field());
    }
}

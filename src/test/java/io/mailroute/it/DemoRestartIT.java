package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo stopped and started again, as a reader does after the README's walk-through: the built-in
 * sandbox keeps its users, the grants it issued and its mail under the data directory, so the restart is
 * healthy and no mail is missed.
 */
class DemoRestartIT {

    private static final Duration WAIT = Duration.ofSeconds(300);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path work;

    @Test
    void aRestartAfterConnectingAMailboxIsHealthyAndMissesNoMail() throws Exception {
        int sandboxPort = ServiceProcess.freePort();
        ServiceProcess demo = new ServiceProcess(Path.of("config"), work.resolve("data"), Map.of(), List.of(
                "-Dmailroute.sandbox.port=" + sandboxPort,
                "-Dmailroute.tokens.key-file=" + work.resolve("keys").resolve("token.key")));
        int before;
        try (ServiceProcess first = demo.start()) {
            first.awaitUp(WAIT);
            first.await(WAIT, "hr polled", () -> "ACTIVE".equals(mailbox(first, "hr").path("state").asText()));

            connectAsTheReadmeSays(first, "hr");
            assertEquals("store", mailbox(first, "hr").path("connection").path("grant").asText());
            String added = insert(sandboxPort, "support@acme.example", "Added before the restart");
            first.await(WAIT, "the mail added before the restart", () -> has(first, "support", added));
            before = first.api("/api/messages?limit=500").path("items").size();
        }

        Instant restart = Instant.now();
        try (ServiceProcess second = demo.start()) {
            second.awaitUp(WAIT);
            for (String monitored : List.of("support", "accounts", "hr")) {
                second.await(WAIT, monitored + " polled after the restart", () -> polledSince(mailbox(second, monitored), restart));
            }
            JsonNode hr = mailbox(second, "hr");
            assertEquals("ACTIVE", hr.path("state").asText(), "the grant connect made still works: " + hr);
            assertEquals("store", hr.path("connection").path("grant").asText(), hr.toString());
            assertEquals("UP", second.healthStatus(), String.valueOf(second.health()));

            String after = insert(sandboxPort, "support@acme.example", "Added after the restart");
            second.await(WAIT, "the mail added after the restart", () -> has(second, "support", after));
            assertEquals(before + 1, second.api("/api/messages?limit=500").path("items").size(),
                    "nothing ingested twice, nothing missed");
        }
    }

    /** README "What the demo shows": connect prints an address; opening it signs in (login_hint) and comes back. */
    private static void connectAsTheReadmeSays(ServiceProcess demo, String mailbox) throws Exception {
        Process connect = demo.command("connect", mailbox).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(connect.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder printed = new StringBuilder();
        String address = null;
        for (String line; address == null && (line = output.readLine()) != null; ) {
            printed.append(line).append('\n');
            if (line.startsWith("  http")) {
                address = line.trim();
            }
        }
        assertTrue(address != null, "connect printed no address:\n" + printed);
        HttpResponse<String> consent = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                .send(HttpRequest.newBuilder(URI.create(address)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, consent.statusCode(), consent.body());
        URI back = URI.create(consent.headers().firstValue("Location").orElseThrow());
        assertEquals(200, HTTP.send(HttpRequest.newBuilder(back).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        for (String line; (line = output.readLine()) != null; ) {
            printed.append(line).append('\n');
        }
        assertTrue(connect.waitFor(60, TimeUnit.SECONDS), printed.toString());
        assertEquals(0, connect.exitValue(), printed.toString());
        assertTrue(printed.toString().contains("Connected " + mailbox + "; the running service uses the new grant now"),
                printed.toString());
    }

    /** The README's way to add mail while the demo runs: the sandbox's admin shortcut. Returns the Gmail id. */
    private static String insert(int sandboxPort, String address, String subject) throws Exception {
        String raw = "From: someone@example.com\r\nTo: " + address + "\r\nSubject: " + subject + "\r\nMessage-ID: <"
                + System.nanoTime() + "@example.com>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n\r\n" + subject + "\r\n";
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sandboxPort
                        + "/sandbox/admin/users/" + address + "/messages?labelIds=INBOX&labelIds=UNREAD"))
                .header("Content-Type", "message/rfc822").POST(HttpRequest.BodyPublishers.ofString(raw)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body()).path("id").asText();
    }

    /** A poll since then, good (a later lastSuccessAt) or not (a failure counted). */
    private static boolean polledSince(JsonNode mailbox, Instant since) {
        return mailbox.path("consecutiveFailures").asInt() > 0
                || (mailbox.hasNonNull("lastSuccessAt") && Instant.parse(mailbox.path("lastSuccessAt").asText()).isAfter(since));
    }

    private static boolean has(ServiceProcess demo, String mailbox, String gmailId) {
        return StreamSupport.stream(demo.api("/api/messages?mailbox=" + mailbox + "&limit=500").path("items").spliterator(), false)
                .anyMatch(m -> m.path("gmailId").asText().equals(gmailId));
    }

    private static JsonNode mailbox(ServiceProcess demo, String id) {
        return ConnectionLifecycleIT.mailbox(demo, id);
    }
}

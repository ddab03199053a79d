package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sandbox's own HTTP surfaces, spoken to without the Google client: admin API, token endpoint, raw protocol. */
class SandboxHttpIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static GmailSandbox sandbox;

    @BeforeAll
    static void start() throws IOException {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder post(String path, String json) {
        return HttpRequest.newBuilder(URI.create(sandbox.rootUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static String accessToken(String refreshToken) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((OAuthTokenStore.DEFAULT_CLIENT_ID + ":"
                + OAuthTokenStore.DEFAULT_CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> token = send(HttpRequest.newBuilder(URI.create(sandbox.tokenUrl()))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token="
                        + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8))));
        assertEquals(200, token.statusCode(), token.body());
        JsonNode body = json(token);
        assertEquals("Bearer", body.get("token_type").asText());
        assertEquals(3599, body.get("expires_in").asInt());
        return body.get("access_token").asText();
    }

    @Test
    void adminApiManagesUsersMailFaultsAndStats() throws Exception {
        assertEquals(200, send(post("sandbox/admin/users",
                "{\"address\":\"ops@acme.example\",\"refreshToken\":\"rt-ops\"}")).statusCode());
        JsonNode credentials = json(send(HttpRequest.newBuilder(
                URI.create(sandbox.rootUrl() + "sandbox/admin/users/ops@acme.example/credentials"))));
        assertEquals("rt-ops", credentials.get("refreshToken").asText());

        HttpResponse<String> inserted = send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl()
                        + "sandbox/admin/users/ops@acme.example/messages?labelIds=INBOX&labelIds=UNREAD"))
                .POST(HttpRequest.BodyPublishers.ofString("From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n")));
        assertEquals(200, inserted.statusCode(), inserted.body());
        String id = json(inserted).get("id").asText();

        String token = accessToken("rt-ops");
        assertEquals(200, send(post("sandbox/admin/rate-limit", "{\"requests\":1,\"retryAfterSeconds\":3}")).statusCode());
        HttpResponse<String> limited = send(HttpRequest.newBuilder(
                URI.create(sandbox.rootUrl() + "gmail/v1/users/me/messages/" + id)).header("Authorization", "Bearer " + token));
        assertEquals(429, limited.statusCode());
        assertEquals("3", limited.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("RESOURCE_EXHAUSTED", json(limited).at("/error/status").asText());
        HttpResponse<String> fetched = send(HttpRequest.newBuilder(
                URI.create(sandbox.rootUrl() + "gmail/v1/users/me/messages/" + id + "?format=minimal"))
                .header("Authorization", "Bearer " + token));
        assertEquals(200, fetched.statusCode(), fetched.body());
        assertEquals("[\"INBOX\",\"UNREAD\"]", json(fetched).get("labelIds").toString());

        JsonNode stats = json(send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl() + "sandbox/admin/stats"))));
        JsonNode ops = stats.at("/users/ops@acme.example");
        assertEquals(1, ops.get("messageCount").asInt());
        assertEquals(1, ops.get("rateLimited").asInt());
        assertEquals(2, ops.at("/requestsByMethod/messages.get").asInt());
        assertEquals(5, ops.get("quotaUnitsUsed").asInt());

        assertEquals(200, send(post("sandbox/admin/faults", "{\"errorRate\":1.0,\"errorStatus\":500}")).statusCode());
        HttpResponse<String> failed = send(HttpRequest.newBuilder(
                URI.create(sandbox.rootUrl() + "gmail/v1/users/me/profile")).header("Authorization", "Bearer " + token));
        assertEquals(500, failed.statusCode());
        assertEquals("backendError", json(failed).at("/error/errors/0/reason").asText());
        assertEquals(200, accessTokenStatus("rt-ops"), "the token endpoint is not subject to faults");
        assertEquals(200, send(post("sandbox/admin/faults", "{\"errorRate\":0}")).statusCode());

        HttpResponse<String> expiredHistory = historyList(token, "1000");
        assertEquals(200, expiredHistory.statusCode(), expiredHistory.body());
        assertEquals(200, send(post("sandbox/admin/users/ops@acme.example/expire-history", "")).statusCode());
        assertEquals(404, historyList(token, "1000").statusCode());

        assertEquals(200, send(post("sandbox/admin/users/ops@acme.example/revoke", "")).statusCode());
        assertEquals(400, accessTokenStatus("rt-ops"));
        assertEquals(401, send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl() + "gmail/v1/users/me/profile"))
                .header("Authorization", "Bearer " + token)).statusCode(), "revoking the grant revokes its access tokens");

        HttpResponse<String> bad = send(post("sandbox/admin/quota", "{}"));
        assertEquals(400, bad.statusCode());
        assertTrue(json(bad).get("error").asText().contains("unitsPerSecond"), bad.body());
    }

    @Test
    void theAdminInsertRefusesAMessageNestedFiveThousandMultipartsDeepInsteadOfHanging() throws Exception {
        assertEquals(200, send(post("sandbox/admin/users", "{\"address\":\"deep@acme.example\",\"refreshToken\":\"rt-deep\"}"))
                .statusCode());

        HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl()
                        + "sandbox/admin/users/deep@acme.example/messages?labelIds=INBOX"))
                .timeout(java.time.Duration.ofMinutes(2)) // a request never answered fails here, not on the status
                .POST(HttpRequest.BodyPublishers.ofByteArray(io.mailroute.testing.TestMail.nestedMultiparts(5000))));

        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(json(refused).get("error").asText().contains("nested"), refused.body());
        JsonNode stats = json(send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl() + "sandbox/admin/stats"))));
        assertEquals(0, stats.at("/users/deep@acme.example/messageCount").asInt(), stats.toString());
    }

    @Test
    void aHandlerThatOverflowsItsStackStillAnswersEveryRequest() throws Exception {
        com.sun.net.httpserver.HttpServer server = AnsweringHttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0));
        server.createContext("/", exchange -> {
            throw new StackOverflowError("what a deep enough MIME tree does to a recursive walk");
        });
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(1);
        server.setExecutor(pool); // one worker: had the first failure taken it, the second request would wait for ever
        server.start();
        try {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> answer = send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/gmail/v1/users/me/profile"))
                        .timeout(java.time.Duration.ofMinutes(1)));
                assertEquals(500, answer.statusCode(), answer.body());
                assertEquals("backendError", json(answer).at("/error/errors/0/reason").asText());
            }
        } finally {
            server.stop(0);
            pool.shutdownNow();
        }
    }

    private static HttpResponse<String> historyList(String token, String start) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl()
                + "gmail/v1/users/me/history?startHistoryId=" + start)).header("Authorization", "Bearer " + token));
    }

    private static int accessTokenStatus(String refreshToken) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(sandbox.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&client_id="
                        + OAuthTokenStore.DEFAULT_CLIENT_ID + "&client_secret=" + OAuthTokenStore.DEFAULT_CLIENT_SECRET
                        + "&refresh_token=" + refreshToken))).statusCode();
    }

    @Test
    void gzippedBodiesAndChunkedResumableUploadsAreAccepted() throws Exception {
        sandbox.admin().addUser("raw@acme.example", "rt-raw");
        String token = accessToken("rt-raw");
        byte[] message = "From: z@example.com\r\nSubject: gz\r\n\r\ncompressed\r\n".getBytes(StandardCharsets.UTF_8);
        String body = "{\"raw\":\"" + Base64.getUrlEncoder().encodeToString(message) + "\",\"labelIds\":[\"INBOX\"]}";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(body.getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> inserted = send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl()
                        + "gmail/v1/users/me/messages"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())));
        assertEquals(200, inserted.statusCode(), inserted.body());

        HttpResponse<String> session = send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl()
                        + "upload/gmail/v1/users/me/messages?uploadType=resumable"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("X-Upload-Content-Type", "message/rfc822")
                .POST(HttpRequest.BodyPublishers.ofString("{\"labelIds\":[\"STARRED\"]}")));
        assertEquals(200, session.statusCode(), session.body());
        URI location = URI.create(session.headers().firstValue("Location").orElseThrow());
        int half = message.length / 2;
        HttpResponse<String> partial = send(HttpRequest.newBuilder(location)
                .header("Authorization", "Bearer " + token)
                .header("Content-Range", "bytes 0-" + (half - 1) + "/*")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(java.util.Arrays.copyOfRange(message, 0, half))));
        assertEquals(308, partial.statusCode());
        assertEquals("bytes=0-" + (half - 1), partial.headers().firstValue("Range").orElseThrow());
        HttpResponse<String> done = send(HttpRequest.newBuilder(location)
                .header("Authorization", "Bearer " + token)
                .header("Content-Range", "bytes " + half + "-" + (message.length - 1) + "/" + message.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(
                        java.util.Arrays.copyOfRange(message, half, message.length))));
        assertEquals(200, done.statusCode(), done.body());
        assertEquals("[\"STARRED\"]", json(done).get("labelIds").toString());

        HttpResponse<String> revoked = send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl() + "revoke?token=" + token))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, revoked.statusCode());
        assertEquals(401, send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl() + "gmail/v1/users/me/profile"))
                .header("Authorization", "Bearer " + token)).statusCode());
        assertEquals(200, accessTokenStatus("rt-raw"), "revoking an access token leaves the refresh token usable");
    }
}

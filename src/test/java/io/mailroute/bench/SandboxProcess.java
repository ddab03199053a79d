package io.mailroute.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.gmail.GmailClientFactory;
import io.mailroute.sandbox.FcmReceiver;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchSandbox} child process and its admin API over HTTP (users, inserts, quota, stats,
 * what the push receivers got). One per measurement, so no run inherits another's mail or warm caches
 * from a different load.
 */
final class SandboxProcess implements AutoCloseable {

    static final String WEBHOOK_SECRET = "bench-webhook-secret";

    private final Process process;
    private final String rootUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SandboxProcess(Process process, String rootUrl) {
        this.process = process;
        this.rootUrl = rootUrl;
    }

    /** @param quotaUnitsPerSecond Gmail's per-user quota the sandbox enforces, 0 for none */
    static SandboxProcess start(List<String> jvmOptions, int quotaUnitsPerSecond, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", harnessClasspath(), BenchSandbox.class.getName(), String.valueOf(quotaUnitsPerSecond)));
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().put(BenchSandbox.SECRET_VARIABLE, WEBHOOK_SECRET);
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String output = Files.readString(log);
            int at = output.indexOf(BenchSandbox.READY);
            if (at >= 0 && output.indexOf('\n', at) > 0) {
                String url = output.substring(at + BenchSandbox.READY.length(), output.indexOf('\n', at)).trim();
                return new SandboxProcess(process, url);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the sandbox exited with " + process.exitValue() + ":\n" + output);
            }
            sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the sandbox did not start within 60 s; see " + log);
    }

    /** This harness's classes and the packaged jar (whose manifest brings target/lib). */
    static String harnessClasspath() {
        return String.join(java.io.File.pathSeparator, Path.of("target", "test-classes").toAbsolutePath().toString(),
                Path.of("target", "mailroute.jar").toAbsolutePath().toString());
    }

    long pid() {
        return process.pid();
    }

    String rootUrl() {
        return rootUrl;
    }

    /** Creates the user and returns the credentials the service and the clients act with. */
    Credentials addUser(String address) {
        post("users", "application/json", Results.object().put("address", address)
                .put("refreshToken", "bench-refresh-" + address).toString().getBytes(StandardCharsets.UTF_8));
        JsonNode c = get("users/" + encode(address) + "/credentials");
        return new Credentials(address, c.get("clientId").asText(), c.get("clientSecret").asText(),
                c.get("refreshToken").asText());
    }

    /** messages.insert's effect (INBOX, UNREAD), through the admin shortcut; returns the Gmail id. */
    String insert(String address, byte[] rfc822) {
        return post("users/" + encode(address) + "/messages?labelIds=INBOX&labelIds=UNREAD", "message/rfc822", rfc822)
                .get("id").asText();
    }

    /**
     * Inserts the messages one after another, round-robin over the mailboxes.
     *
     * @return when each insert was sent (epoch milliseconds), by position in {@code mails}
     */
    long[] insertAll(List<SandboxProcess.Credentials> mailboxes, List<MailMix.Mail> mails) {
        long[] sentAt = new long[mails.size()];
        for (int i = 0; i < mails.size(); i++) {
            sentAt[i] = System.currentTimeMillis();
            insert(mailboxes.get(i % mailboxes.size()).address(), mails.get(i).raw());
        }
        return sentAt;
    }

    /** Every Gmail API call answers 429 (Retry-After: 1 s) until {@link #releaseGmailApi}: the service backs off and waits. */
    void holdGmailApi() {
        rateLimitNext(Integer.MAX_VALUE, 1);
    }

    void releaseGmailApi() {
        rateLimitNext(0, 1);
    }

    /** The next {@code requests} Gmail API calls answer 429 with {@code Retry-After: retryAfterSeconds}: a storm. */
    void rateLimitNext(int requests, int retryAfterSeconds) {
        post("rate-limit", "application/json", ("{\"requests\":" + requests + ",\"retryAfterSeconds\":" + retryAfterSeconds
                + "}").getBytes(StandardCharsets.UTF_8));
    }

    /** A share of Gmail API calls answered {@code status}, and latency added to every one (0 and 0 for none). */
    void setFaults(double errorRate, int status, long latencyMillis) {
        post("faults", "application/json", Results.object().put("errorRate", errorRate).put("errorStatus", status)
                .put("latencyMillis", latencyMillis).toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A full GC in the sandbox (through the attach API), and in this harness: what inserting the backlog
     * left behind is collected now, not during the contender that happens to run next.
     */
    void collectGarbage() throws IOException {
        try (JvmProbe probe = JvmProbe.attach(process.pid())) {
            probe.gc();
        }
        System.gc();
    }

    /** Gmail push notifications dropped with probability {@code dropRate} or delayed ({@code 0, 0}: normal). */
    void setPubSubFaults(double dropRate, long delayMillis) {
        post("pubsub", "application/json", Results.object().put("dropRate", dropRate).put("delayMillis", delayMillis)
                .toString().getBytes(StandardCharsets.UTF_8));
    }

    /** How long {@code users.watch} makes a watch last from now on. */
    void setWatchLifetime(long seconds) {
        post("pubsub/watch-lifetime", "application/json", ("{\"seconds\":" + seconds + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {published, dropped, droppedUnknownTopic, delivered, acked, redelivered, calls, watches, ...}} */
    JsonNode pubSubStats() {
        return get("pubsub/stats");
    }

    void setQuota(int unitsPerSecond) {
        post("quota", "application/json", ("{\"unitsPerSecond\":" + unitsPerSecond + "}").getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"users": {address: {quotaUnitsUsed, requestsByMethod, rateLimited, messageCount, historyId}}}} */
    JsonNode stats() {
        return get("stats");
    }

    long historyId(String address) {
        return stats().path("users").path(address).path("historyId").asLong();
    }

    /** Every push the receivers got, in arrival order. */
    JsonNode pushes() {
        return get("push");
    }

    /** The sandbox's service-account key file (Pub/Sub and FCM share it), its token_uri this sandbox's. */
    String serviceAccountJson() {
        return send(HttpRequest.newBuilder(URI.create(FcmReceiver.baseUrl(rootUrl) + "service-account.json")).GET()).toString();
    }

    /** The unmodified Google client for a user, as Mailroute builds it. */
    com.google.api.services.gmail.Gmail gmail(Credentials user) {
        return new GmailClientFactory(rootUrl, rootUrl + "token", 60_000).makeClient(user.clientId(),
                user.clientSecret(), List.of(), "mailroute-bench", user.refreshToken(), null);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    record Credentials(String address, String clientId, String clientSecret, String refreshToken) {
        @Override
        public String toString() {
            return "Credentials[" + address + "]";
        }
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(rootUrl + "sandbox/admin/" + path)).GET());
    }

    private JsonNode post(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(rootUrl + "sandbox/admin/" + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " answered "
                        + response.statusCode() + ": " + new String(response.body(), StandardCharsets.UTF_8));
            }
            return Results.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("sandbox admin call failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

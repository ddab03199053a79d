package io.mailroute.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The packaged service ({@code java -jar target/mailroute.jar}) as a child process on loopback
 * ports of its own, with its output in a log file that failures print. Owns nothing else.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path configDir;
    private final Path dataDir;
    private final Path log;
    private final Map<String, String> environment;
    private final List<String> systemProperties;
    private final int apiPort;
    private final int managementPort;
    private Process process;
    private int starts;

    public ServiceProcess(Path configDir, Path dataDir, Map<String, String> environment) throws IOException {
        this(configDir, dataDir, environment, List.of());
    }

    /** @param extraSystemProperties more options for the service JVM ({@code -Dkey=value} overrides, {@code -Xmx...}) */
    public ServiceProcess(Path configDir, Path dataDir, Map<String, String> environment,
            List<String> extraSystemProperties) throws IOException {
        this.configDir = configDir;
        this.dataDir = dataDir;
        this.apiPort = freePort();
        this.managementPort = freePort();
        this.environment = environment;
        this.log = dataDir.resolveSibling("service.log");
        List<String> properties = new ArrayList<>(List.of(
                "-Dcamel.server.port=" + apiPort,
                "-Dcamel.management.port=" + managementPort,
                "-Dmailroute.data-dir=" + dataDir.toAbsolutePath()));
        properties.addAll(extraSystemProperties);
        this.systemProperties = List.copyOf(properties);
    }

    /** {@code java <jvmOptions> -jar target/mailroute.jar <args>}, with this JVM's java. */
    public static List<String> jarCommand(List<String> jvmOptions, List<String> args) {
        Path jar = Path.of("target", "mailroute.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("target/mailroute.jar is missing: run mvn verify (ITs run after package)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        return command;
    }

    /** What a command of the jar printed (stdout and stderr together) and its exit code. */
    public record CommandResult(int exit, String output) {
    }

    /** Runs one command of the jar to its end (at most a minute). */
    public static CommandResult runJar(List<String> jvmOptions, List<String> args) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(jarCommand(jvmOptions, args)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("command did not finish: " + args + "\n" + output);
        }
        return new CommandResult(process.exitValue(), output);
    }

    /**
     * A command of the jar ({@code connect}, {@code status} ...) set up like this service: same config,
     * ports, data directory and environment, so it finds the running service or its database.
     */
    public ProcessBuilder command(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", configDir.toString()));
        ProcessBuilder builder = new ProcessBuilder(jarCommand(systemProperties, all)).redirectErrorStream(true);
        builder.environment().putAll(environment);
        return builder;
    }

    /** Runs {@link #command} to its end with nothing on stdin (at most a minute). */
    public CommandResult run(String... args) throws IOException, InterruptedException {
        Process process = command(args).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("command did not finish: " + List.of(args) + "\n" + output);
        }
        return new CommandResult(process.exitValue(), output);
    }

    public ServiceProcess start() throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m"));
        jvm.addAll(systemProperties);
        List<String> command = jarCommand(jvm, List.of("--config", configDir.toString(), "--routes", "routes"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Files.writeString(log, "=== start " + (++starts) + " ===\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        process = builder.start();
        return this;
    }

    /** The least time a start is given (see {@link #awaitUp}). */
    private static final Duration STARTUP_FLOOR = Duration.ofSeconds(90);

    /**
     * Waits until /observe/health says the service serves: UP, or DEGRADED (a mailbox needs a
     * person, the others flow). Tests that need every mailbox healthy assert UP themselves. On a
     * timeout the process is stopped here: in {@code try (ServiceProcess s = ....start().awaitUp(t))}
     * no one else holds it to close it, and it would outlive the test.
     */
    public ServiceProcess awaitUp(Duration timeout) {
        // No test measures start-up speed, and a 2-core machine busy with other builds has taken over 30 s to
        // start the JVM and read the configuration: a start is given at least STARTUP_FLOOR.
        Duration wait = timeout.compareTo(STARTUP_FLOOR) < 0 ? STARTUP_FLOOR : timeout;
        try {
            await(wait, "the service to report UP or DEGRADED", () -> {
                String status = healthStatus();
                return "UP".equals(status) || "DEGRADED".equals(status);
            });
        } catch (AssertionError notUp) {
            try {
                close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw notUp;
        }
        return this;
    }

    /** The overall health status, or null when the management port does not answer. */
    public String healthStatus() {
        JsonNode health = health();
        return health == null ? null : health.path("status").asText(null);
    }

    /** The body of /observe/health, or null when the management port does not answer (yet). */
    public JsonNode health() {
        HttpResponse<String> response = observe("/observe/health");
        try {
            return response == null ? null : JSON.readTree(response.body());
        } catch (IOException e) {
            return null;
        }
    }

    public String observeUrl(String pathAndQuery) {
        return "http://127.0.0.1:" + managementPort + pathAndQuery;
    }

    /** GET on the management port (/observe/...), or null when it does not answer. */
    public HttpResponse<String> observe(String pathAndQuery) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(observeUrl(pathAndQuery)))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** GET on the service API; fails the test on a non-200 answer. */
    public JsonNode api(String pathAndQuery) {
        HttpResponse<String> response = apiResponse(pathAndQuery);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + pathAndQuery + " answered " + response.statusCode() + ": " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + pathAndQuery + " did not answer JSON: " + response.body(), e);
        }
    }

    public String apiUrl(String pathAndQuery) {
        return "http://127.0.0.1:" + apiPort + pathAndQuery;
    }

    /** GET on the service API with the admin token the service keeps for local commands. */
    public HttpResponse<String> apiResponse(String pathAndQuery) {
        return request("GET", pathAndQuery, null, adminToken());
    }

    /** A request to the service API as an admin (the local commands' token); {@code jsonBody} may be null. */
    public HttpResponse<String> request(String method, String pathAndQuery, String jsonBody) {
        return request(method, pathAndQuery, jsonBody, adminToken());
    }

    /** A request to the service API with the given token (null: none). */
    public HttpResponse<String> request(String method, String pathAndQuery, String jsonBody, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl(pathAndQuery))).timeout(Duration.ofSeconds(30))
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + pathAndQuery + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The admin token the running service left for local commands (replaced at every start, so read
     * each time); what the {@code status} and {@code connect} commands use.
     */
    public String adminToken() {
        try {
            return Files.readString(dataDir.resolve(io.mailroute.access.LocalCommandsToken.FILE_NAME)).trim();
        } catch (IOException e) {
            throw new AssertionError("the service has not written its local commands' token (yet): " + e, e);
        }
    }

    /** Every event of a type, following the API's paging to the end. */
    public List<JsonNode> events(String type) {
        List<JsonNode> all = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = api("/api/events?type=" + type + "&limit=500&after=" + after);
            page.get("items").forEach(all::add);
            if (page.get("next").isNull()) {
                return all;
            }
            after = page.get("next").asLong();
        }
    }

    /** A crash: SIGKILL, no shutdown hooks, no graceful stop. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** The service JVM's process id (for /proc and the attach API). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Polls the condition every 100 ms; on timeout fails with the service log attached. */
    public void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new AssertionError("the service exited with " + process.exitValue() + " while waiting for " + what
                        + "\n--- service log ---\n" + tail(log()));
            }
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                + "\n--- service log ---\n" + tail(log()));
    }

    /**
     * Waits until each given mailbox (every one of /api/mailboxes when none is given) has finished two more polls than when called (its lastPollAt moved
     * twice): the second began after this call, so whatever it would ingest, the check after this has seen. A stalled
     * service fails here instead of passing a "nothing happened" check.
     */
    public void awaitLaterPolls(Duration timeout, String... mailboxIds) {
        for (int round = 1; round <= 2; round++) {
            Map<String, String> before = lastPolls();
            if (mailboxIds.length > 0) {
                before.keySet().retainAll(List.of(mailboxIds));
                if (before.size() != mailboxIds.length) {
                    throw new AssertionError("no such mailbox among " + lastPolls().keySet() + ": " + List.of(mailboxIds));
                }
            }
            await(timeout, "poll " + round + " of every mailbox after " + before, () -> {
                Map<String, String> now = lastPolls();
                return before.entrySet().stream().allMatch(e -> !java.util.Objects.equals(e.getValue(), now.get(e.getKey())));
            });
        }
    }

    /**
     * Scheduled polls of the mailbox that finished: one exchange of its intake route each, however many rounds it
     * went, and also when the poll found the mailbox paused or disconnected and skipped it.
     */
    public double finishedPolls(String mailbox) {
        return finishedExchanges("gmail-intake-" + mailbox);
    }

    /** How many exchanges route {@code routeId} has finished successfully, from the Prometheus metrics. */
    public double finishedExchanges(String routeId) {
        String metrics = observe("/observe/metrics").body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^camel_exchanges_succeeded_total\\{[^}]*routeId=\""
                + java.util.regex.Pattern.quote(routeId) + "\"[^}]*} ([0-9.E]+)$").matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no exchange count for route " + routeId + " in:\n" + metrics);
        }
        return Double.parseDouble(m.group(1));
    }

    /** Waits until {@code more} further scheduled polls of the mailbox have finished (see {@link #finishedPolls}). */
    public void awaitFinishedPolls(Duration timeout, String mailbox, int more) {
        double target = finishedPolls(mailbox) + more;
        await(timeout, more + " more finished polls of " + mailbox, () -> finishedPolls(mailbox) >= target);
    }

    /** Waits until the flow's subscription (as /observe/health shows it) has handled every event up to the given seq. */
    public void awaitSubscriptionPast(Duration timeout, String subscription, long seq) {
        await(timeout, "subscription " + subscription + " past event " + seq, () -> {
            try {
                for (JsonNode s : JSON.readTree(observe("/observe/health?exposureLevel=full").body()).at("/cluster/subscriptions")) {
                    if (s.path("name").asText().equals(subscription) && s.path("lastSeq").asLong() >= seq) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    private Map<String, String> lastPolls() {
        Map<String, String> polls = new java.util.HashMap<>();
        api("/api/mailboxes").path("items").forEach(m -> polls.put(m.path("id").asText(), m.path("lastPollAt").asText(null)));
        return polls;
    }

    private static String tail(String text) {
        return text.length() <= 20_000 ? text : "…" + text.substring(text.length() - 20_000);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

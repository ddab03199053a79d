package io.mailroute.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.it.ServiceProcess;
import io.mailroute.sandbox.PubSubSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The packaged service (the real jar, in a process of its own) configured for one measurement: N
 * mailboxes on the benchmark's sandbox with credentials from the environment, the shipped
 * application.properties with only the sandbox switched off, and triage rules that either make a
 * workflow item of every message ({@link Triage#ITEMS}: the shipped rules without their notifications)
 * or also push each one to the sandbox's webhook receiver ({@link Triage#PUSH}).
 */
final class ServiceWorld {

    enum Triage { ITEMS, PUSH }

    /**
     * @param pollInterval mailboxes' poll interval, or null for the shipped default
     * @param quotaBudget  mailboxes' quotaUnitsPerSecond, or 0 for the shipped default
     * @param properties   application.properties lines to add, or ""
     * @param push         whether the mailboxes take Gmail push ({@code push: pubsub}, the sandbox's demo topic and
     *                     subscription, its service account from the environment) with a {@link #PUSH_SAFETY_NET} poll
     */
    record Setup(int mailboxes, Duration pollInterval, int quotaBudget, Triage triage, String properties, boolean push) {

        /** Polling only. */
        Setup(int mailboxes, Duration pollInterval, int quotaBudget, Triage triage, String properties) {
            this(mailboxes, pollInterval, quotaBudget, triage, properties, false);
        }
    }

    /** The safety-net poll of a push run: long enough that only notifications bring mail in a run. */
    static final String PUSH_SAFETY_NET = "10m";
    static final String PUBSUB_KEY_VARIABLE = "BENCH_PUBSUB_KEY";

    /** Mailroute's own budget in the unthrottled runs: high enough that its pacer never waits. */
    static final int UNLIMITED_BUDGET = 1_000_000;
    static final String HOOK_SECRET_VARIABLE = "BENCH_HOOK_SECRET";

    private final Path dir;
    private final List<SandboxProcess.Credentials> mailboxes;
    private final Map<String, String> environment;

    private ServiceWorld(Path dir, List<SandboxProcess.Credentials> mailboxes, Map<String, String> environment) {
        this.dir = dir;
        this.mailboxes = mailboxes;
        this.environment = environment;
    }

    static ServiceWorld create(Path dir, SandboxProcess sandbox, Setup setup) throws IOException {
        Path config = Files.createDirectories(dir.resolve("config"));
        Map<String, String> environment = new LinkedHashMap<>();
        List<SandboxProcess.Credentials> mailboxes = new ArrayList<>();
        StringBuilder yaml = new StringBuilder("defaults:\n  bootstrapQuery: \"in:inbox\"\n");
        if (setup.pollInterval() != null) {
            yaml.append("  pollInterval: ").append(setup.pollInterval().toMillis()).append("ms\n");
        }
        if (setup.quotaBudget() > 0) {
            yaml.append("  quotaUnitsPerSecond: ").append(setup.quotaBudget()).append('\n');
        }
        yaml.append("mailboxes:\n");
        String width = setup.mailboxes() >= 100 ? "%03d" : "%02d";
        for (int i = 1; i <= setup.mailboxes(); i++) {
            String id = "bench-" + String.format(width, i);
            SandboxProcess.Credentials user = sandbox.addUser(id + "@acme.example");
            String prefix = "BENCH_" + id.substring("bench-".length());
            environment.put(prefix + "_CLIENT_ID", user.clientId());
            environment.put(prefix + "_CLIENT_SECRET", user.clientSecret());
            environment.put(prefix + "_REFRESH_TOKEN", user.refreshToken());
            mailboxes.add(user);
            yaml.append("  - id: ").append(id).append('\n')
                    .append("    address: ").append(user.address()).append('\n')
                    .append("    credentials: env:").append(prefix).append('\n')
                    .append("    gmail: ").append(sandbox.rootUrl()).append('\n');
            if (setup.push()) {
                yaml.append("    push: pubsub\n    pushPollInterval: ").append(PUSH_SAFETY_NET).append('\n');
            }
        }
        if (setup.push()) {
            environment.put(PUBSUB_KEY_VARIABLE, sandbox.serviceAccountJson());
            yaml.append("""
                    pubsub:
                      topic: %s
                      subscription: %s
                      credentials: env:%s
                      url: %s
                    """.formatted(PubSubSandbox.DEMO_TOPIC, PubSubSandbox.DEMO_SUBSCRIPTION, PUBSUB_KEY_VARIABLE,
                    sandbox.rootUrl()));
        }
        Files.writeString(config.resolve("mailboxes.yaml"), yaml);
        environment.put(HOOK_SECRET_VARIABLE, SandboxProcess.WEBHOOK_SECRET);
        Files.writeString(config.resolve("channels.yaml"), """
                # One push channel: the sandbox's webhook receiver, which records when each push arrived.
                channels:
                  bench-hook:
                    type: webhook
                    url: %spush/webhook/bench
                    secret: env:%s
                recipients:
                  bench:
                    name: Benchmark receiver
                    email: bench-team@acme.example
                    devices:
                      - {channel: bench-hook, address: bench-room}
                audiences:
                  bench-push: {members: [bench], via: [bench-hook]}
                """.formatted(sandbox.rootUrl(), HOOK_SECRET_VARIABLE));
        Files.writeString(config.resolve("triage.yaml"), setup.triage() == Triage.PUSH ? """
                rules:
                  - id: default
                    then: {type: case, category: general, queue: triage, priority: NORMAL, notify: [bench-push]}
                """ : withoutNotifications(Files.readString(Path.of("config", "triage.yaml"))));
        Files.copy(Path.of("config", "approvals.yaml"), config.resolve("approvals.yaml")); // the groups the shipped rules name
        Path templates = Files.createDirectories(config.resolve("templates"));
        try (var files = Files.list(Path.of("config", "templates"))) {
            for (Path template : files.toList()) {
                Files.copy(template, templates.resolve(template.getFileName()));
            }
        }
        Files.writeString(config.resolve("application.properties"), Files.readString(Path.of("config", "application.properties"))
                + """

                ## benchmark: the sandbox runs in a process of its own (mailboxes name its URL)
                mailroute.sandbox.enabled = false
                mailroute.console.google.domains =
                mailroute.intake.initial-delay = 100
                # grants come from the environment; no mailbox is disconnected, so nothing falls back
                mailroute.fallback-sender = none
                mailroute.tokens.key-file = %s
                """.formatted(dir.toAbsolutePath().resolve("token.key")) + setup.properties());
        return new ServiceWorld(dir, List.copyOf(mailboxes), environment);
    }

    /** The shipped rules (their conditions cost what they cost), minus {@code notify:}: no deliveries in a throughput run. */
    static String withoutNotifications(String rules) {
        return rules.replaceAll(",\\s*notify:\\s*\\[[^\\]]*\\]", "");
    }

    List<SandboxProcess.Credentials> mailboxes() {
        return mailboxes;
    }

    /** Starts the service; {@link Started#startNanos} is taken just before the process is created. */
    Started start(List<String> jvmOptions) throws IOException {
        ServiceProcess service = new ServiceProcess(dir.resolve("config"), dir.resolve("data"), environment, jvmOptions);
        long startNanos = System.nanoTime();
        service.start();
        return new Started(service, startNanos);
    }

    /**
     * One node of a cluster on this world's configuration (not started): a data directory of its own under
     * {@code <dir>/<nodeId>/}, {@code -Dmailroute.cluster.node-id=<nodeId>}, the world's environment plus
     * {@code extraEnvironment}.
     */
    ServiceProcess node(String nodeId, Map<String, String> extraEnvironment, List<String> jvmOptions) throws IOException {
        Path nodeDir = Files.createDirectories(dir.resolve(nodeId));
        Map<String, String> nodeEnvironment = new LinkedHashMap<>(environment);
        nodeEnvironment.putAll(extraEnvironment);
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dmailroute.cluster.node-id=" + nodeId);
        return new ServiceProcess(dir.resolve("config"), nodeDir.resolve("data"), nodeEnvironment, options);
    }

    /** Waits until every mailbox has bootstrapped (holds a history cursor), as the service's API reports them. */
    static void awaitBootstrapped(ServiceProcess service, Duration timeout) {
        service.await(timeout, "every mailbox to bootstrap", () -> {
            JsonNode items = service.api("/api/mailboxes").get("items");
            for (JsonNode mailbox : items) {
                if (mailbox.path("historyId").isNull() || mailbox.path("lastSuccessAt").isNull()) {
                    return false;
                }
            }
            return items.size() > 0;
        });
    }

    record Started(ServiceProcess service, long startNanos) implements AutoCloseable {

        long pid() {
            return service.pid();
        }

        @Override
        public void close() throws InterruptedException {
            service.close();
        }

        /** Milliseconds from process creation to the first {@code /observe/health} answer UP (polled every 20 ms). */
        long awaitUpMillis(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if ("UP".equals(service.healthStatus())) {
                    return (System.nanoTime() - startNanos) / 1_000_000;
                }
                if (!service.isAlive()) {
                    throw new IllegalStateException("the service exited during start-up:\n" + service.log());
                }
                SandboxProcess.sleep(20);
            }
            throw new IllegalStateException("the service was not UP after " + timeout.toSeconds() + " s:\n" + service.log());
        }

        /** Waits until every mailbox has bootstrapped (holds a history cursor). */
        void awaitBootstrapped(Duration timeout) {
            ServiceWorld.awaitBootstrapped(service, timeout);
        }

        /** Waits until every push mailbox is watched (its watch's expiry in the service's API). */
        void awaitWatched(Duration timeout) {
            service.await(timeout, "every push mailbox to be watched", () -> {
                for (JsonNode mailbox : service.api("/api/mailboxes").get("items")) {
                    if (mailbox.path("push").path("watchExpiresAt").isNull()
                            || mailbox.path("push").path("watchExpiresAt").isMissingNode()) {
                        return false;
                    }
                }
                return true;
            });
        }

        /**
         * Lets the service ingest mail of its own before anything is timed, so that what is measured is
         * the service as it runs, not its first minute of JIT compilation. Returns whether it got through.
         */
        boolean warmUp(SandboxProcess sandbox, List<SandboxProcess.Credentials> mailboxes, List<MailMix.Mail> mails,
                Duration stall) {
            EventTail received = new EventTail(service, "message.received");
            EventTail quarantined = new EventTail(service, "message.quarantined");
            List<EventTail> tails = List.of(received, quarantined);
            tails.forEach(EventTail::poll);
            int expected = received.count() + quarantined.count() + mails.size();
            sandbox.insertAll(mailboxes, mails);
            return EventTail.await(tails, () -> received.count() + quarantined.count() >= expected, stall);
        }

        /** Mailbox states other than healthy ones, for the report (a FAILING mailbox explains a bad figure). */
        String mailboxProblems() {
            StringBuilder problems = new StringBuilder();
            for (JsonNode mailbox : service.api("/api/mailboxes").get("items")) {
                String state = mailbox.path("state").asText();
                if (!state.toUpperCase(Locale.ROOT).equals("ACTIVE") || mailbox.path("consecutiveFailures").asInt() > 0) {
                    problems.append(mailbox.path("id").asText()).append(' ').append(state).append(": ")
                            .append(mailbox.path("lastError").asText("")).append("; ");
                }
            }
            return problems.toString();
        }
    }
}

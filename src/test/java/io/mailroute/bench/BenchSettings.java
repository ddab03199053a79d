package io.mailroute.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Every knob of one benchmark run, read once from system properties ({@code -Dbench.messages=500}).
 * {@code -Dbench.quick=true} lowers the defaults for a verification run on a busy machine; any
 * property given explicitly still wins. The sizes written here are the issue's.
 *
 * @param seed               the message mix is a pure function of seed and index
 * @param messages           messages per throughput run (spread round-robin over the mailboxes)
 * @param mailboxCounts      one throughput run per count
 * @param bigMessageBytes    the one large message of the mix, raw RFC 822 size
 * @param largeAttachmentShare share of the mix carrying a 1-5 MB attachment
 * @param throughputPoll     the mailboxes' poll interval in the throughput runs
 * @param warmupMessages     messages every contender processes once (service, ceiling, alternative) before anything is timed
 * @param quotaUnits         the sandbox's per-user quota in the quota run (units per second)
 * @param quotaMessages      messages in the quota run
 * @param latencyMessages    messages in the latency run
 * @param latencyRate        their arrival rate, messages per second
 * @param latencyBudget      the mailbox's quotaUnitsPerSecond in the latency run
 * @param idleMailboxes      the larger idle-RSS configuration (the smaller is 1)
 * @param idleSettle         how long the service sits idle before its RSS is read
 * @param stall              a run that makes no progress for this long is reported incomplete
 * @param alternativeOptions endpoint options of the google-mail-stream alternative
 * @param serviceJvm         JVM options of the service process
 * @param sandboxJvm         JVM options of the sandbox process
 * @param jfr                record the service with JFR during the first throughput run
 * @param outDir             where results.json, the JFR recording and the logs go
 * @param phases             which measurements to run (all by default)
 * @param faults             the run under transient faults
 * @param approvals          the approvals run
 * @param cluster            the cluster run (several nodes on one PostgreSQL)
 * @param reports            the reports run (a large PDF report to many recipients)
 * @param engagement         the escalation-timer and acknowledgement-endpoint runs
 */
public record BenchSettings(long seed, int messages, List<Integer> mailboxCounts, int bigMessageBytes,
        double largeAttachmentShare, Duration throughputPoll, int warmupMessages, int quotaUnits, int quotaMessages,
        int latencyMessages, double latencyRate, int latencyBudget, int idleMailboxes, Duration idleSettle,
        Duration stall, String alternativeOptions, List<String> serviceJvm, List<String> sandboxJvm, boolean jfr,
        Path outDir, List<String> phases, Faults faults, Approvals approvals, Cluster cluster, Reports reports,
        Engagement engagement) {

    public static final List<String> ALL_PHASES = List.of("cost", "throughput", "quota", "latency", "faults", "approvals",
            "cluster", "reports", "escalation", "ack");

    /** The phases that make no mail of the mix (it is generated only when another phase runs). */
    static final java.util.Set<String> WITHOUT_MAIL = java.util.Set.of("reports", "escalation", "ack");

    /** Where the cluster run's PostgreSQL comes from when {@code -Dbench.postgres-url} is not given. */
    static final String POSTGRES_VARIABLE = "MAILROUTE_TEST_POSTGRES_URL";

    /**
     * Intake under transient faults: the same messages drained fault-free, with latency only, and with
     * errors, latency and a 429 storm.
     *
     * @param messages          messages per drain (the mix without its large message)
     * @param mailboxes         mailboxes they go to, round-robin
     * @param errorRate         share of Gmail calls the sandbox answers 500
     * @param latency           added to every Gmail call
     * @param storm             Gmail calls answered 429 once a third of the faulted drain is stored
     * @param retryAfterSeconds the storm's Retry-After
     */
    public record Faults(int messages, int mailboxes, double errorRate, Duration latency, int storm, int retryAfterSeconds) {

        ObjectNode toJson() {
            return Results.object()
                    .put("messages", messages)
                    .put("mailboxes", mailboxes)
                    .put("errorRate", errorRate)
                    .put("latencyMillis", latency.toMillis())
                    .put("storm", storm)
                    .put("retryAfterSeconds", retryAfterSeconds);
        }
    }

    /**
     * Approvals decided end to end.
     *
     * @param links   approvals decided by link (GET the page, POST its form), timed POST to approval.decided
     * @param replies approvals decided by a reply inserted in the request's thread, timed insert to approval.decided
     */
    public record Approvals(int links, int replies) {

        ObjectNode toJson() {
            return Results.object().put("links", links).put("replies", replies);
        }
    }

    /**
     * One report built from the service's own database and sent to many recipients.
     *
     * @param rows       rows of the PDF (messages stored through intake first, one row each)
     * @param recipients sandbox users it is sent to, the same document to each
     * @param paced      also send it from a mailbox at the shipped Gmail budget (50 units/s: one send per 2 s)
     */
    public record Reports(int rows, int recipients, boolean paced) {

        ObjectNode toJson() {
            return Results.object().put("rows", rows).put("recipients", recipients).put("paced", paced);
        }
    }

    /**
     * Engagement (issue 15's measures).
     *
     * @param timers        escalation timers pending at once, each an unopened URGENT email escalating
     * @param window        they fall due evenly over this window
     * @param ackDeliveries deliveries whose acknowledgement URL is POSTed opened, then acted (two requests each)
     * @param ackClients    concurrent HTTP clients doing that
     */
    public record Engagement(int timers, Duration window, int ackDeliveries, int ackClients) {

        ObjectNode toJson() {
            return Results.object().put("timers", timers).put("windowMillis", window.toMillis())
                    .put("ackDeliveries", ackDeliveries).put("ackClients", ackClients);
        }
    }

    /**
     * Several service nodes on one PostgreSQL: intake with each node count, then SIGKILLs of the node
     * that owns most mailboxes.
     *
     * @param nodes       one run per node count
     * @param mailboxes   mailboxes every run shares among its nodes
     * @param messages    messages per run, round-robin over the mailboxes
     * @param kills       SIGKILLs in the takeover measurement (with the largest node count, at least 2)
     * @param postgresUrl a JDBC URL of the server's {@code postgres} database (a database is created per run),
     *                    or null: then the run is skipped, visibly
     */
    public record Cluster(List<Integer> nodes, int mailboxes, int messages, int kills, String postgresUrl) {

        /** Why the cluster run cannot be made here, or null when it can. */
        String skipReason() {
            return postgresUrl != null ? null : "no PostgreSQL: set " + POSTGRES_VARIABLE
                    + " or -Dbench.postgres-url (a jdbc:postgresql: URL of the server's postgres database; .ci/run sets it)";
        }

        ObjectNode toJson() {
            ObjectNode json = Results.object()
                    .put("mailboxes", mailboxes)
                    .put("messages", messages)
                    .put("kills", kills)
                    .put("postgres", postgresUrl != null); // the URL may carry a password: not written
            nodes.forEach(json.putArray("nodes")::add);
            return json;
        }
    }

    public static BenchSettings fromSystemProperties() {
        return from(System.getProperties(), System.getenv());
    }

    static BenchSettings from(Properties p) {
        return from(p, java.util.Map.of());
    }

    /** @param environment where {@value #POSTGRES_VARIABLE} is looked up when bench.postgres-url is not set */
    static BenchSettings from(Properties p, java.util.Map<String, String> environment) {
        boolean quick = Boolean.parseBoolean(p.getProperty("bench.quick", "false"));
        return new BenchSettings(
                Long.parseLong(p.getProperty("bench.seed", "20261122")),
                integer(p, "bench.messages", quick ? 500 : 10_000),
                integers(p.getProperty("bench.mailboxes", quick ? "1,2" : "1,20")),
                integer(p, "bench.big-message-bytes", 25_000_000),
                Double.parseDouble(p.getProperty("bench.large-attachment-share", "0.01")),
                duration(p, "bench.throughput.poll", "1s"),
                integer(p, "bench.warmup", quick ? 200 : 1_000),
                integer(p, "bench.quota.units", 250),
                integer(p, "bench.quota.messages", quick ? 200 : 2_000),
                integer(p, "bench.latency.messages", quick ? 100 : 1_000),
                Double.parseDouble(p.getProperty("bench.latency.rate", "10")),
                integer(p, "bench.latency.budget", 250),
                integer(p, "bench.idle.mailboxes", 100),
                duration(p, "bench.idle.settle", quick ? "5s" : "15s"),
                duration(p, "bench.stall", "120s"),
                p.getProperty("bench.alternative.options", "maxResults=500&greedy=true&delay=100&initialDelay=0"),
                words(p.getProperty("bench.service.jvm", "-Xmx512m")),
                words(p.getProperty("bench.sandbox.jvm", "-Xmx4g")),
                Boolean.parseBoolean(p.getProperty("bench.jfr", "true")),
                Path.of(p.getProperty("bench.out", "target/bench")),
                words(p.getProperty("bench.phases", String.join(" ", ALL_PHASES)).replace(',', ' ')),
                new Faults(integer(p, "bench.faults.messages", 500),
                        integer(p, "bench.faults.mailboxes", 3),
                        Double.parseDouble(p.getProperty("bench.faults.error-rate", "0.10")),
                        duration(p, "bench.faults.latency", "200ms"),
                        integer(p, "bench.faults.storm", 30),
                        integer(p, "bench.faults.retry-after", 1)),
                new Approvals(integer(p, "bench.approvals.links", quick ? 30 : 200),
                        integer(p, "bench.approvals.replies", quick ? 10 : 50)),
                new Cluster(integers(p.getProperty("bench.cluster-nodes", "1,2,3")),
                        integer(p, "bench.cluster-mailboxes", 20),
                        integer(p, "bench.cluster-messages", quick ? 200 : 2_000),
                        integer(p, "bench.cluster-kills", quick ? 2 : 5),
                        blankToNull(p.getProperty("bench.postgres-url", environment.get(POSTGRES_VARIABLE)))),
                new Reports(integer(p, "bench.reports.rows", quick ? 1_000 : 10_000),
                        integer(p, "bench.reports.recipients", quick ? 10 : 100),
                        Boolean.parseBoolean(p.getProperty("bench.reports.paced", "true"))),
                new Engagement(integer(p, "bench.escalation.timers", 1_000),
                        duration(p, "bench.escalation.window", "10s"),
                        integer(p, "bench.ack.deliveries", quick ? 1_000 : 5_000),
                        integer(p, "bench.ack.clients", 4)));
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    public boolean runs(String phase) {
        return phases.contains(phase);
    }

    ObjectNode toJson() {
        ObjectNode json = Results.object()
                .put("seed", seed)
                .put("messages", messages)
                .put("bigMessageBytes", bigMessageBytes)
                .put("largeAttachmentShare", largeAttachmentShare)
                .put("throughputPollMillis", throughputPoll.toMillis())
                .put("warmupMessages", warmupMessages)
                .put("quotaUnitsPerSecond", quotaUnits)
                .put("quotaMessages", quotaMessages)
                .put("latencyMessages", latencyMessages)
                .put("latencyRatePerSecond", latencyRate)
                .put("latencyQuotaBudget", latencyBudget)
                .put("idleMailboxes", idleMailboxes)
                .put("idleSettleSeconds", idleSettle.toSeconds())
                .put("alternativeOptions", alternativeOptions)
                .put("serviceJvm", String.join(" ", serviceJvm))
                .put("sandboxJvm", String.join(" ", sandboxJvm))
                .put("jfr", jfr);
        json.set("faults", faults.toJson());
        json.set("approvals", approvals.toJson());
        json.set("cluster", cluster.toJson());
        json.set("reports", reports.toJson());
        json.set("engagement", engagement.toJson());
        mailboxCounts.forEach(json.putArray("mailboxCounts")::add);
        phases.forEach(json.putArray("phases")::add);
        return json;
    }

    private static int integer(Properties p, String key, int fallback) {
        String value = p.getProperty(key);
        try {
            return value == null ? fallback : Integer.parseInt(value.replace("_", "").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + value + "'", e);
        }
    }

    private static List<Integer> integers(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(Integer.parseInt(part.trim()));
            }
        }
        return List.copyOf(out);
    }

    private static Duration duration(Properties p, String key, String fallback) {
        return io.mailroute.config.Durations.parse(p.getProperty(key, fallback));
    }

    private static List<String> words(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.stream(text.trim().split("\\s+")).toList();
    }
}

package io.mailroute.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.cluster.ClusterView;
import io.mailroute.gmail.MailboxStatus;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * What {@code /observe/health} answers, from Camel's health check results and the monitored
 * mailboxes' states. Camel only knows UP and DOWN; a mailbox that needs a person is neither: the
 * service still serves the other mailboxes, so a load balancer must keep it (DEGRADED, HTTP 200),
 * while operations must be told which mailbox and what to do.
 */
public final class ServiceHealth {

    /** The overall verdict. */
    public enum Status {
        /** Everything works. */
        UP,
        /** The service works; one or more mailboxes do not (named in the answer). Keep it in the pool. */
        DEGRADED,
        /** A core check failed (database, context, a route): take it out of the pool. */
        DOWN
    }

    /** Which of the three endpoints is asked. */
    public enum Probe {
        /** {@code /observe/health}: every check, and the mailboxes. */
        ALL,
        /** {@code /observe/health/live}: liveness checks only; a mailbox never makes a restart useful. */
        LIVENESS,
        /** {@code /observe/health/ready}: readiness checks (UNKNOWN counts against it, as in Camel), and the mailboxes. */
        READINESS
    }

    /** The answer: its status, the HTTP status that goes with it, and the JSON body. */
    public record Answer(Status status, ObjectNode body) {
        public int httpStatus() {
            return status == Status.DOWN ? 503 : 200;
        }
    }

    private final ObjectMapper json;

    public ServiceHealth(ObjectMapper json) {
        this.json = json;
    }

    /**
     * @param checks        Camel's results for the probe (database, context, routes, consumers …)
     * @param mailboxes     the monitored mailboxes' statuses; null when they could not be read
     * @param exposureLevel Camel's levels: {@code oneline} (status only), {@code default} (only what
     *                      is not fine), {@code full} (every check with its details, every mailbox)
     */
    public Answer evaluate(Probe probe, Collection<HealthCheck.Result> checks, List<MailboxStatus> mailboxes,
            String exposureLevel) {
        return evaluate(probe, checks, mailboxes, null, exposureLevel);
    }

    /**
     * @param cluster this node, the nodes and the subscriptions' holders, shown as {@code cluster} (not in
     *                {@code oneline}); null when not asked (liveness) or unreadable. It never changes the verdict:
     *                a dead node's work is taken over by the live ones, which is what the mailboxes show.
     */
    public Answer evaluate(Probe probe, Collection<HealthCheck.Result> checks, List<MailboxStatus> mailboxes,
            ClusterView.Snapshot cluster, String exposureLevel) {
        boolean coreUp = HealthCheckHelper.isResultsUp(checks, probe == Probe.READINESS);
        List<MailboxStatus> considered = probe == Probe.LIVENESS || mailboxes == null ? List.of() : mailboxes;
        List<MailboxStatus> unhealthy = considered.stream().filter(m -> !m.state().isHealthy()).toList();
        boolean mailboxesUnreadable = probe != Probe.LIVENESS && mailboxes == null;
        Status status = !coreUp || mailboxesUnreadable ? Status.DOWN
                : unhealthy.isEmpty() ? Status.UP : Status.DEGRADED;

        ObjectNode body = json.createObjectNode().put("status", status.name());
        if ("oneline".equals(exposureLevel)) {
            return new Answer(status, body);
        }
        boolean full = "full".equals(exposureLevel);
        if (mailboxesUnreadable) {
            body.put("message", "the mailbox states cannot be read from the database (see the log and the database check)");
        }
        List<MailboxStatus> shown = full ? considered : unhealthy;
        if (!shown.isEmpty()) {
            ArrayNode list = body.putArray("mailboxes");
            shown.forEach(m -> list.add(mailbox(m)));
        }
        List<HealthCheck.Result> shownChecks = checks.stream()
                .filter(r -> full || r.getState() != HealthCheck.State.UP).toList();
        if (!shownChecks.isEmpty()) {
            ArrayNode list = body.putArray("checks");
            shownChecks.forEach(r -> list.add(check(r, full)));
        }
        if (cluster != null) {
            body.set("cluster", cluster(cluster));
        }
        return new Answer(status, body);
    }

    private ObjectNode cluster(ClusterView.Snapshot cluster) {
        ObjectNode node = json.createObjectNode().put("node", cluster.node()).put("clustered", cluster.clustered());
        ArrayNode nodes = node.putArray("nodes");
        for (ClusterView.Node n : cluster.nodes()) {
            nodes.addObject()
                    .put("id", n.id())
                    .put("alive", n.alive())
                    .put("lastCheckin", n.lastCheckin() == null ? null : n.lastCheckin().toString())
                    .put("checkinIntervalMs", n.checkinInterval() == null ? null : n.checkinInterval().toMillis());
        }
        ArrayNode subscriptions = node.putArray("subscriptions");
        for (ClusterView.SubscriptionHolder s : cluster.subscriptions()) {
            subscriptions.addObject()
                    .put("name", s.subscription())
                    .put("holder", s.node())
                    .put("heldSince", s.since() == null ? null : s.since().toString())
                    .put("lastSeq", s.lastSeq());
        }
        return node;
    }

    private ObjectNode mailbox(MailboxStatus m) {
        ObjectNode node = json.createObjectNode()
                .put("id", m.id())
                .put("address", m.address())
                .put("state", m.state().name())
                .put("lastError", m.lastError())
                .put("lastSuccessAt", m.lastSuccessAt() == null ? null : m.lastSuccessAt().toString())
                .put("consecutiveFailures", m.consecutiveFailures())
                .put("owner", m.owner());
        String action = whatToDo(m);
        if (action != null) {
            node.put("action", action);
        }
        return node;
    }

    /** Said to the person on call, for a mailbox that is not healthy; null for one that is. */
    static String whatToDo(MailboxStatus m) {
        return switch (m.state()) {
            case NOT_CONNECTED -> "Gmail refused the mailbox's grant (revoked, expired or password changed): "
                    + "reconnect it with java -jar target/mailroute.jar connect " + m.id();
            case REVOKED -> "It was disconnected on purpose and is not polled; to take it back into service: "
                    + "java -jar target/mailroute.jar connect " + m.id();
            case PAUSED -> "An operator paused it; its cursor is kept. Resume it (POST /api/mailboxes/" + m.id()
                    + "/resume) to catch up on the mail that came meanwhile";
            case FAILING -> "Polls keep failing and are retried with backoff: see lastError, Gmail's status and the network; "
                    + "GET /api/mailboxes shows when the next attempt is";
            case STARTING, ACTIVE, BACKING_OFF -> null;
        };
    }

    /** One check in Camel's own shape: name, status, message, error-message, data. */
    private ObjectNode check(HealthCheck.Result result, boolean full) {
        ObjectNode node = json.createObjectNode()
                .put("name", result.getCheck().getId())
                .put("status", result.getState().name());
        result.getMessage().ifPresent(message -> node.put("message", message));
        result.getError().ifPresent(error -> node.put("error-message", causes(error)));
        if (full && result.getDetails() != null && !result.getDetails().isEmpty()) {
            ObjectNode data = node.putObject("data");
            new TreeMap<>(result.getDetails()).forEach((key, value) -> data.put(key, String.valueOf(value)));
        }
        return node;
    }

    private static String causes(Throwable error) {
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append("; caused by ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        return text.toString();
    }
}

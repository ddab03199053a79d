package io.mailroute.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.cluster.ClusterView;
import io.mailroute.gmail.GmailErrorCounts;
import io.mailroute.gmail.MailboxState;
import io.mailroute.gmail.MailboxStatus;
import io.mailroute.json.Json;
import io.mailroute.ops.ServiceHealth.Probe;
import io.mailroute.ops.ServiceHealth.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheck.State;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceHealthTest {

    private final ServiceHealth health = new ServiceHealth(Json.newMapper());

    @ParameterizedTest(name = "{0}: database {1}, route {2}, mailboxes {3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            ALL       | UP      | UP      | ACTIVE STARTING BACKING_OFF | UP       | 200
            ALL       | UP      | UP      | ACTIVE NOT_CONNECTED        | DEGRADED | 200
            ALL       | UP      | UP      | REVOKED                     | DEGRADED | 200
            ALL       | UP      | UP      | PAUSED ACTIVE               | DEGRADED | 200
            ALL       | UP      | UP      | FAILING                     | DEGRADED | 200
            ALL       | DOWN    | UP      | ACTIVE                      | DOWN     | 503
            ALL       | DOWN    | UP      | NOT_CONNECTED               | DOWN     | 503
            ALL       | UP      | DOWN    | ACTIVE                      | DOWN     | 503
            ALL       | UP      | UNKNOWN | ACTIVE                      | UP       | 200
            READINESS | UP      | UNKNOWN | ACTIVE                      | DOWN     | 503
            READINESS | UP      | UP      | NOT_CONNECTED               | DEGRADED | 200
            LIVENESS  | UP      | UP      | NOT_CONNECTED FAILING       | UP       | 200
            LIVENESS  | DOWN    | UP      | ACTIVE                      | DOWN     | 503
            """)
    void theVerdictAndItsHttpStatus(Probe probe, State database, State route, String mailboxStates, Status expected,
            int httpStatus) {
        List<MailboxStatus> mailboxes = new ArrayList<>();
        Arrays.stream(mailboxStates.split(" ")).forEach(s -> mailboxes.add(mailbox("m" + mailboxes.size(), MailboxState.valueOf(s))));

        ServiceHealth.Answer answer = health.evaluate(probe,
                List.of(result("database", database, null), result("route:triage", route, null)), mailboxes, "default");

        assertEquals(expected, answer.status());
        assertEquals(httpStatus, answer.httpStatus());
        assertEquals(expected.name(), answer.body().get("status").asText());
    }

    @Test
    void degradedNamesEachBrokenMailboxWithWhatToDoAndHidesTheHealthyOnes() {
        ServiceHealth.Answer answer = health.evaluate(Probe.ALL, List.of(result("database", State.UP, null)),
                List.of(mailbox("support", MailboxState.ACTIVE), mailbox("hr", MailboxState.NOT_CONNECTED),
                        mailbox("accounts", MailboxState.PAUSED)), "default");

        JsonNode body = answer.body();
        assertEquals(2, body.get("mailboxes").size(), body.toString());
        JsonNode hr = body.get("mailboxes").get(0);
        assertEquals("hr", hr.get("id").asText());
        assertEquals("NOT_CONNECTED", hr.get("state").asText());
        assertEquals("hr@acme.example", hr.get("address").asText());
        assertEquals("invalid_grant", hr.get("lastError").asText());
        assertTrue(hr.get("action").asText().contains("java -jar target/mailroute.jar connect hr"), hr.toString());
        assertTrue(body.get("mailboxes").get(1).get("action").asText().contains("Resume"), body.toString());
        assertFalse(body.has("checks"), "checks that are UP are not shown by default: " + body);
    }

    @Test
    void downShowsTheFailingCheckWithItsMessageAndNotTheOthers() {
        ServiceHealth.Answer answer = health.evaluate(Probe.ALL, List.of(
                result("database", State.DOWN, "the database does not answer (mailroute.db.url)"),
                result("context", State.UP, null)), List.of(mailbox("support", MailboxState.ACTIVE)), "default");

        JsonNode checks = answer.body().get("checks");
        assertEquals(1, checks.size(), answer.body().toString());
        assertEquals("database", checks.get(0).get("name").asText());
        assertEquals("DOWN", checks.get(0).get("status").asText());
        assertEquals("the database does not answer (mailroute.db.url)", checks.get(0).get("message").asText());
        assertFalse(answer.body().has("mailboxes"));
    }

    @Test
    void unreadableMailboxStatesAreDownNotAnAllClear() {
        ServiceHealth.Answer answer = health.evaluate(Probe.READINESS, List.of(result("database", State.UP, null)), null,
                "default");

        assertEquals(Status.DOWN, answer.status());
        assertTrue(answer.body().get("message").asText().contains("mailbox states"), answer.body().toString());
    }

    @Test
    void fullShowsEveryCheckWithItsDataAndEveryMailboxOnelineOnlyTheStatus() {
        List<HealthCheck.Result> checks = List.of(result("database", State.UP, null), result("context", State.UP, null));
        List<MailboxStatus> mailboxes = List.of(mailbox("support", MailboxState.ACTIVE), mailbox("hr", MailboxState.REVOKED));

        JsonNode full = health.evaluate(Probe.ALL, checks, mailboxes, "full").body();
        assertEquals(2, full.get("checks").size());
        assertEquals("ready", full.get("checks").get(0).at("/data/check.note").asText());
        assertEquals(2, full.get("mailboxes").size());
        assertFalse(full.get("mailboxes").get(0).has("action"), "a healthy mailbox needs nothing done");

        JsonNode oneline = health.evaluate(Probe.ALL, checks, mailboxes, "oneline").body();
        assertEquals("DEGRADED", oneline.get("status").asText());
        assertEquals(1, oneline.size(), oneline.toString());
    }

    @Test
    void theClusterShowsThisNodeTheNodesAndEachSubscriptionsHolderAndEachMailboxItsOwner() {
        Instant at = Instant.parse("2026-11-22T08:00:00Z");
        ClusterView.Snapshot cluster = new ClusterView.Snapshot("node-1", true, List.of(
                new ClusterView.Node("node-1", at, Duration.ofSeconds(5), true),
                new ClusterView.Node("node-2", at.minusSeconds(60), Duration.ofSeconds(5), false)),
                List.of(new ClusterView.SubscriptionHolder("triage", 42, "node-1", at.minusSeconds(4))));
        MailboxStatus owned = new MailboxStatus("support", "support@acme.example", MailboxState.ACTIVE, "1000", at, at, at, null, 0,
                null, GmailErrorCounts.Tally.NONE, "node-1", at.minusSeconds(30));

        ServiceHealth.Answer answer = health.evaluate(Probe.ALL, List.of(result("database", State.UP, null)), List.of(owned),
                cluster, "full");

        JsonNode body = answer.body();
        assertEquals(Status.UP, answer.status(), "a dead node does not change the verdict: " + body);
        assertEquals("node-1", body.at("/cluster/node").asText());
        assertTrue(body.at("/cluster/clustered").asBoolean());
        assertEquals("node-2", body.at("/cluster/nodes/1/id").asText());
        assertFalse(body.at("/cluster/nodes/1/alive").asBoolean(), body.toString());
        assertEquals("2026-11-22T07:59:00Z", body.at("/cluster/nodes/1/lastCheckin").asText());
        assertEquals(5000, body.at("/cluster/nodes/1/checkinIntervalMs").asLong());
        assertEquals("triage", body.at("/cluster/subscriptions/0/name").asText());
        assertEquals("node-1", body.at("/cluster/subscriptions/0/holder").asText());
        assertEquals("2026-11-22T07:59:56Z", body.at("/cluster/subscriptions/0/heldSince").asText());
        assertEquals("node-1", body.at("/mailboxes/0/owner").asText(), body.toString());

        JsonNode oneline = health.evaluate(Probe.ALL, List.of(result("database", State.UP, null)), List.of(owned), cluster,
                "oneline").body();
        assertFalse(oneline.has("cluster"), oneline.toString());
        assertFalse(health.evaluate(Probe.ALL, List.of(), List.of(owned), "full").body().has("cluster"),
                "no cluster object when it was not read");
    }

    private static MailboxStatus mailbox(String id, MailboxState state) {
        Instant at = Instant.parse("2026-11-22T08:00:00Z");
        return new MailboxStatus(id, id + "@acme.example", state, "1000", at, at, at,
                state.isHealthy() ? null : "invalid_grant", state.isHealthy() ? 0 : 1, null);
    }

    private static HealthCheck.Result result(String id, State state, String message) {
        HealthCheck check = new AbstractHealthCheck("test", id) {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            }
        };
        return HealthCheckResultBuilder.on(check).state(state).message(message).detail("check.note", "ready").build();
    }
}

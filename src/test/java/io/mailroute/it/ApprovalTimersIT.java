package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approval reminders and expiry across a kill -9, with the packaged jar and the sandbox: an approval is requested,
 * the service is killed before its reminder is due and started again; each approver is reminded exactly once, the
 * approval expires once, and nothing comes twice.
 */
class ApprovalTimersIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String A = "a.approver@acme.example";
    private static final String B = "b.approver@acme.example";
    /** A test copy of the shipped approvals.yaml gets this policy: a reminder after 4 s, expiry after 12 s. */
    private static final String QUICK = """

              it-quick:
                mode: all
                expires: PT12S
                reminders: [PT4S]
            """;
    private static final String REQUEST = """
            {"title":"Laptop for the new hire","requester":"mei@acme.example","approvers":["%s","%s"],
             "policy":"it-quick","fields":{"amount":1890.00,"currency":"EUR"},"idempotencyKey":"it-timers-1"}"""
            .formatted(A, B);

    @TempDir
    Path work;

    @Test
    void remindersAndExpiryFireOnceAcrossAKill9() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("accounts"), "")) {
            Path approvals = world.configDir.resolve("approvals.yaml");
            Files.writeString(approvals, Files.readString(approvals) + QUICK);
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                HttpResponse<String> created = service.request("POST", "/api/approvals", REQUEST);
                assertEquals(201, created.statusCode(), created.body());
                long id = JSON.readTree(created.body()).path("id").asLong();
                service.kill(); // SIGKILL: the approval and its timers are committed, nothing else happens in between

                service.start().awaitUp(WAIT);
                service.await(WAIT, "approval.expired", () -> !service.events("approval.expired").isEmpty());

                List<String> reminded = new ArrayList<>();
                service.events("approval.reminder").forEach(e -> {
                    assertEquals(id, e.path("data").path("approvalId").asLong(), e.toString());
                    reminded.add(e.path("data").path("approver").asText());
                });
                assertEquals(List.of(A, B), reminded.stream().sorted().toList(), "one reminder per approver, none twice");
                assertEquals(1, service.events("approval.expired").size());
                assertEquals(1, service.events("approval.requested").size(), "one request, not one per start");
                JsonNode approval = service.api("/api/approvals/" + id);
                assertEquals("EXPIRED", approval.path("state").asText(), approval.toString());
                List<String> actions = new ArrayList<>();
                approval.path("history").forEach(h -> actions.add(h.path("action").asText()));
                assertEquals(List.of("REQUESTED", "ASKED", "ASKED", "REMINDED", "REMINDED", "EXPIRED"), actions,
                        approval.toString());
            }
        }
    }
}

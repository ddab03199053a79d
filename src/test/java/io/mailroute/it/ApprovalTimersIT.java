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
    /**
     * A test copy of the shipped approvals.yaml gets this policy: a reminder after 4 s, expiry after 30 s (time for
     * the restart and the request emails on a loaded machine; if the restart takes longer, the emails are OBSOLETE).
     */
    private static final String QUICK = """

              it-quick:
                mode: all
                expires: PT30S
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
            world.sandbox.admin().addUser(A, "refresh-a"); // the approvers read their mail in the sandbox
            world.sandbox.admin().addUser(B, "refresh-b");
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

                // The request email went once to each approver, though the service died right after the request.
                String requested = service.events("approval.requested").get(0).path("id").asText();
                service.await(WAIT, "the request emails sent", () -> {
                    List<String> states = new ArrayList<>();
                    service.api("/api/deliveries?limit=500&event=" + requested).path("items").forEach(d -> {
                        if ("email".equals(d.path("channelType").asText()) || d.path("channel").asText().contains("email")) {
                            states.add(d.path("status").asText());
                        }
                    });
                    return states.size() == 2 && states.stream().allMatch(st -> st.equals("SENT") || st.equals("OBSOLETE"));
                });
                List<String> sentTo = new ArrayList<>();
                service.api("/api/deliveries?limit=500&event=" + requested).path("items").forEach(d -> {
                    if ("SENT".equals(d.path("status").asText())) {
                        sentTo.add(d.path("address").asText());
                    }
                });
                for (String approver : List.of(A, B)) {
                    assertEquals(sentTo.contains(approver) ? 1 : 0, requestsIn(world.gmailClientFor(approver)),
                            "one request email in " + approver + "'s inbox when it was sent, none when it was obsolete");
                }
            }
        }
    }

    /** Emails in the inbox that ask for the laptop approval, reminders not counted. */
    private static long requestsIn(com.google.api.services.gmail.Gmail gmail) throws java.io.IOException {
        var listed = gmail.users().messages().list("me").setLabelIds(List.of("INBOX")).execute().getMessages();
        long requests = 0;
        for (var message : listed == null ? List.<com.google.api.services.gmail.model.Message>of() : listed) {
            String subject = gmail.users().messages().get("me", message.getId()).setFormat("metadata")
                    .setMetadataHeaders(List.of("Subject")).execute().getPayload().getHeaders().stream()
                    .filter(h -> h.getName().equalsIgnoreCase("Subject")).map(h -> h.getValue()).findFirst().orElse("");
            if (subject.contains("Laptop for the new hire") && !subject.startsWith("Reminder")) {
                requests++;
            }
        }
        return requests;
    }
}

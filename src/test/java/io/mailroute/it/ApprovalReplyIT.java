package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decision by reply through the packaged jar and the sandbox: once the PO request reached r.okafor, replies in its
 * thread are inserted into accounts@ (where the request's Reply-To points). A forged From (dmarc=fail) is refused,
 * audited and answered once however often it comes; a non-approver is refused and answered; a message from the approver
 * in another thread is ordinary mail (a case); "Approved. Within budget" from the approver decides, how=reply, with
 * Gmail's verdict; no reply opens a case.
 */
class ApprovalReplyIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String APPROVER = "r.okafor@acme.example";
    private static final String STRANGER = "p.nobody@acme.example";
    private static final String SUBJECT = "Re: Please approve PO-4471 - Vandelay Industries, 12,480.00 EUR";

    @TempDir
    Path work;

    @Test
    void theApproverDecidesByReplyAndEverythingElseIsRefusedAndAnsweredOnce() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("accounts"), "")) {
            world.sandbox.admin().addUser(APPROVER, "refresh-okafor");
            world.sandbox.admin().addUser(STRANGER, "refresh-nobody");
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                world.insertText("accounts", Files.readString(Path.of("config", "sandbox", "mail", "accounts@acme.example",
                        "03-approve-po-4471.eml")));
                service.await(WAIT, "the request email sent", () -> service.api("/api/approvals").path("items").size() == 1
                        && service.api("/api/approvals/" + firstId(service)).path("messages").size() == 1);
                long poId = firstId(service);
                JsonNode request = service.api("/api/approvals/" + poId).path("messages").get(0);
                String requestId = request.path("messageId").asText();
                Gmail okafor = world.gmailClientFor(APPROVER);
                service.await(WAIT, "the request in " + APPROVER + "'s mailbox", () -> inbox(okafor).size() == 1);
                int casesBefore = service.events("case.created").size();

                // a forged From: Gmail says dmarc=fail. Refused, audited, answered once, even when it comes twice
                world.insertText("accounts", reply(APPROVER, requestId, "forged-1", "dkim=fail; spf=fail; dmarc=fail", "Approved."));
                service.await(WAIT, "the forged reply refused", () -> refusals(service, poId).size() == 1);
                assertTrue(refusals(service, poId).get(0).path("detail").asText().contains("not authenticated"),
                        refusals(service, poId).toString());
                service.await(WAIT, "the answer to the forged From", () -> inbox(okafor).size() == 2);
                world.insertText("accounts", reply(APPROVER, requestId, "forged-2", "dkim=fail; spf=fail; dmarc=fail", "Approve"));
                service.await(WAIT, "the second forged reply refused", () -> refusals(service, poId).size() == 2);
                assertEquals(1, answers(service, "NOT_AUTHENTICATED").size(), "one answer per approval and unproven sender");
                assertEquals("PENDING", service.api("/api/approvals/" + poId).path("state").asText());

                // a non-approver: refused and answered
                world.insertText("accounts", reply(STRANGER, requestId, "stranger", null, "Approved, go ahead"));
                service.await(WAIT, "the stranger refused", () -> refusals(service, poId).size() == 3);
                Gmail nobody = world.gmailClientFor(STRANGER);
                service.await(WAIT, "the answer to the stranger", () -> inbox(nobody).size() == 1);
                assertEquals(1, answers(service, "NOT_AN_APPROVER").size());
                assertEquals("PENDING", service.api("/api/approvals/" + poId).path("state").asText());

                // the approver in another thread: ordinary mail, a case
                world.insertText("accounts", """
                        From: R. Okafor <r.okafor@acme.example>
                        To: accounts@acme.example
                        Subject: Lunch on Friday?
                        Message-ID: <lunch-1@acme.example>
                        Date: Mon, 2 Mar 2026 10:00:00 +0000
                        Content-Type: text/plain; charset=UTF-8

                        Approved. Are you free on Friday?
                        """);
                service.await(WAIT, "the lunch mail as a case", () -> service.events("case.created").size() == casesBefore + 1);

                // the approver, authenticated, in the thread: decides
                world.insertText("accounts", reply(APPROVER, requestId, "decides", null, "Approved. Within budget"));
                service.await(WAIT, "the approval decided", () -> "APPROVED".equals(
                        service.api("/api/approvals/" + poId).path("state").asText()));
                JsonNode po = service.api("/api/approvals/" + poId);
                assertEquals("reply", po.path("decidedHow").asText(), po.toString());
                assertEquals(APPROVER, po.path("decidedBy").asText());
                assertEquals("Within budget", po.path("approvers").get(0).path("comment").asText(), po.toString());
                JsonNode decided = service.events("approval.decided").get(0);
                assertEquals("reply", decided.at("/data/how").asText());
                assertTrue(decided.at("/data/evidence/authentication").asText().contains("dmarc=pass"), decided.toString());
                assertEquals(casesBefore + 1, service.events("case.created").size(), "no reply opened a case");
                assertEquals(2, answers(service, null).size(), "one answer to the forged From, one to the stranger, none to the decision");

                // every refusal is in the audit trail with its evidence
                List<JsonNode> audited = new ArrayList<>();
                service.api("/api/audit/records?from=2020-01-01&to=2100-01-01&limit=500").path("items").forEach(r -> {
                    if ("approval.refused".equals(r.path("action").asText())) {
                        audited.add(r);
                    }
                });
                assertEquals(3, audited.size(), audited.toString());
                assertEquals("fail", audited.get(0).path("details").path("evidence").path("dmarc").asText(audited.get(0).toString()), audited.get(0).toString());
            }
        }
    }

    private static String reply(String from, String requestId, String tag, String auth, String words) {
        return ("From: " + from + "\n"
                + "To: accounts@acme.example\n"
                + "Subject: " + SUBJECT + "\n"
                + "Message-ID: <reply-" + tag + "@acme.example>\n"
                + "In-Reply-To: <" + requestId + ">\n"
                + "References: <a1f0c3e2-po4471-approval@acme.example> <" + requestId + ">\n"
                + (auth == null ? "" : "X-Sandbox-Auth: " + auth + "\n")
                + "Date: Mon, 2 Mar 2026 09:30:00 +0000\n"
                + "Content-Type: text/plain; charset=UTF-8\n\n"
                + words + "\n\n> the request, quoted\n");
    }

    private static long firstId(ServiceProcess service) {
        return service.api("/api/approvals").path("items").get(0).path("id").asLong();
    }

    private static List<JsonNode> refusals(ServiceProcess service, long approvalId) {
        return StreamSupport.stream(service.api("/api/approvals/" + approvalId).path("history").spliterator(), false)
                .filter(h -> "REFUSED".equals(h.path("action").asText())).toList();
    }

    private static List<JsonNode> answers(ServiceProcess service, String reason) {
        return service.events("approval.reply-refused").stream()
                .filter(e -> reason == null || reason.equals(e.at("/data/reason").asText())).toList();
    }

    private static List<String> inbox(Gmail gmail) {
        try {
            var listed = gmail.users().messages().list("me").setLabelIds(List.of("INBOX")).execute().getMessages();
            return listed == null ? List.of() : listed.stream().map(Message::getId).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

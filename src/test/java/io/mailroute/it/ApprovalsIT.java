package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Approvals through the packaged jar and the sandbox: the demo's PO request by mail becomes a PENDING approval of
 * the seeded approver; the API creates (idempotently), lists, shows with history, decides (the item follows, and
 * approval.decided is an event) and cancels, and refuses a bad field with a 400 naming it.
 */
class ApprovalsIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APPROVER = "r.okafor@acme.example";
    private static final String REQUEST = """
            {"title":"Laptop for the new hire","requester":"mei@acme.example","approvers":["finance"],
             "fields":{"amount":1890.00,"currency":"EUR","vendor":"Hooli"},"attachments":[{"name":"quote.pdf"}],
             "idempotencyKey":"it-laptop-1"}""";

    @TempDir
    Path work;

    @Test
    void approvalsByMailAndByApiEndToEnd() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("accounts"), "");
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            // the demo's PO request, as it arrives at accounts@
            world.insertText("accounts", Files.readString(Path.of("config", "sandbox", "mail", "accounts@acme.example",
                    "03-approve-po-4471.eml")));
            service.await(WAIT, "the PO approval", () -> service.api("/api/approvals").path("items").size() == 1);
            JsonNode po = service.api("/api/approvals").path("items").get(0);
            assertEquals("PENDING", po.path("state").asText(), po.toString());
            assertEquals(APPROVER, po.path("approvers").get(0).path("address").asText(), po.toString());
            assertEquals("ASKED", po.path("approvers").get(0).path("state").asText(), po.toString());
            assertEquals("purchase-order", po.path("policy").asText());
            assertEquals("email", po.path("source").asText());
            long poId = po.path("id").asLong();
            long itemId = po.path("itemId").asLong();
            assertEquals("PENDING", service.api("/api/items/" + itemId).path("state").asText());
            JsonNode requested = service.events("approval.requested").get(0).path("data");
            assertEquals(List.of(APPROVER), strings(requested.path("askNow")));
            assertEquals("a1f0c3e2-po4471-approval@acme.example", requested.path("originalMessageId").asText(), requested.toString());
            assertFalse(requested.path("originalThreadId").isNull(), requested.toString());

            // create, and the same key again
            HttpResponse<String> created = service.request("POST", "/api/approvals", REQUEST);
            assertEquals(201, created.statusCode(), created.body());
            long laptop = JSON.readTree(created.body()).path("id").asLong();
            HttpResponse<String> again = service.request("POST", "/api/approvals", REQUEST);
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(laptop, JSON.readTree(again.body()).path("id").asLong());
            HttpResponse<String> clash = service.request("POST", "/api/approvals", REQUEST.replace("Laptop", "Two laptops"));
            assertEquals(409, clash.statusCode(), clash.body());
            assertTrue(error(clash).contains("'it-laptop-1'"), clash.body());
            assertEquals(2, service.events("approval.requested").size(), "one approval.requested per approval");

            // 400s naming the field
            assertBadRequest(service, REQUEST.replace("\"Laptop for the new hire\"", "\"Laptop\\r\\nBcc: all@acme.example\""), "title");
            assertBadRequest(service, REQUEST.replace("\"mei@acme.example\"", "\"Mei <mei@acme.example>\""), "requester");
            assertBadRequest(service, REQUEST.replace("[\"finance\"]", "[\"finanse\"]"), "approvers");
            assertBadRequest(service, REQUEST.replace("\"vendor\":\"Hooli\"", "\"vendor\":{\"name\":\"Hooli\"}"), "fields.vendor");
            assertBadRequest(service, REQUEST.replace("\"idempotencyKey\"", "\"callbackUrl\":\"http://erp.example/hook\",\"idempotencyKey\""),
                    "callbackUrl");
            assertBadRequest(service, REQUEST.replace("{\"name\":\"quote.pdf\"}", "{\"name\":\"../quote.pdf\"}"), "attachments[0].name");
            assertBadRequest(service, "{\"title\":\"x\"}", "requester");

            // lists and filters
            assertEquals(List.of(poId, laptop), ids(service.api("/api/approvals?state=PENDING")));
            assertEquals(List.of(poId, laptop), ids(service.api("/api/approvals?approver=" + APPROVER)));
            assertEquals(List.of(), ids(service.api("/api/approvals?approver=nobody@acme.example")));
            assertEquals(List.of(laptop), ids(service.api("/api/approvals?after=" + poId + "&limit=1")));
            assertEquals(400, service.apiResponse("/api/approvals?state=MAYBE").statusCode());
            assertEquals(400, service.apiResponse("/api/approvals?limit=501").statusCode());

            // decide the PO: a stranger is refused (and recorded), the approver decides, the item follows
            HttpResponse<String> stranger = service.request("POST", "/api/approvals/" + poId + "/decision",
                    "{\"decision\":\"approve\",\"approver\":\"mallory@evil.example\"}");
            assertEquals(422, stranger.statusCode(), stranger.body());
            HttpResponse<String> decided = service.request("POST", "/api/approvals/" + poId + "/decision",
                    "{\"decision\":\"approve\",\"approver\":\"" + APPROVER + "\",\"comment\":\"Within budget\"}");
            assertEquals(200, decided.statusCode(), decided.body());
            assertEquals("APPROVED", JSON.readTree(decided.body()).path("state").asText());
            service.await(WAIT, "the item APPROVED", () -> service.api("/api/items/" + itemId).path("state").asText().equals("APPROVED"));
            JsonNode event = service.events("approval.decided").get(0).path("data");
            assertEquals("approve", event.path("decision").asText());
            assertEquals(APPROVER, event.path("approver").asText());
            assertEquals("api", event.path("how").asText());
            assertEquals("Within budget", event.path("comment").asText());
            HttpResponse<String> late = service.request("POST", "/api/approvals/" + poId + "/decision",
                    "{\"decision\":\"reject\",\"approver\":\"" + APPROVER + "\"}");
            assertEquals(409, late.statusCode(), late.body());
            assertEquals(APPROVER, JSON.readTree(late.body()).path("error").path("decidedBy").asText(), late.body());
            assertBadRequest(service, "/api/approvals/" + poId + "/decision", "{\"decision\":\"maybe\",\"approver\":\"" + APPROVER + "\"}",
                    "decision");

            JsonNode history = service.api("/api/approvals/" + poId).path("history");
            List<String> actions = new ArrayList<>();
            history.forEach(h -> actions.add(h.path("action").asText()));
            assertEquals(List.of("REQUESTED", "ASKED", "REFUSED", "DECIDED", "APPROVED", "REFUSED"), actions, history.toString());
            assertEquals("mallory@evil.example", history.get(2).path("actor").asText());

            // cancel
            HttpResponse<String> cancelled = service.request("POST", "/api/approvals/" + laptop + "/cancel", "{\"reason\":\"bought\"}");
            assertEquals(200, cancelled.statusCode(), cancelled.body());
            assertEquals("CANCELLED", JSON.readTree(cancelled.body()).path("state").asText());
            assertEquals(409, service.request("POST", "/api/approvals/" + laptop + "/cancel", null).statusCode());
            assertEquals(404, service.apiResponse("/api/approvals/999999").statusCode());
            assertEquals(List.of("approval.cancelled"), service.events("approval.cancelled").stream()
                    .map(e -> e.path("type").asText()).toList());
        }
    }

    private static void assertBadRequest(ServiceProcess service, String body, String field) throws Exception {
        assertBadRequest(service, "/api/approvals", body, field);
    }

    private static void assertBadRequest(ServiceProcess service, String path, String body, String field) throws Exception {
        HttpResponse<String> answer = service.request("POST", path, body);
        assertEquals(400, answer.statusCode(), answer.body());
        assertTrue(error(answer).startsWith(field + " ") || error(answer).startsWith(field + ":"), field + ": " + answer.body());
    }

    private static String error(HttpResponse<String> answer) throws Exception {
        return JSON.readTree(answer.body()).path("error").path("message").asText();
    }

    private static List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.path("items").forEach(a -> ids.add(a.path("id").asLong()));
        return ids;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

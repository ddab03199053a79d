package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Triage, workflow items, the audit trail and a subscriber route, in the packaged service against the sandbox. */
class WorkflowEndToEndIT {

    private static final Duration SOON = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void aRequestBecomesACaseItsReplyAttachesAndPeopleMoveIt() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            world.insertText("support", """
                    From: Mei Chen <m.chen@globex.example>
                    To: support@acme.example
                    Subject: Cannot log in to the portal
                    Message-ID: <login-1@globex.example>

                    Since this morning the portal says "Session expired". Please help.
                    """);
            service.await(SOON, "case.created", () -> service.events("case.created").size() == 1);
            JsonNode created = service.events("case.created").get(0).get("data");
            long itemId = created.get("itemId").asLong();
            assertEquals("support", created.get("queue").asText());

            world.insertText("support", """
                    From: Mei Chen <m.chen@globex.example>
                    To: support@acme.example
                    Subject: Re: Cannot log in to the portal
                    Message-ID: <login-2@globex.example>
                    In-Reply-To: <login-1@globex.example>
                    References: <login-1@globex.example>

                    Still broken, any news?
                    """);
            service.await(SOON, "item.replied", () -> service.events("item.replied").size() == 1);
            assertEquals(itemId, service.events("item.replied").get(0).at("/data/itemId").asLong());
            assertEquals(1, service.events("case.created").size(), "the reply made no new case");

            JsonNode item = service.api("/api/items/" + itemId);
            assertEquals(2, item.get("messages").size());
            int version = item.get("version").asInt();

            HttpResponse<String> assigned = patch(service, itemId, "{\"state\":\"IN_PROGRESS\",\"assignee\":\"mei@acme.example\","
                    + "\"version\":" + version + "}");
            assertEquals(200, assigned.statusCode(), assigned.body());
            assertEquals("IN_PROGRESS", JSON.readTree(assigned.body()).get("state").asText());
            assertEquals(409, patch(service, itemId, "{\"state\":\"RESOLVED\",\"version\":" + version + "}").statusCode(),
                    "a change based on a stale version is refused");
            assertEquals(422, patch(service, itemId, "{\"state\":\"APPROVED\"}").statusCode(), "cases are not approved");
            assertEquals(400, patch(service, itemId, "{\"colour\":\"red\"}").statusCode());

            service.await(SOON, "the change events", () -> service.events("item.assigned").size() == 1
                    && service.events("item.state-changed").size() == 1);
            assertEquals(1, service.api("/api/items?queue=support&state=IN_PROGRESS").get("items").size());
            assertEquals(0, service.api("/api/items?queue=hr").get("items").size());
        }
        ServiceProcess.CommandResult verify = jar(List.of("audit", "verify", "--config", configOf(work)), work);
        assertEquals(0, verify.exit(), verify.output());
        assertTrue(verify.output().contains("intact"), verify.output());

        try (Connection h2 = DriverManager.getConnection(h2Url(work), "sa", "")) {
            h2.createStatement().executeUpdate("UPDATE audit_log SET details = '{\"assignee\":\"someone-else\"}' WHERE seq = 3");
        }
        ServiceProcess.CommandResult tampered = jar(List.of("audit", "verify", "--config", configOf(work)), work);
        assertEquals(1, tampered.exit(), tampered.output());
        assertTrue(tampered.output().contains("seq 3"), tampered.output());
    }

    @Test
    void anOverdueCaseBreachesItsSlaOnceAndABrokenRulesEditIsRefused() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("hr"), "mailroute.workflow.sla-check-interval = 300\n")) {
            Path rules = world.configDir.resolve("triage.yaml");
            Files.writeString(rules, """
                    rules:
                      - id: quick
                        when: {subject: urgent}
                        then: {type: case, category: test/quick, queue: fast-lane, priority: URGENT, sla: PT2S}
                      - id: default
                        then: {type: case, category: general, queue: triage, priority: NORMAL}
                    """);
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                world.insert("hr", "urgent: badge does not work");
                service.await(SOON, "sla.breached", () -> service.events("sla.breached").size() == 1);
                // a second overdue case: its breach comes from a later SLA check, which saw the first case again
                world.insert("hr", "urgent: door code does not work");
                service.await(SOON, "the second sla.breached", () -> service.events("sla.breached").size() >= 2);
                assertEquals(2, service.events("sla.breached").size(), "once per case only: " + service.events("sla.breached"));

                Files.writeString(rules, "rules:\n  - id: broken\n    when: {subject: {regex: '(unclosed'}}\n"
                        + "    then: {type: case, category: x, queue: y}\n  - id: default\n    then: {type: case, category: general, queue: triage}\n");
                service.await(SOON, "the refusal in the log", () -> service.log().contains("not reloaded")
                        && service.log().contains("rule 'broken'") && service.log().contains("line 3"));
                world.insert("hr", "urgent: second badge");
                service.await(SOON, "third case", () -> service.events("case.created").size() == 3);
                assertEquals("fast-lane", service.events("case.created").get(2).at("/data/queue").asText(),
                        "the last good rules stay in force");

                Files.writeString(rules, """
                        rules:
                          - id: everything-to-hr
                            then: {type: case, category: hr/general, queue: hr, priority: NORMAL}
                        """);
                service.await(SOON, "the reload", () -> service.log().contains("Triage rules reloaded from"));
                world.insert("hr", "urgent: third badge");
                service.await(SOON, "fourth case", () -> service.events("case.created").size() == 4);
                assertEquals("hr", service.events("case.created").get(3).at("/data/queue").asText());
            }
        }
    }

    /**
     * routes/finance-exceptions-webhook.camel.yaml: finance cases reach the finance system through its webhook channel,
     * signed (the sandbox's receiver checks X-Mailroute-Signature with the channel's secret) and each one tracked in
     * /api/deliveries; the subscriber killed mid-stream resumes where it stopped, and nothing else is sent to it.
     */
    @Test
    void financeCasesReachTheFinanceSystemSignedAndTrackedAcrossAKill() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("accounts"), "mailroute.finance-webhook.enabled = true\n")) {
            Set<String> subjects = new HashSet<>();
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                for (int i = 0; i < 12; i++) {
                    subjects.add(insertPaymentFailure(world, i));
                }
                world.insert("accounts", "Purchase order PO-1 for gloves"); // a case, but not a finance one
                service.await(SOON, "some delivered to the finance system",
                        () -> financeDeliveries(service).stream().filter(d -> d.get("status").asText().equals("DELIVERED"))
                                .count() >= 3);
                service.kill();
            }
            for (int i = 12; i < 16; i++) {
                subjects.add(insertPaymentFailure(world, i));
            }
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                service.await(SOON, "every finance case delivered to the finance system",
                        () -> financeDeliveries(service).size() == subjects.size() && financeDeliveries(service).stream()
                                .allMatch(d -> d.get("status").asText().equals("DELIVERED")));
                service.await(SOON, "the purchase order's case", () -> service.events("case.created").size() == subjects.size() + 1);
                List<JsonNode> deliveries = financeDeliveries(service);
                Set<String> financeEvents = new HashSet<>();
                for (JsonNode created : service.events("case.created")) {
                    if (created.at("/data/category").asText().startsWith("finance")) {
                        financeEvents.add(created.get("id").asText());
                    }
                }
                assertEquals(subjects.size(), financeEvents.size(), "the finance cases, and only they: " + financeEvents);
                Set<String> deliveredEvents = new HashSet<>();
                Set<String> deliveryIds = new HashSet<>();
                for (JsonNode d : deliveries) {
                    deliveredEvents.add(d.get("eventId").asText());
                    deliveryIds.add(d.get("id").asText());
                    assertEquals("webhook", d.get("channelType").asText());
                    assertEquals("finance-system", d.get("recipient").asText());
                }
                assertEquals(financeEvents, deliveredEvents, "one delivery per finance case, none for the purchase order");

                Set<String> received = new HashSet<>();
                Set<String> receivedDeliveries = new HashSet<>();
                for (var push : world.sandbox.admin().pushInbox().of("webhook")) {
                    JsonNode payload = JSON.readTree(push.payload());
                    if (!deliveryIds.contains(payload.path("deliveryId").asText())) {
                        continue; // the team's own webhook (finance-push) posts to the same sandbox receiver
                    }
                    assertTrue(push.accepted() && push.verdict().contains("signature valid"), push.verdict());
                    assertEquals("case.created", payload.get("eventType").asText());
                    assertTrue(financeEvents.contains(payload.get("eventId").asText()), push.payload());
                    received.add(payload.get("body").asText());
                    receivedDeliveries.add(payload.get("deliveryId").asText());
                }
                assertEquals(subjects, received, "no loss, and nothing but finance cases");
                assertEquals(deliveryIds, receivedDeliveries, "each tracked delivery arrived signed");
            }
        }
    }

    /** The finance-system channel's deliveries, every page of GET /api/deliveries. */
    private static List<JsonNode> financeDeliveries(ServiceProcess service) {
        List<JsonNode> found = new java.util.ArrayList<>();
        String after = "";
        while (after != null) {
            JsonNode page = service.api("/api/deliveries?limit=100" + (after.isEmpty() ? "" : "&after=" + after));
            page.get("items").forEach(d -> {
                if (d.get("channel").asText().equals("finance-system")) {
                    found.add(d);
                }
            });
            after = page.get("next").isNull() ? null : page.get("next").asText();
        }
        return found;
    }

    private static String insertPaymentFailure(IntakeFixture world, int n) {
        world.insertText("accounts", """
                From: PayGate <notifications@paygate.example>
                To: accounts@acme.example
                Subject: %s
                Message-ID: <pay-%d-%d@paygate.example>

                The transfer was rejected by the receiving bank.
                """.formatted(subject(n), n, System.nanoTime()));
        return subject(n);
    }

    private static String subject(int n) {
        return "Payment failed: transfer TR-" + (1000 + n);
    }

    private static HttpResponse<String> patch(ServiceProcess service, long itemId, String body) throws Exception {
        return service.request("PATCH", "/api/items/" + itemId, body);
    }

    private static String configOf(Path work) {
        return work.resolve("config").toString();
    }

    private static String h2Url(Path work) {
        return "jdbc:h2:file:" + work.resolve("data").resolve("db").resolve("mailroute").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
    }

    private static ServiceProcess.CommandResult jar(List<String> args, Path work) throws IOException, InterruptedException {
        return ServiceProcess.runJar(List.of("-Dmailroute.data-dir=" + work.resolve("data").toAbsolutePath()), args);
    }
}

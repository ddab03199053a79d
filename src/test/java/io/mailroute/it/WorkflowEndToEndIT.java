package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
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

    @Test
    void aSubscriberKilledMidStreamResumesWithoutLoss() throws Exception {
        List<String> posted = new CopyOnWriteArrayList<>();
        AtomicBoolean receiverUp = new AtomicBoolean(true);
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hooks/finance", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!receiverUp.get()) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            JsonNode event = JSON.readTree(body);
            assertEquals(event.get("id").asText(), exchange.getRequestHeaders().getFirst("X-Mailroute-Event-Id"));
            posted.add(event.at("/data/subject").asText());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/finance";
        try (IntakeFixture world = new IntakeFixture(work, List.of("accounts"),
                "mailroute.finance-webhook.enabled = true\nmailroute.finance-webhook.url = " + url + "\n")) {
            Set<String> subjects = new HashSet<>();
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                for (int i = 0; i < 12; i++) {
                    subjects.add(insertPaymentFailure(world, i));
                }
                insertPaymentFailure(world, 99); // and one that is not finance: a plain purchase order
                world.insert("accounts", "Purchase order PO-1 for gloves");
                service.await(SOON, "some posted", () -> posted.size() >= 3);
                receiverUp.set(false); // the receiver goes down while the service dies
                service.kill();
            }
            for (int i = 12; i < 16; i++) {
                subjects.add(insertPaymentFailure(world, i));
            }
            receiverUp.set(true);
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                subjects.add(subject(99));
                service.await(SOON, "every finance case posted", () -> new HashSet<>(posted).containsAll(subjects));
                subjects.add(insertPaymentFailure(world, 16)); // a later case: once it is posted, anything else would be too
                service.await(SOON, "the later finance case posted", () -> posted.contains(subject(16)));
                assertEquals(subjects, new HashSet<>(posted), "no loss, and nothing but finance cases");
                assertTrue(posted.size() <= subjects.size() + 1, "at most the one in flight at the crash twice: " + posted);
            }
        } finally {
            receiver.stop(0);
        }
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

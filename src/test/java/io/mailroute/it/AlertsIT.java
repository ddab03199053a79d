package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.json.Json;
import io.mailroute.sandbox.PushInbox;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another system raises alerts through the packaged service's API (the shipped channels.yaml, the sandbox's Gmail and
 * push receivers): the owners of the queue get them by email and webhook, a repeat is counted and sent nowhere, the one
 * reminder and the resolved note reach the same owners, and a queue nobody owns is refused.
 */
class AlertsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final ObjectMapper json = Json.newMapper();

    @TempDir
    Path work;

    @Test
    void alertsReachTheOwnersOfTheirQueueOnceThenOneReminderThenResolved() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), """
                mailroute.alerts.reminder.critical = 3s
                mailroute.alerts.reminder.high = 0s
                """);
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            String operator = service.run("token", "create", "erp", "--role", "operator").output().lines()
                    .filter(l -> l.startsWith("mrt_")).findFirst().orElseThrow();

            // finance-exceptions is ap-team's (email to team@): one email however often the ERP reports it
            HttpResponse<String> first = post(service, operator, "{\"type\":\"process.failed\",\"severity\":\"high\","
                    + "\"key\":\"erp-sync-42\",\"queue\":\"finance-exceptions\",\"summary\":\"ERP sync run 42 failed\","
                    + "\"details\":{\"run\":42}}");
            assertEquals(201, first.statusCode(), first.body());
            assertEquals(List.of("ap-team"), strings(json.readTree(first.body()).path("audiences")));
            HttpResponse<String> repeat = post(service, operator, "{\"type\":\"process.failed\",\"severity\":\"high\","
                    + "\"key\":\"erp-sync-42\",\"queue\":\"finance-exceptions\",\"summary\":\"ERP sync run 43 failed\"}");
            assertEquals(200, repeat.statusCode(), repeat.body());
            assertEquals(2, json.readTree(repeat.body()).path("count").asInt());
            service.await(WAIT, "the alert's email to ap-team", () -> subjects(world).stream()
                    .anyMatch(s -> s.startsWith("[HIGH] Alert: process.failed erp-sync-42")));

            // ops-oncall is oncall-push's (the team's webhook room among others): raised, reminded once, resolved
            HttpResponse<String> critical = post(service, operator, "{\"type\":\"integration.error\",\"severity\":\"critical\","
                    + "\"key\":\"edi-gateway\",\"queue\":\"ops-oncall\",\"summary\":\"EDI gateway unreachable\"}");
            assertEquals(201, critical.statusCode(), critical.body());
            assertEquals(200, post(service, operator, "{\"type\":\"integration.error\",\"severity\":\"critical\","
                    + "\"key\":\"edi-gateway\",\"queue\":\"ops-oncall\",\"summary\":\"still unreachable\"}").statusCode());
            service.await(WAIT, "the reminder on the webhook", () -> hooks(world).stream()
                    .anyMatch(p -> p.contains("Still happening (2x): integration.error edi-gateway")));
            HttpResponse<String> resolved = service.request("POST", "/api/alerts/edi-gateway/resolve", null, operator);
            assertEquals(200, resolved.statusCode(), resolved.body());
            assertEquals("resolved", json.readTree(resolved.body()).path("state").asText());
            service.await(WAIT, "the resolved note on the webhook", () -> hooks(world).stream()
                    .anyMatch(p -> p.contains("Resolved: integration.error edi-gateway")));
            List<String> edi = hooks(world).stream().filter(p -> p.contains("edi-gateway")).toList();
            assertEquals(3, edi.size(), "raised, one reminder, resolved: " + edi);

            // resolving through POST /api/alerts as well; a queue nobody owns is refused, naming what to do
            HttpResponse<String> byStatus = post(service, operator, "{\"key\":\"erp-sync-42\",\"status\":\"resolved\"}");
            assertEquals(200, byStatus.statusCode(), byStatus.body());
            HttpResponse<String> unowned = post(service, operator, "{\"type\":\"shipment.delayed\",\"key\":\"sh-9\","
                    + "\"queue\":\"logistics\",\"summary\":\"truck late\"}");
            assertEquals(422, unowned.statusCode(), unowned.body());
            assertTrue(unowned.body().contains("queue 'logistics' has no owners"), unowned.body());
            HttpResponse<String> unknownField = post(service, operator, "{\"type\":\"shipment.delayed\",\"key\":\"sh-9\","
                    + "\"queue\":\"ops-oncall\",\"summary\":\"late\",\"owner\":\"x\"}");
            assertEquals(400, unknownField.statusCode(), unknownField.body());
            assertTrue(unknownField.body().contains("unknown field 'owner'"), unknownField.body());

            JsonNode listed = service.api("/api/alerts?state=resolved");
            assertEquals(2, listed.path("counts").path("resolved").asInt(), listed.toString());
            assertEquals(0, listed.path("counts").path("open").asInt(), listed.toString());
            assertEquals(List.of("erp-sync-42", "edi-gateway"), listed.path("items").findValuesAsText("key").stream()
                    .sorted(java.util.Comparator.reverseOrder()).toList());
        }
    }

    private static HttpResponse<String> post(ServiceProcess service, String token, String body) {
        return service.request("POST", "/api/alerts", body, token);
    }

    private static List<String> hooks(IntakeFixture world) {
        return world.sandbox.admin().pushInbox().of("webhook").stream().filter(PushInbox.Push::accepted)
                .map(PushInbox.Push::payload).toList();
    }

    private static List<String> subjects(IntakeFixture world) {
        try {
            var gmail = world.gmailClient("team");
            var list = gmail.users().messages().list("me").setLabelIds(List.of("INBOX")).execute();
            if (list.getMessages() == null) {
                return List.of();
            }
            List<String> subjects = new java.util.ArrayList<>();
            for (var ref : list.getMessages()) {
                gmail.users().messages().get("me", ref.getId()).setFormat("metadata").execute().getPayload().getHeaders()
                        .stream().filter(h -> h.getName().equalsIgnoreCase("Subject")).forEach(h -> subjects.add(h.getValue()));
            }
            return subjects;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.access.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service port with API tokens, through the packaged service: every endpoint × {no token,
 * viewer, operator, admin} answers what its role allows, tokens come from the {@code token}
 * command, and a grant of another account is refused through the API as the command refuses it.
 */
class ApiAccessIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path work;

    /**
     * One endpoint: what a caller whose role suffices gets (a 404 for a made-up id proves the request got through); role
     * null for a public one (signed-link pages, their files), which every caller gets.
     */
    private record Endpoint(String method, String template, String path, String body, Role role, int allowed) {
    }

    @Test
    void everyEndpointAnswersEachRoleAsDeclared() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            long itemId = oneItem(world, service);
            long messageId = service.api("/api/messages").path("items").get(0).path("id").asLong();
            ownerShownEverywhere(service, "support");

            Map<String, String> tokens = new LinkedHashMap<>();
            tokens.put("none", null);
            for (Role role : Role.values()) {
                ServiceProcess.CommandResult created = service.run("token", "create", "table-" + role.configName(),
                        "--role", role.configName());
                assertEquals(0, created.exit(), created.output());
                tokens.put(role.configName(), created.output().lines().filter(l -> l.startsWith("mrt_")).findFirst().orElseThrow());
            }

            List<Endpoint> table = List.of(
                    new Endpoint("GET", "/api/messages", "/api/messages", null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/messages/{id}", "/api/messages/" + messageId, null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/events", "/api/events", null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/mailboxes", "/api/mailboxes", null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/items", "/api/items", null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/items/{id}", "/api/items/" + itemId, null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/deliveries", "/api/deliveries", null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/audit/verify", "/api/audit/verify", null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/audit/records", "/api/audit/records?from=2020-01-01&to=2100-01-01", null,
                            Role.VIEWER, 200),
                    new Endpoint("PATCH", "/api/items/{id}", "/api/items/" + itemId, "{\"assignee\":\"mei@acme.example\"}",
                            Role.OPERATOR, 200),
                    new Endpoint("POST", "/api/items/{id}/messages", "/api/items/999999/messages",
                            "{\"template\":\"status-update\",\"text\":\"From the table\"}", Role.OPERATOR, 404),
                    new Endpoint("POST", "/api/mailboxes/{id}/pause", "/api/mailboxes/support/pause", null, Role.OPERATOR, 200),
                    new Endpoint("POST", "/api/mailboxes/{id}/resume", "/api/mailboxes/support/resume", null, Role.OPERATOR, 200),
                    new Endpoint("POST", "/api/recipients/{id}/targets", "/api/recipients/team/targets",
                            "{\"channel\":\"team-hook\",\"address\":\"another-room\"}", Role.ADMIN, 201),
                    new Endpoint("PUT", "/api/mailboxes/{id}/connection", "/api/mailboxes/nobody/connection",
                            "{\"refreshToken\":\"x\"}", Role.ADMIN, 404),
                    new Endpoint("DELETE", "/api/mailboxes/{id}/connection", "/api/mailboxes/nobody/connection", null,
                            Role.ADMIN, 404),
                    new Endpoint("GET", "/api/tokens", "/api/tokens", null, Role.ADMIN, 200),
                    new Endpoint("POST", "/api/tokens", "/api/tokens", "{\"name\":\"made-in-the-table\",\"role\":\"viewer\"}",
                            Role.ADMIN, 201),
                    new Endpoint("DELETE", "/api/tokens/{name}", "/api/tokens/nobody-such", null, Role.ADMIN, 404),
                    new Endpoint("GET", "/api/console-users", "/api/console-users", null, Role.ADMIN, 200),
                    new Endpoint("POST", "/api/console-users", "/api/console-users",
                            "{\"name\":\"made-in-the-table\",\"role\":\"viewer\",\"password\":\"a table's long password\"}",
                            Role.ADMIN, 201),
                    new Endpoint("POST", "/api/console-users/{name}/disable", "/api/console-users/nobody-such/disable", null,
                            Role.ADMIN, 404),
                    new Endpoint("PUT", "/api/console-users/{name}/password", "/api/console-users/nobody-such/password",
                            "{\"password\":\"another long password\"}", Role.ADMIN, 404),
                    new Endpoint("GET", "/api/approvals", "/api/approvals", null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/approvals/{id}", "/api/approvals/999999", null, Role.VIEWER, 404),
                    new Endpoint("POST", "/api/approvals", "/api/approvals", "{\"title\":\"Table\",\"requester\":"
                            + "\"mei@acme.example\",\"approvers\":[\"r.okafor@acme.example\"],\"mailbox\":\"support\"}",
                            Role.OPERATOR, 201),
                    new Endpoint("POST", "/api/approvals/{id}/decision", "/api/approvals/999999/decision",
                            "{\"decision\":\"approve\",\"approver\":\"r.okafor@acme.example\"}", Role.OPERATOR, 404),
                    new Endpoint("POST", "/api/approvals/{id}/cancel", "/api/approvals/999999/cancel", null, Role.OPERATOR, 404),
                    new Endpoint("GET", "/api/alerts", "/api/alerts", null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/alerts/{key}", "/api/alerts/never-raised", null, Role.VIEWER, 404),
                    new Endpoint("POST", "/api/alerts", "/api/alerts", "{\"key\":\"never-raised\",\"status\":\"resolved\"}",
                            Role.OPERATOR, 404),
                    new Endpoint("POST", "/api/alerts/{key}/resolve", "/api/alerts/never-raised/resolve", null, Role.OPERATOR, 404),
                    new Endpoint("GET", "/api/reports", "/api/reports", null, Role.VIEWER, 200),
                    new Endpoint("GET", "/api/reports/{id}/runs", "/api/reports/nobody-such/runs", null, Role.VIEWER, 404),
                    new Endpoint("POST", "/api/reports/{id}/runs", "/api/reports/nobody-such/runs", "{}", Role.OPERATOR, 404),
                    new Endpoint("POST", "/api/reports/{id}/dry-run", "/api/reports/nobody-such/dry-run", "{}", Role.OPERATOR, 404),
                    new Endpoint("POST", "/api/reports/{id}/runs/{runId}/revoke", "/api/reports/nobody-such/runs/1/revoke", null,
                            Role.OPERATOR, 404),
                    // public (role null): the same for every caller, token or none, never a 401: a link page without its
                    // link is a 400, its POST without a form a 415 (it consumes application/x-www-form-urlencoded)
                    new Endpoint("GET", "/p/approvals/decide", "/p/approvals/decide", null, null, 400),
                    new Endpoint("POST", "/p/approvals/decide", "/p/approvals/decide", null, null, 415),
                    new Endpoint("GET", "/p/reports/download", "/p/reports/download", null, null, 400),
                    new Endpoint("POST", "/p/reports/download", "/p/reports/download", null, null, 415),
                    new Endpoint("GET", "/p/reports/ack", "/p/reports/ack", null, null, 400),
                    new Endpoint("POST", "/p/reports/ack", "/p/reports/ack", null, null, 415),
                    // a push's acknowledgement address takes JSON from apps: without its link, a 400
                    new Endpoint("GET", "/p/engagement/ack", "/p/engagement/ack", null, null, 400),
                    new Endpoint("POST", "/p/engagement/ack", "/p/engagement/ack", "{\"event\":\"opened\"}", null, 400),
                    new Endpoint("GET", "/p/engagement/acknowledge", "/p/engagement/acknowledge", null, null, 400),
                    new Endpoint("POST", "/p/engagement/acknowledge", "/p/engagement/acknowledge", null, null, 415),
                    // an email's open-tracking image: the same 1x1 GIF for every caller and token, none included
                    new Endpoint("GET", "/p/engagement/pixel", "/p/engagement/pixel", null, null, 200),
                    // Pub/Sub's push takes its OIDC token, never an API token; this world has no pubsub.endpoint, so it is
                    // a 404 for every caller (GmailPushEndpointIT checks it with tokens)
                    new Endpoint("POST", "/gmail/push", "/gmail/push", "{}", null, 404),
                    new Endpoint("GET", "/assets/{name}", "/" + new io.mailroute.pages.PageAssets().path("mailroute.css"), null,
                            null, 200),
                    // the console's sign-in pages and GET / are public; its pages need a session, which no token is: every
                    // token caller is sent to sign in (303). ConsoleSignInIT checks them with sessions.
                    new Endpoint("GET", "/", "/", null, null, 303),
                    new Endpoint("GET", "/console/sign-in", "/console/sign-in", null, null, 200),
                    new Endpoint("POST", "/console/sign-in", "/console/sign-in", null, null, 415),
                    // Google sign-in is off in this world (no domains): both of its pages say so
                    new Endpoint("GET", "/console/sign-in/google", "/console/sign-in/google", null, null, 404),
                    new Endpoint("GET", "/console/sign-in/google/callback", "/console/sign-in/google/callback?code=x&state=y",
                            null, null, 404),
                    new Endpoint("GET", "/console", "/console/", null, null, 303),
                    new Endpoint("POST", "/console/sign-out", "/console/sign-out", null, null, 303),
                    new Endpoint("GET", "/console/items", "/console/items", null, null, 303),
                    new Endpoint("GET", "/console/items/{id}", "/console/items/" + itemId, null, null, 303),
                    new Endpoint("POST", "/console/items/{id}", "/console/items/" + itemId, null, null, 303),
                    new Endpoint("GET", "/console/attachments/{id}", "/console/attachments/1", null, null, 303),
                    new Endpoint("GET", "/console/approvals", "/console/approvals", null, null, 303),
                    new Endpoint("GET", "/console/approvals/{id}", "/console/approvals/1", null, null, 303),
                    new Endpoint("POST", "/console/approvals/{id}/decision", "/console/approvals/1/decision", null, null, 303),
                    new Endpoint("GET", "/console/deliveries", "/console/deliveries", null, null, 303),
                    new Endpoint("POST", "/console/deliveries/{id}/retry", "/console/deliveries/1/retry", null, null, 303),
                    new Endpoint("GET", "/console/mailboxes", "/console/mailboxes", null, null, 303),
                    new Endpoint("GET", "/console/mailboxes/connect/callback", "/console/mailboxes/connect/callback?code=x",
                            null, null, 303),
                    new Endpoint("GET", "/console/mailboxes/{id}", "/console/mailboxes/support", null, null, 303),
                    new Endpoint("GET", "/console/mailboxes/{id}/revoke", "/console/mailboxes/support/revoke", null, null, 303),
                    new Endpoint("POST", "/console/mailboxes/{id}/connect", "/console/mailboxes/support/connect", null, null, 303),
                    new Endpoint("POST", "/console/mailboxes/{id}/revoke", "/console/mailboxes/support/revoke", null, null, 303),
                    new Endpoint("POST", "/console/mailboxes/{id}/pause", "/console/mailboxes/support/pause", null, null, 303),
                    new Endpoint("POST", "/console/mailboxes/{id}/resume", "/console/mailboxes/support/resume", null, null, 303),
                    new Endpoint("GET", "/console/audit", "/console/audit", null, null, 303),
                    new Endpoint("GET", "/console/audit/export", "/console/audit/export", null, null, 303),
                    new Endpoint("POST", "/console/audit/verify", "/console/audit/verify", null, null, 303));
            assertEquals(declaredEndpoints(), table.stream().map(e -> e.method() + " " + e.template())
                    .collect(Collectors.toCollection(TreeSet::new)), "the table covers every endpoint the route files declare");

            List<String> wrong = new ArrayList<>();
            for (Endpoint endpoint : table) {
                for (Map.Entry<String, String> caller : tokens.entrySet()) {
                    int expected = endpoint.role() == null ? endpoint.allowed() : caller.getValue() == null ? 401
                            : Role.parse(caller.getKey()).includes(endpoint.role()) ? endpoint.allowed() : 403;
                    HttpResponse<String> answer = service.request(endpoint.method(), endpoint.path(), endpoint.body(),
                            caller.getValue());
                    if (answer.statusCode() != expected) {
                        wrong.add(endpoint.method() + " " + endpoint.path() + " as " + caller.getKey() + ": " + answer.statusCode()
                                + " (expected " + expected + ") " + answer.body());
                    }
                    if (expected == 401 && !answer.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer")) {
                        wrong.add(endpoint.method() + " " + endpoint.path() + ": a 401 without a Bearer challenge");
                    }
                }
            }
            assertEquals(List.of(), wrong);

            // A path no endpoint declares needs admin: nothing is open by omission.
            assertEquals(403, service.request("GET", "/api/nothing-here", null, tokens.get("operator")).statusCode());
            assertEquals(404, service.request("GET", "/api/nothing-here", null, tokens.get("admin")).statusCode());
            assertEquals(401, service.request("GET", "/api/items", null, "mrt_" + "A".repeat(43)).statusCode(),
                    "a well-formed token nobody issued");
        }
    }

    @Test
    void whoActsIsTheTokenNotAHeaderTheClientSets() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            long itemId = oneItem(world, service);
            String viewer = created(service.run("token", "create", "mei-viewer", "--role", "viewer"));
            String operator = created(service.run("token", "create", "mei", "--role", "operator"));

            HttpResponse<String> spoofed = send(service, "PATCH", "/api/items/" + itemId, viewer,
                    "X-Mailroute-Role", "admin", "X-Mailroute-Principal", "root");
            assertEquals(403, spoofed.statusCode(), "a role header from the client counts for nothing: " + spoofed.body());

            HttpResponse<String> changed = send(service, "PATCH", "/api/items/" + itemId, operator,
                    "X-Mailroute-Principal", "somebody-else", "X-Mailroute-Actor", "somebody-else");
            assertEquals(200, changed.statusCode(), changed.body());
            // platform-http makes query parameters headers too: the guard's value stays the only one
            HttpResponse<String> byQuery = send(service, "PATCH", "/api/items/" + itemId
                    + "?X-Mailroute-Principal=mallory&x-mailroute-role=admin&X-Mailroute-Csrf=x", viewer);
            assertEquals(403, byQuery.statusCode(), "a role in the query counts for nothing: " + byQuery.body());
            HttpResponse<String> again = sendBody(service, "PATCH", "/api/items/" + itemId + "?x-mailroute-principal=mallory",
                    "{\"assignee\":\"lee@acme.example\"}", operator);
            assertEquals(200, again.statusCode(), again.body());
            JsonNode records = service.api("/api/audit/records?from=2020-01-01&to=2100-01-01&limit=500").path("items");
            List<String> by = new ArrayList<>();
            records.forEach(r -> {
                if (r.path("action").asText().startsWith("item.") && r.path("details").has("by")) {
                    by.add(r.path("details").path("by").asText());
                }
            });
            assertEquals(List.of("token:mei", "token:mei"), by, "each change by the token's name, never a header's or a "
                    + "query parameter's: " + records);

            // Revoked: refused from the next request on.
            ServiceProcess.CommandResult revoked = service.run("token", "revoke", "mei");
            assertEquals(0, revoked.exit(), revoked.output());
            assertEquals(401, service.request("GET", "/api/items", null, operator).statusCode());
            ServiceProcess.CommandResult listed = service.run("token", "list");
            assertTrue(listed.output().contains("mei-viewer"), listed.output());
            assertFalse(listed.output().lines().anyMatch(l -> l.startsWith("mei ")), listed.output());
            assertFalse(listed.output().contains(viewer), "a token is shown once, never listed: " + listed.output());
        }
    }

    @Test
    void aGrantOfAnotherAccountIsRevokedAndRefusedThroughTheApi() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), "");
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            String teamToken = world.sandbox.admin().credentials(IntakeFixture.TEAM).refreshToken();
            assertEquals(1, world.sandbox.admin().liveGrants(IntakeFixture.TEAM));

            HttpResponse<String> refused = service.request("PUT", "/api/mailboxes/hr/connection",
                    "{\"refreshToken\":\"" + teamToken + "\",\"scopes\":\"https://www.googleapis.com/auth/gmail.modify\"}");
            assertEquals(422, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("belongs to team@acme.example"), refused.body());
            assertEquals(0, world.sandbox.admin().liveGrants(IntakeFixture.TEAM), "the wrong account's grant is revoked");

            String hrMessage = world.insert("hr", "still read with its own grant");
            service.await(WAIT, "hr still polled with its own grant", () -> service.api("/api/messages?mailbox=hr").path("items")
                    .findValuesAsText("gmailId").contains(hrMessage));
            JsonNode hr = stateOf(service, "hr");
            assertEquals("ACTIVE", hr.path("state").asText(), hr.toString());
            assertEquals("environment", hr.path("connection").path("grant").asText(), "nothing was stored: " + hr);
        }
    }

    /** Mail in, and the id of the item it became. */
    private static long oneItem(IntakeFixture world, ServiceProcess service) {
        world.insert("support", "help with my order");
        service.await(WAIT, "an item", () -> service.api("/api/items").path("items").size() == 1);
        return service.api("/api/items").path("items").get(0).path("itemId").asLong();
    }

    /**
     * A single instance names itself (default node id {@code <hostname>-<pid>}) as the mailbox's owner in
     * {@code GET /api/mailboxes}, in health's mailbox rows and cluster object, and in the metrics.
     */
    private static void ownerShownEverywhere(ServiceProcess service, String mailbox) throws Exception {
        JsonNode state = stateOf(service, mailbox);
        String node = state.path("owner").asText();
        assertTrue(node.endsWith("-" + service.pid()), "polled by this instance: " + state);
        assertFalse(state.path("ownerSince").isNull(), state.toString());

        JsonNode health = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(service.observe("/observe/health?exposureLevel=full").body());
        assertEquals(node, health.at("/cluster/node").asText(), health.toString());
        assertFalse(health.at("/cluster/clustered").asBoolean(), health.toString());
        assertEquals(1, health.at("/cluster/nodes").size(), health.toString());
        assertTrue(health.at("/cluster/nodes/0/alive").asBoolean(), health.toString());
        assertTrue(health.at("/cluster/subscriptions").findValuesAsText("name").contains("triage-" + mailbox), health.toString());
        assertTrue(health.path("mailboxes").findValuesAsText("owner").contains(node), health.toString());

        String series = "mailroute_mailbox_owner{mailbox=\"" + mailbox + "\",node=\"" + node + "\"} 1.0";
        service.await(WAIT, "the owner in the metrics", () -> service.observe("/observe/metrics").body().contains(series));
        assertTrue(service.observe("/observe/metrics").body().contains("mailroute_cluster_nodes_alive 1.0"));
    }

    private static JsonNode stateOf(ServiceProcess service, String mailbox) {
        for (JsonNode m : service.api("/api/mailboxes").path("items")) {
            if (m.path("id").asText().equals(mailbox)) {
                return m;
            }
        }
        throw new AssertionError("no mailbox " + mailbox);
    }

    private static String created(ServiceProcess.CommandResult result) {
        assertEquals(0, result.exit(), result.output());
        return result.output().lines().filter(l -> l.startsWith("mrt_")).findFirst().orElseThrow(() -> new AssertionError(result.output()));
    }

    private static HttpResponse<String> send(ServiceProcess service, String method, String path, String token, String... headers)
            throws Exception {
        return sendBody(service, method, path, "{\"assignee\":\"mei@acme.example\"}", token, headers);
    }

    private static HttpResponse<String> sendBody(ServiceProcess service, String method, String path, String body, String token,
            String... headers) throws Exception {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(service.apiUrl(path)))
                .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return java.net.http.HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Method and path of every REST verb in routes/, as the service reads them. */
    private static Set<String> declaredEndpoints() throws Exception {
        return io.mailroute.testing.ShippedRoutes.restRules().stream().map(r -> r.method() + " " + r.template())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}

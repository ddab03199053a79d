package io.mailroute.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code routes/approvals.camel.yaml} in Camel Main with the real {@code config/application.properties} (its
 * HTTP server on a free loopback port, for the file's REST routes) and the real approvals on an in-memory H2: a flow
 * sends a request to {@code direct:approval-request} as a Map or as JSON text and gets the approval back. The bus
 * ({@code direct:events-publish}) is a list, and the API's error handling ({@code api-errors}, used by the REST routes
 * of the same file) a stand-in.
 */
class ApprovalRequestRouteIT {

    private static final Instant T0 = Instant.parse("2026-11-17T09:00:00Z");
    private static final String A = "a.approver@acme.example";
    private static final String B = "b.approver@acme.example";

    @TempDir
    Path dir;

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private final List<Event> published = new CopyOnWriteArrayList<>();
    private Database db;
    private Approvals approvals;
    private Main main;
    private ProducerTemplate flow;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabases.h2("approval-request-route");
        TestDatabases.addMailbox(db, "accounts");
        approvals = TestApprovals.on(db, dir, """
                mailbox: accounts
                policies:
                  default: {mode: any, expires: P3D}
                """, json, clock);

        main = new Main();
        main.setPropertyPlaceholderLocations("file:" + Path.of("config/application.properties").toAbsolutePath());
        main.addOverrideProperty("camel.server.port", Integer.toString(freeLoopbackPort())); // the REST routes need it
        main.addOverrideProperty("camel.management.enabled", "false");
        main.addOverrideProperty("camel.metrics.enabled", "false");
        main.configure().withRoutesIncludePattern("file:" + Path.of("routes/api-templates.camel.yaml").toAbsolutePath()
                + ",file:" + Path.of("routes/approvals.camel.yaml").toAbsolutePath()); // its API routes use api-json
        main.configure().addRoutesBuilder(new RouteConfigurationBuilder() {
            @Override
            public void configuration() {
                routeConfiguration("api-errors").onException(IllegalArgumentException.class).handled(true);
            }
        });
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events-publish").routeId("test-bus").process(e -> published.add(e.getIn().getBody(Event.class)));
            }
        });
        main.bind("approvalApi", new ApprovalApi(approvals, json));
        main.start();
        flow = main.getCamelContext().createProducerTemplate();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (main != null) {
            main.stop();
        }
        db.close();
    }

    @Test
    void aMapAsksTheApproversAndAnswersTheApprovalWithItsId() throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("title", "PO-4471");
        request.put("requester", "j.smith@acme.example");
        request.put("approvers", List.of(A, B));
        request.put("fields", Map.of("amount", 12480, "currency", "EUR"));

        Exchange answered = send(request, null);

        long id = approvalId(answered);
        JsonNode body = json.readTree(answered.getMessage().getBody(String.class));
        assertEquals(id, body.path("id").asLong(), body.toString());
        assertEquals("PENDING", body.path("state").asText(), body.toString());
        Approval approval = approvals.approval(id).orElseThrow();
        assertEquals(Approval.PENDING, approval.state());
        assertEquals("PO-4471", approval.title());
        assertEquals("ROUTE", approval.source());
        assertTrue(approval.createdBy().startsWith("route:"), approval.createdBy());
        assertEquals(List.of(A, B), approvals.approvers(id).stream().map(Approval.Approver::address).toList());
        assertTrue(approvals.approvers(id).stream().allMatch(a -> "ASKED".equals(a.state())), approvals.approvers(id).toString());
        assertEquals(List.of(Approvals.REQUESTED), published.stream().map(Event::type).toList(), "published on the bus");
        JsonNode data = json.readTree(published.get(0).json()).path("data");
        assertEquals(id, data.path("approvalId").asLong(), data.toString());
        assertEquals(1L, db.jdbc().queryForObject("SELECT COUNT(*) FROM workflow_event WHERE type = :type",
                Map.of("type", Approvals.REQUESTED), Long.class), "committed");
    }

    @Test
    void jsonTextWithTheSameIdempotencyKeyTwiceIsOneApproval() throws Exception {
        String request = """
                {"title":"PO-5000","requester":"j.smith@acme.example","approvers":["%s"],"idempotencyKey":"erp-po-5000"}"""
                .formatted(A);

        long first = approvalId(send(request, null));
        long again = approvalId(send(request, null));
        long byHeader = approvalId(send(request.replace(",\"idempotencyKey\":\"erp-po-5000\"", ""), "erp-po-5000"));
        long other = approvalId(send(request.replace("erp-po-5000", "erp-po-5001"), null));

        assertEquals(first, again, "the same key answers the same approval");
        assertEquals(first, byHeader, "the Idempotency-Key header is the same key");
        assertNotEquals(first, other);
        assertEquals(2L, db.jdbc().queryForObject("SELECT COUNT(*) FROM approval", Map.of(), Long.class));
        assertEquals(2, published.stream().filter(e -> e.type().equals(Approvals.REQUESTED)).count(),
                "a repeat raises no second approval.requested: " + published);
    }

    @Test
    void aBadFieldThrowsToTheFlowNamingIt() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("title", "PO-4471");
        request.put("requester", "j.smith@acme.example");
        request.put("approvers", List.of(A));
        request.put("fields", Map.of("amount", "lots"));

        CamelExecutionException thrown = assertThrows(CamelExecutionException.class,
                () -> flow.requestBody("direct:approval-request", request));
        IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, thrown.getCause());
        assertTrue(cause.getMessage().startsWith("fields.amount must be a number"), cause.getMessage());

        CamelExecutionException unknown = assertThrows(CamelExecutionException.class,
                () -> flow.requestBody("direct:approval-request", "{\"title\":\"x\",\"requester\":\"j.smith@acme.example\","
                        + "\"approvers\":[\"" + A + "\"],\"colour\":\"red\"}"));
        assertTrue(unknown.getCause().getMessage().startsWith("unknown field 'colour'"), unknown.getCause().getMessage());
        assertEquals(0L, db.jdbc().queryForObject("SELECT COUNT(*) FROM approval", Map.of(), Long.class));
        assertTrue(published.isEmpty(), published.toString());
    }

    private Exchange send(Object body, String idempotencyKey) {
        Exchange answered = flow.request("direct:approval-request", e -> {
            e.getIn().setBody(body);
            if (idempotencyKey != null) {
                e.getIn().setHeader("Idempotency-Key", idempotencyKey);
            }
        });
        if (answered.getException() != null) {
            throw new AssertionError("the route failed", answered.getException());
        }
        return answered;
    }

    private static int freeLoopbackPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static long approvalId(Exchange answered) {
        Object id = answered.getMessage().getHeader(ApprovalApi.APPROVAL_ID);
        assertTrue(id != null, "header " + ApprovalApi.APPROVAL_ID + " is set");
        return ((Number) id).longValue();
    }
}

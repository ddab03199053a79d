package io.mailroute.console.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.access.ApiGuard;
import io.mailroute.approvals.Approval;
import io.mailroute.approvals.ApprovalRequest;
import io.mailroute.approvals.ApprovalViews;
import io.mailroute.approvals.Approvals;
import io.mailroute.approvals.ApprovalsFile;
import io.mailroute.audit.AuditLog;
import io.mailroute.console.ConsolePages;
import io.mailroute.db.Database;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryRetry;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.gmail.mime.AttachmentRef;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.json.Json;
import io.mailroute.pages.Pages;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.workflow.Classification;
import io.mailroute.workflow.ItemState;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/**
 * The console's Items, Approvals and Deliveries pages on an in-memory H2 with the real workflow, approvals, delivery
 * store and templates; exchanges as ApiGuard admits them (principal, role and CSRF headers). No server, no browser.
 */
class ConsoleWorkPagesTest {

    private static final Instant T0 = Instant.parse("2026-11-17T09:00:00Z");
    private static final String CSRF = "the-sessions-csrf-token";
    private static final String HOSTILE_SUBJECT = "<script>document.title='pwned'</script>Invoice \"overdue\"";
    private static final String HOSTILE_HTML = "<p>Hello <b>there</b></p><script>window.pwned=1</script>"
            + "<img src=x onerror=\"window.pwned=2\"><a href=\"javascript:window.pwned=3\">click</a>"
            + "<a href=\"https://acme.example/\" onclick=\"window.pwned=4\">ok</a>";
    private static final String HOSTILE_NAME = "<img src=x onerror=alert(1)>Eve";
    private static final String HOSTILE_FILE = "<svg onload=alert(1)>\".html";

    @TempDir
    Path dir;

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private final CamelContext context = new DefaultCamelContext();
    private Database db;
    private Workflow workflow;
    private Approvals approvals;
    private AttachmentStore attachments;
    private DeliveryStore deliveries;
    private ItemPages items;
    private ApprovalPages approvalPages;
    private DeliveryPages deliveryPages;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabases.h2("console-work");
        TestDatabases.addMailbox(db, "accounts");
        EventLog events = new EventLog(db, json, clock);
        AuditLog audit = new AuditLog(db, json, clock);
        workflow = new Workflow(db, events, new WorkflowStore(db), audit::append, json, clock);
        Path approvalsFile = Files.writeString(dir.resolve("approvals.yaml"), """
                mailbox: accounts
                policies:
                  default: {mode: any}
                  chain: {mode: sequence}
                """);
        approvals = new Approvals(db, events, audit::append, workflow, ApprovalsFile.load(approvalsFile), Set.of("accounts"),
                json, clock);
        workflow.requestingApprovalsWith(approvals::itemCreated).stateDecidedBy(approvals::decidesStateOf);
        attachments = new AttachmentStore(dir.resolve("attachments"), 1024 * 1024);
        deliveries = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, TokenKey.generate())::get,
                null, false), () -> false));
        Pages pages = new Pages();
        ConsolePages console = new ConsolePages(pages);
        items = new ItemPages(workflow, db, attachments, pages, console);
        approvalPages = new ApprovalPages(approvals, new ApprovalViews(approvals, db), pages, console, json);
        deliveryPages = new DeliveryPages(deliveries, new DeliveryRetry(deliveries, audit::append, json, clock),
                Set.of("team-email", "phone"), pages, console);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
        context.close();
    }

    // ---- Items ------------------------------------------------------------------------------------------

    @Test
    void theItemListFiltersByQueueStateAndAssigneeAndEscapesTheSubject() {
        long first = item(HOSTILE_SUBJECT, "accounts-payable", null);
        item("Second", "support", "mei@acme.example");
        Exchange all = exchange("viewer");
        items.list(null, null, null, null, all);
        String html = body(all);
        assertEquals(200, status(all));
        assertNoActiveContent(html);
        assertEquals(HOSTILE_SUBJECT, Jsoup.parse(html).selectFirst("table.list a").text());
        assertTrue(html.contains("Second"), html);

        Exchange byQueue = exchange("viewer");
        items.list("support", null, null, null, byQueue);
        assertFalse(body(byQueue).contains("pwned"));
        assertTrue(body(byQueue).contains("Second"));
        Exchange byAssignee = exchange("viewer");
        items.list(null, "open", "nobody@acme.example", null, byAssignee);
        assertTrue(body(byAssignee).contains("No items match."));
        Exchange byState = exchange("viewer");
        items.list(null, "OPEN", null, String.valueOf(first), byState);
        assertFalse(body(byState).contains("pwned"), "after: the page after the first item");
    }

    @Test
    void anItemShowsItsMessagesSanitizedAndItsAttachmentsAsSafeDownloads() throws Exception {
        long message = message(HOSTILE_SUBJECT, HOSTILE_NAME, null, HOSTILE_HTML);
        long attachment = attachment(message, HOSTILE_FILE, "text/html", "<script>alert(1)</script>");
        long id = triage(message, "accounts-payable", null);
        Exchange page = exchange("viewer");
        items.show(String.valueOf(id), null, page);
        String html = body(page);
        assertEquals(200, status(page));
        assertTrue(html.contains("<b>there</b>"), "the safe part of the HTML body is kept: " + html);
        assertNoActiveContent(html);
        Document parsed = Jsoup.parse(html);
        assertEquals(HOSTILE_SUBJECT, parsed.selectFirst("h1.subject").text(), "the subject, shown as text");
        assertEquals(HOSTILE_NAME, parsed.selectFirst(".from-name").text(), "the sender's name, shown as text");
        assertEquals("<svg onload=alert(1)>.html", parsed.selectFirst("a.attachment").text(), "the filename, shown as text");
        assertEquals("nofollow noopener noreferrer", parsed.selectFirst(".body.html a[href]").attr("rel"), html);
        assertFalse(html.contains("name=\"version\""), "a viewer gets no change form");

        Exchange download = exchange("viewer");
        items.attachment(String.valueOf(attachment), download);
        assertEquals(200, status(download));
        assertEquals("application/octet-stream", download.getMessage().getHeader(Exchange.CONTENT_TYPE));
        String disposition = download.getMessage().getHeader("Content-Disposition", String.class);
        assertEquals("attachment; filename=\"svg onload=alert(1)>.html\"", disposition.replace("<", ""), disposition);
        assertTrue(download.getMessage().getHeader("Content-Security-Policy", String.class).endsWith("; sandbox"));
        assertEquals("nosniff", download.getMessage().getHeader("X-Content-Type-Options"));
        assertEquals("<script>alert(1)</script>", new String(download.getMessage().getBody(byte[].class), StandardCharsets.UTF_8));

        Exchange missing = exchange("viewer");
        items.attachment("999", missing);
        assertEquals(404, status(missing));
    }

    @Test
    void aStaleVersionSaysSomeoneChangedTheItemAndShowsItAsItIsNow() {
        long id = item("Login broken", "support", null);
        Exchange first = form("operator", Map.of("csrf", CSRF, "version", "0", "state", "IN_PROGRESS", "assignee", "mei@acme.example"));
        items.change(String.valueOf(id), first);
        assertEquals(303, status(first));
        assertEquals("/console/items/" + id + "?changed=1", first.getMessage().getHeader("Location"));
        assertEquals(List.of(Workflow.ITEM_ASSIGNED, Workflow.ITEM_STATE_CHANGED), eventTypes(first));

        Exchange second = form("operator", Map.of("csrf", CSRF, "version", "0", "state", "RESOLVED", "assignee", ""));
        items.change(String.valueOf(id), second);
        assertEquals(409, status(second));
        String html = body(second);
        assertTrue(html.contains("Someone changed this item since you opened it."), html);
        assertTrue(html.contains("<dd class=\"version\">1</dd>"), "the item as it is now: " + html);
        assertTrue(html.contains("name=\"version\" value=\"1\""), "the form is now based on the current version");
        assertEquals(ItemState.IN_PROGRESS, workflow.store().item(id).orElseThrow().state());
        assertNull(second.getProperty(io.mailroute.events.EventLog.COMMITTED));
    }

    @Test
    void anItemWhoseApprovalIsPendingIsNotMovedByHandAndThePageSaysWhy() {
        long id = triage(message("PO 4471", "J. Smith", "Please approve", null), "finance", null, "APPROVAL");
        WorkflowItemVersion current = version(id);
        Exchange move = form("admin", Map.of("csrf", CSRF, "version", String.valueOf(current.version()), "state", "APPROVED"));
        items.change(String.valueOf(id), move);
        assertEquals(409, status(move));
        assertTrue(body(move).contains("waits for approval"), body(move));
        assertEquals(ItemState.PENDING, workflow.store().item(id).orElseThrow().state());
    }

    @Test
    void aFormWithoutTheSessionsCsrfTokenChangesNothing() {
        long id = item("Login broken", "support", null);
        for (Map<String, String> fields : List.<Map<String, String>>of(Map.of("version", "0", "state", "CLOSED"),
                Map.of("csrf", "another", "version", "0", "state", "CLOSED"))) {
            Exchange post = form("admin", fields);
            items.change(String.valueOf(id), post);
            assertEquals(403, status(post));
            assertTrue(body(post).contains("This form cannot be used"));
        }
        assertEquals(ItemState.OPEN, workflow.store().item(id).orElseThrow().state());
        Exchange retry = form("admin", Map.of());
        deliveryPages.retry("1", retry);
        assertEquals(403, status(retry));
        Exchange decide = form("admin", Map.of("decision", "approve"));
        approvalPages.decide("1", decide);
        assertEquals(403, status(decide));
    }

    // ---- Approvals --------------------------------------------------------------------------------------

    @Test
    void anApproverSeesWhatWaitsForThemAndDecidesInTheConsole() {
        Approval po = request("PO <b>4471</b>", List.of("r.okafor@acme.example", "b.approver@acme.example"), "chain");
        Exchange okafor = exchange("viewer", "r.okafor@acme.example");
        approvalPages.list(null, null, okafor);
        assertTrue(Jsoup.parse(section(body(okafor), "waiting")).text().contains("PO <b>4471</b>"), body(okafor));
        assertNoActiveContent(body(okafor));
        Exchange second = exchange("viewer", "b.approver@acme.example");
        approvalPages.list(null, null, second);
        assertTrue(section(body(second), "waiting").contains("Nothing waits for you."), "not b's turn yet");

        Exchange notYet = form("viewer", "b.approver@acme.example", Map.of("csrf", CSRF, "decision", "approve"));
        approvalPages.decide(String.valueOf(po.id()), notYet);
        assertEquals(422, status(notYet));
        assertTrue(body(notYet).contains("is not asked yet"), body(notYet));

        Exchange page = exchange("viewer", "r.okafor@acme.example");
        approvalPages.show(String.valueOf(po.id()), null, page);
        assertTrue(body(page).contains("name=\"decision\" value=\"approve\""), body(page));
        assertTrue(body(page).contains("12480"), "its fields");
        Exchange decide = form("viewer", "r.okafor@acme.example", Map.of("csrf", CSRF, "decision", "approve", "comment", "ok <i>"));
        approvalPages.decide(String.valueOf(po.id()), decide);
        assertEquals(303, status(decide), body(decide));
        assertTrue(eventTypes(decide).contains(Approvals.DECIDED) || eventTypes(decide).contains(Approvals.REQUESTED),
                eventTypes(decide).toString());
        Approval.Approver okaforRow = approvals.approvers(po.id()).get(0);
        assertEquals("APPROVED", okaforRow.state());
        assertEquals("CONSOLE", okaforRow.how());

        Exchange again = form("viewer", "r.okafor@acme.example", Map.of("csrf", CSRF, "decision", "reject"));
        approvalPages.decide(String.valueOf(po.id()), again);
        assertEquals(422, status(again));
        assertTrue(body(again).contains("decided already"), body(again));
    }

    @Test
    void aLocalOperatorSeesEveryPendingApprovalAndALocalViewerNone() {
        request("PO 1", List.of("r.okafor@acme.example"), "default");
        Exchange operator = exchange("operator", "ops-operator");
        approvalPages.list(null, null, operator);
        assertTrue(section(body(operator), "waiting").contains("PO 1"), body(operator));
        assertTrue(body(operator).contains("as an operator you see every pending one"));
        Exchange viewer = exchange("viewer", "ops-viewer");
        approvalPages.list(null, null, viewer);
        assertTrue(section(body(viewer), "waiting").contains("Nothing waits for you."));
        Exchange refused = form("operator", "ops-operator", Map.of("csrf", CSRF, "decision", "approve"));
        approvalPages.decide("1", refused);
        assertEquals(422, status(refused));
        assertTrue(body(refused).contains("ops-operator is not an approver of approval 1"), body(refused));
    }

    // ---- Deliveries -------------------------------------------------------------------------------------

    @Test
    void aFailedDeliveryIsRetriedOnceAndOtherStatusesAreNot() {
        long failed = delivery("ev-1", Delivery.FAILED, "the provider said <b>no</b>");
        long sent = delivery("ev-2", Delivery.SENT, null);
        Exchange list = exchange("operator");
        deliveryPages.list(null, null, null, null, list);
        String html = body(list);
        assertTrue(html.contains("failed for good after 1 attempt"), html);
        assertEquals("the provider said <b>no</b>", Jsoup.parse(html).selectFirst("td.last-error").text(), html);
        assertTrue(html.contains("console/deliveries/" + failed + "/retry"), html);
        assertFalse(html.contains("console/deliveries/" + sent + "/retry"), html);
        Exchange viewer = exchange("viewer");
        deliveryPages.list(null, null, null, null, viewer);
        assertFalse(body(viewer).contains("/retry"), "a viewer gets no retry button");

        clock.advance(Duration.ofMinutes(5));
        Exchange retry = form("operator", Map.of("csrf", CSRF));
        deliveryPages.retry(String.valueOf(failed), retry);
        assertEquals(303, status(retry));
        Delivery after = deliveries.get(failed).orElseThrow();
        assertEquals(Delivery.PENDING, after.status());
        assertEquals(clock.instant(), after.nextAttemptAt());
        assertEquals(1, db.jdbc().queryForObject("SELECT COUNT(*) FROM audit_log WHERE action = 'delivery.retried'", Map.of(),
                Integer.class));

        Exchange twice = form("operator", Map.of("csrf", CSRF));
        deliveryPages.retry(String.valueOf(failed), twice);
        assertEquals(409, status(twice));
        Exchange notFailed = form("operator", Map.of("csrf", CSRF));
        deliveryPages.retry(String.valueOf(sent), notFailed);
        assertEquals(409, status(notFailed));
        assertEquals(Delivery.SENT, deliveries.get(sent).orElseThrow().status());

        Exchange sentByPhone = exchange("viewer");
        deliveryPages.list("sent", "phone", null, null, sentByPhone);
        assertEquals(List.of("delivery-" + sent), Jsoup.parse(body(sentByPhone)).select("tr.delivery").eachAttr("id"));
        Exchange byEmail = exchange("viewer");
        deliveryPages.list("sent", "team-email", null, null, byEmail);
        assertTrue(body(byEmail).contains("No deliveries match."), "no SENT delivery by email");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private record WorkflowItemVersion(int version) {
    }

    private WorkflowItemVersion version(long id) {
        return new WorkflowItemVersion(workflow.store().item(id).orElseThrow().version());
    }

    private Exchange exchange(String role) {
        return exchange(role, "ops-" + role);
    }

    private Exchange exchange(String role, String user) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(ApiGuard.PRINCIPAL_HEADER, user);
        exchange.getMessage().setHeader(ApiGuard.ROLE_HEADER, role);
        exchange.getMessage().setHeader(ApiGuard.CSRF_HEADER, CSRF);
        return exchange;
    }

    private Exchange form(String role, Map<String, String> fields) {
        return form(role, "ops-" + role, fields);
    }

    private Exchange form(String role, String user, Map<String, String> fields) {
        Exchange exchange = exchange(role, user);
        exchange.getMessage().setBody(new LinkedHashMap<>(fields));
        return exchange;
    }

    private static String body(Exchange exchange) {
        return new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
    }

    private static int status(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    @SuppressWarnings("unchecked")
    private static List<String> eventTypes(Exchange exchange) {
        return ((List<Event>) exchange.getProperty(io.mailroute.events.EventLog.COMMITTED)).stream().map(Event::type).toList();
    }

    /** No script element, no event handler attribute, no javascript: address, no image or SVG anywhere in the page. */
    static void assertNoActiveContent(String html) {
        Document page = Jsoup.parse(html);
        assertTrue(page.select("script, img, svg, iframe, object, embed").isEmpty(), html);
        for (Element element : page.getAllElements()) {
            for (org.jsoup.nodes.Attribute attribute : element.attributes()) {
                assertFalse(attribute.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("on"), attribute + " in " + html);
                assertFalse(attribute.getValue().strip().toLowerCase(java.util.Locale.ROOT).startsWith("javascript:"),
                        attribute + " in " + html);
            }
        }
    }

    /** The HTML of the page's {@code <section class="card NAME">}. */
    private static String section(String html, String name) {
        int start = html.indexOf("<section class=\"card " + name + "\">");
        assertTrue(start >= 0, name + " in " + html);
        return html.substring(start, html.indexOf("</section>", start));
    }

    private long item(String subject, String queue, String assignee) {
        return triage(message(subject, "Mei", "text", null), queue, assignee);
    }

    private long triage(long message, String queue, String assignee) {
        return triage(message, queue, assignee, "CASE");
    }

    private long triage(long message, String queue, String assignee, String type) {
        Classification c = "APPROVAL".equals(type)
                ? new Classification("rule-po", type, "purchase", queue, assignee, "NORMAL", null, List.of(),
                        List.of("r.okafor@acme.example"), "default")
                : new Classification("rule-1", type, "billing", queue, assignee, "NORMAL", null, List.of());
        workflow.triage(message, (facts, known) -> c);
        return db.jdbc().queryForObject("SELECT item_id FROM message_triage WHERE message_id = :id", Map.of("id", message),
                Long.class);
    }

    private long message(String subject, String fromName, String text, String html) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        db.jdbc().update("""
                INSERT INTO mail_message (mailbox_id, gmail_id, thread_id, status, message_id_header, subject, from_address,
                    from_name, text_body, html_body, internal_date, ingested_at)
                VALUES ('accounts', :gmailId, :gmailId, 'INGESTED', :messageId, :subject, 'eve@globex.example', :fromName,
                    :text, :html, :at, :at)""",
                new MapSqlParameterSource("gmailId", "g" + System.nanoTime()).addValue("messageId", "m" + System.nanoTime()
                        + "@globex.example").addValue("subject", subject).addValue("fromName", fromName)
                        .addValue("text", text).addValue("html", html).addValue("at", Timestamp.from(clock.instant())),
                keys, new String[] {"id"});
        return keys.getKey().longValue();
    }

    private long attachment(long message, String filename, String contentType, String content) throws Exception {
        AttachmentRef ref = attachments.store(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), filename,
                contentType, false, null);
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        db.jdbc().update("""
                INSERT INTO attachment (message_id, position, filename, content_type, size_bytes, sha256, inline_part)
                VALUES (:message, 0, :filename, :type, :size, :sha, FALSE)""",
                new MapSqlParameterSource("message", message).addValue("filename", filename)
                        .addValue("type", ref.contentType()).addValue("size", ref.size()).addValue("sha", ref.sha256()),
                keys, new String[] {"id"});
        return keys.getKey().longValue();
    }

    private Approval request(String title, List<String> approvers, String policy) {
        return approvals.request(new ApprovalRequest(title, "j.smith@acme.example", approvers, policy,
                json.createObjectNode().put("amount", 12480).put("currency", "EUR"), List.of(), null, null, null, "NORMAL",
                null, null, null, ApprovalRequest.Source.API, "token:test")).approval();
    }

    private long delivery(String eventId, String status, String error) {
        deliveries.plan(eventId, "case.created", "accounts", null, "phone", "fcm", "r-okafor", "okafor-device-token-1234",
                null, clock.instant());
        Delivery claimed = deliveries.claimDue(clock.instant(), clock.instant().plusSeconds(60), 10, "test").get(0);
        deliveries.finish(claimed, status, clock.instant(), error, null, clock.instant());
        return claimed.id();
    }
}

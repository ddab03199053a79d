package io.mailroute.console.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.access.ApiGuard;
import io.mailroute.audit.AuditLog;
import io.mailroute.console.ConsolePages;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.pages.Pages;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Audit page bean on an in-memory database: verify (intact, then a tampered row), export, CSRF, roles. */
class AuditPagesTest {

    private static final String CSRF = "session-csrf-token-0123456789abcdefghijklmnop";

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:00Z"));
    private DefaultCamelContext camel;
    private Database db;
    private AuditPages pages;

    @BeforeEach
    void setUp() {
        camel = new DefaultCamelContext();
        db = TestDatabases.h2("audit-pages");
        TestDatabases.addMailbox(db, "hr");
        AuditLog log = new AuditLog(db, json, clock);
        log.append("mailbox.paused", "hr", "mailbox:hr", json.createObjectNode().put("by", "<b>mei</b>"));
        clock.set(Instant.parse("2026-03-03T10:00:00Z"));
        log.append("mailbox.resumed", "hr", "mailbox:hr", json.createObjectNode());
        pages = new AuditPages(new ConsolePages(new Pages()), new Pages(), db, clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
        camel.close();
    }

    @Test
    void aViewerSeesThePageButNoForms() {
        Exchange page = request("viewer", null);
        pages.show(page);
        String html = html(page, 200);
        assertTrue(html.contains("Verifying and exporting need the operator role."), html);
        assertFalse(html.contains("console/audit/verify"), html);
    }

    @Test
    void verifyingSaysIntactThenWhereTheChainBreaks() {
        Exchange forged = request("operator", "csrf=nope");
        pages.verify("csrf=nope", forged);
        html(forged, 403);

        Exchange verified = request("operator", "csrf=" + CSRF);
        pages.verify("csrf=" + CSRF, verified);
        String html = html(verified, 200);
        assertTrue(html.contains("Intact: 2 records checked"), html);
        assertTrue(html.matches("(?s).*<code class=\"hash\">[0-9a-f]{64}</code>.*"), html);

        db.jdbc().update("UPDATE audit_log SET action = 'mailbox.resumed' WHERE seq = 1", Map.of());
        Exchange again = request("operator", "csrf=" + CSRF);
        pages.verify("csrf=" + CSRF, again);
        String broken = html(again, 200);
        assertTrue(broken.contains("Broken at record 1:"), broken);
    }

    @Test
    void exportIsADownloadOfJsonLinesInTheWindow() throws Exception {
        Exchange all = request("operator", null);
        pages.export(null, "", null, all);
        assertEquals(200, all.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
        assertEquals("attachment; filename=\"mailroute-audit-1970-01-01-to-2026-03-04.jsonl\"",
                all.getMessage().getHeader("Content-Disposition"));
        String lines = new String(all.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
        assertEquals(2, lines.lines().count(), lines);
        assertEquals("<b>mei</b>", json.readTree(lines.lines().findFirst().orElseThrow()).path("details").path("by").asText());

        Exchange oneDay = request("operator", null);
        pages.export("2026-03-03", "2026-03-04", "hr", oneDay);
        String second = new String(oneDay.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
        assertEquals(1, second.lines().count(), second);
        assertTrue(second.contains("mailbox.resumed"), second);

        Exchange bad = request("operator", null);
        pages.export("yesterday<script>", null, null, bad);
        String html = html(bad, 400);
        assertTrue(html.contains("from &quot;yesterday&lt;script&gt;&quot; is not an ISO-8601"), html);
    }

    private Exchange request(String role, String body) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(ApiGuard.PRINCIPAL_HEADER, "mei");
        exchange.getMessage().setHeader(ApiGuard.ROLE_HEADER, role);
        exchange.getMessage().setHeader(ApiGuard.CSRF_HEADER, CSRF);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    private static String html(Exchange exchange, int status) {
        assertEquals(status, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE), "status");
        return new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
    }
}

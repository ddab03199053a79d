package io.mailroute.console.audit;

import io.mailroute.access.Role;
import io.mailroute.audit.AuditCommand;
import io.mailroute.audit.AuditExporter;
import io.mailroute.audit.AuditVerifier;
import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.db.Database;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's Audit page (bean {@code auditPages}, routes/console-audit.camel.yaml), through the running service's
 * own database pool, as {@code GET /api/audit/verify} and {@code /api/audit/records} are: no second connection to an H2
 * file, no lock.
 * <ul>
 * <li>{@code GET /console/audit} (viewer): what the trail is, and the forms below.</li>
 * <li>{@code POST /console/audit/verify} (operator, field csrf): checks the whole hash chain ({@link AuditVerifier}) and
 * shows the outcome and the head hash to keep outside the database. A POST, not a GET: it reads the whole trail, which
 * a prefetching browser should not start.</li>
 * <li>{@code GET /console/audit/export?from=&to=&mailbox=} (operator): the records as JSON Lines, a download
 * ({@link AuditExporter}: what {@code audit export} writes).</li>
 * </ul>
 */
public final class AuditPages {

    static final String PAGE_PATH = "/console/audit";
    private static final String NAV = "Audit";
    private static final Logger LOG = LoggerFactory.getLogger(AuditPages.class);

    private final ConsolePages console;
    private final Pages pages;
    private final Database db;
    private final Clock clock;

    public AuditPages(ConsolePages console, Pages pages, Database db, Clock clock) {
        this.console = console;
        this.pages = pages;
        this.db = db;
        this.clock = clock;
    }

    /** {@code GET /console/audit}. */
    public void show(Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        PageResponses.write(exchange, console.render(request, "console-audit", 200, PAGE_PATH, NAV, model(request)));
    }

    /** {@code POST /console/audit/verify} (field csrf). */
    public void verify(@Body Object body, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        if (!request.csrfMatches(ConsolePages.csrfOf(body))) {
            PageResponses.write(exchange, console.csrfRefused(PAGE_PATH + "/verify"));
            return;
        }
        AuditVerifier.Result result = new AuditVerifier(db).verify();
        LOG.info("Console: {} verified the audit trail: {}", request.user(), result.intact()
                ? "intact, " + result.recordsChecked() + " records" : "broken at seq " + result.firstBadSeq());
        Map<String, Object> model = model(request);
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("intact", result.intact());
        outcome.put("recordsChecked", result.recordsChecked());
        outcome.put("firstBadSeq", result.firstBadSeq());
        outcome.put("problem", result.problem());
        outcome.put("headHash", result.headHash());
        outcome.put("at", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        model.put("result", outcome);
        PageResponses.write(exchange, console.render(request, "console-audit", 200, PAGE_PATH + "/verify", NAV, model));
    }

    /** {@code GET /console/audit/export}: from and to (ISO-8601 date or instant, to exclusive; empty: all), mailbox. */
    public void export(@Header("from") String from, @Header("to") String to, @Header("mailbox") String mailbox,
            Exchange exchange) throws IOException {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        Instant start;
        Instant end;
        try {
            start = blank(from) ? Instant.EPOCH : AuditCommand.instant("from", from.trim());
            end = blank(to) ? clock.instant().plus(1, ChronoUnit.DAYS) : AuditCommand.instant("to", to.trim());
        } catch (IllegalArgumentException e) {
            PageResponses.write(exchange, pages.problem(400, "Cannot export", e.getMessage() + ".", PAGE_PATH + "/export"));
            return;
        }
        String only = blank(mailbox) ? null : mailbox.trim();
        StringWriter out = new StringWriter();
        long written = new AuditExporter(db).export(start, end, only, out);
        LOG.info("Console: {} exported {} audit records ({} to {}{})", request.user(), written, start, end,
                only == null ? "" : ", mailbox " + only);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        PageResponses.SECURITY_HEADERS.forEach(message::setHeader);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, "application/x-ndjson; charset=utf-8");
        message.setHeader("Cache-Control", "no-store");
        message.setHeader("Content-Disposition", "attachment; filename=\"" + filename(start, end) + "\"");
        message.setBody(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code mailroute-audit-<from>-<to>.jsonl}, of digits and dashes only. */
    static String filename(Instant from, Instant to) {
        return "mailroute-audit-" + day(from) + "-to-" + day(to) + ".jsonl";
    }

    private static String day(Instant instant) {
        return instant.truncatedTo(ChronoUnit.DAYS).toString().substring(0, 10).replaceAll("[^0-9-]", "");
    }

    private static Map<String, Object> model(ConsoleRequest request) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("operator", request.role().includes(Role.OPERATOR));
        return model;
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}

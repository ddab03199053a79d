package io.mailroute.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.ops.ApiErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * The reports' API ({@code routes/reports.camel.yaml}): what reports there are and when they run next, each run with
 * its recipients' status, running one now (also by the {@code reports} command), a dry run, revoking a run's links.
 */
public final class ReportsApi {

    /** A dry run answers its documents inline up to this many bytes in all. */
    private static final long MAX_DRY_RUN_BYTES = 64L * 1024 * 1024;
    private static final String RECIPIENTS = """
            SELECT r.id, r.recipient, r.address, r.status, r.message_id, r.last_error, r.sent_at, r.bounced_at,
                   r.downloaded_at, r.acknowledged_at, r.overdue_at, r.document_sha256, r.document_rows,
                   d.status AS delivery_status, d.attempts AS delivery_attempts, d.last_error AS delivery_error,
                   d.sent_via AS delivery_sent_via,
                   (SELECT COUNT(*) FROM report_download w WHERE w.recipient_id = r.id) AS downloads
            FROM report_recipient r LEFT JOIN delivery d ON d.id = r.delivery_id
            WHERE r.run_id = :runId ORDER BY r.id""";
    private static final String RUN_EXTRA = "SELECT window_start, window_end, links_revoked_at, links_revoked_by FROM report_run WHERE id = :id";

    private final Supplier<ReportsConfig> config;
    private final ReportRuns runs;
    private final ReportRunner runner;
    private final ReportDryRun dryRun;
    private final ReportAudience audience;
    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;
    private final Path scratch;
    private final io.mailroute.reports.links.ReportLinkRevocations revocations;

    public ReportsApi(Supplier<ReportsConfig> config, ReportRuns runs, ReportRunner runner, ReportDryRun dryRun,
            ReportAudience audience, io.mailroute.reports.links.ReportLinkRevocations revocations, Database db, ObjectMapper json,
            Clock clock, Path scratch) {
        this.revocations = revocations;
        this.config = config;
        this.runs = runs;
        this.runner = runner;
        this.dryRun = dryRun;
        this.audience = audience;
        this.db = db;
        this.json = json;
        this.clock = clock;
        this.scratch = scratch;
    }

    /** {@code GET /api/reports}. */
    public ObjectNode list() {
        ObjectNode answer = json.createObjectNode();
        ArrayNode reports = answer.putArray("reports");
        for (ReportDefinition report : config.get().reports().values()) {
            ObjectNode node = reports.addObject();
            node.put("id", report.id()).put("title", report.title()).put("owner", report.owner()).put("mailbox", report.mailbox());
            node.putObject("schedule").put("cron", report.schedule().cron()).put("zone", report.schedule().zone().getId())
                    .put("next", report.schedule().nextFiring(clock.instant()).map(Instant::toString).orElse(null));
            node.put("source", report.source().type()).put("format", report.shownFormat())
                    .put("delivery", report.shownDelivery()).put("perRecipient", report.perRecipient());
            ArrayNode to = node.putArray("recipients");
            audience.of(report).forEach(r -> to.add(r.address()));
            report.acknowledgeWithin().ifPresent(d -> node.put("acknowledgeWithin", d.toString()));
            runs.runs(report.id(), 1).stream().findFirst().ifPresent(run -> node.set("lastRun", run(run, false)));
        }
        return answer;
    }

    /** {@code GET /api/reports/{id}/runs}: the latest runs first, each with its recipients. */
    public ObjectNode runs(@Header("id") String id, @Header("limit") String limit, Exchange exchange) {
        if (config.get().report(id).isEmpty() && runs.runs(id, 1).isEmpty()) {
            return ApiErrors.error(json, exchange, 404, "no report '" + id + "' in " + config.get().source());
        }
        int max = limit == null ? 20 : parse(limit, "limit");
        if (max < 1 || max > 200) {
            throw new IllegalArgumentException("limit is 1 to 200, not " + limit);
        }
        ObjectNode answer = json.createObjectNode().put("reportId", id);
        ArrayNode list = answer.putArray("runs");
        runs.runs(id, max).forEach(run -> list.add(run(run, true)));
        return answer;
    }

    /** {@code POST /api/reports/{id}/runs}: {@code {"period":"2026-W48"}} (optional) runs it now; 201 when it began now. */
    public ObjectNode run(@Header("id") String id, @Body String body, Exchange exchange) {
        JsonNode request = request(body);
        if (config.get().report(id).isEmpty()) {
            return ApiErrors.error(json, exchange, 404, "no report '" + id + "' in " + config.get().source());
        }
        String period = request.path("period").isTextual() ? request.path("period").asText() : null;
        ReportRunner.Outcome outcome = runner.run(id, period);
        exchange.setProperty(EventLog.COMMITTED, outcome.events());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, outcome.created() ? 201 : 200);
        ObjectNode answer = run(outcome.run(), true);
        answer.put("created", outcome.created()).put("said", outcome.said());
        return answer;
    }

    /**
     * {@code POST /api/reports/{id}/dry-run}: {@code {"period":"2026-W48"}} (optional): the documents the run would send,
     * base64 in the answer, nothing recorded or sent.
     */
    public ObjectNode dryRun(@Header("id") String id, @Body String body, Exchange exchange) throws Exception {
        JsonNode request = request(body);
        if (config.get().report(id).isEmpty()) {
            return ApiErrors.error(json, exchange, 404, "no report '" + id + "' in " + config.get().source());
        }
        String period = request.path("period").isTextual() ? request.path("period").asText() : null;
        io.mailroute.files.OwnerOnly.directory(scratch);
        Path directory = Files.createTempDirectory(scratch, "dry-run-");
        try {
            ReportDryRun.Result result = dryRun.render(id, period, directory);
            long total = result.documents().stream().mapToLong(ReportDryRun.Output::bytes).sum();
            if (total > MAX_DRY_RUN_BYTES) {
                throw new IllegalArgumentException("the dry run's documents are " + total + " bytes, more than the API "
                        + "answers (" + MAX_DRY_RUN_BYTES + "): stop the service and run the command without it");
            }
            ObjectNode answer = json.createObjectNode().put("reportId", id).put("period", result.window().period())
                    .put("windowStart", result.window().start().toString()).put("windowEnd", result.window().end().toString());
            ArrayNode documents = answer.putArray("documents");
            for (ReportDryRun.Output output : result.documents()) {
                documents.addObject().put("recipient", output.recipient()).put("filename", output.file().getFileName().toString())
                        .put("rows", output.rows()).put("size", output.bytes()).put("sha256", output.sha256())
                        .put("content", Base64.getEncoder().encodeToString(Files.readAllBytes(output.file())));
            }
            return answer;
        } finally {
            try (var files = Files.list(directory)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(directory);
        }
    }

    /** {@code POST /api/reports/{id}/runs/{runId}/revoke}: its download and acknowledgement links stop working. */
    public ObjectNode revoke(@Header("id") String id, @Header("runId") String runId,
            @Header(io.mailroute.access.ApiGuard.PRINCIPAL_HEADER) String principal, Exchange exchange) {
        long key = parse(runId, "runId");
        Optional<ReportRun> run = runs.find(key).filter(r -> r.reportId().equals(id));
        if (run.isEmpty()) {
            return ApiErrors.error(json, exchange, 404, "report '" + id + "' has no run " + key);
        }
        boolean changed = revocations.revoke(key, "token:" + (principal == null ? "?" : principal));
        ObjectNode answer = run(run.get(), true);
        answer.put("revokedNow", changed);
        return answer;
    }

    private ObjectNode run(ReportRun run, boolean withRecipients) {
        ObjectNode node = json.createObjectNode();
        node.put("id", run.id()).put("reportId", run.reportId()).put("period", run.period()).put("state", run.state().name())
                .put("attempts", run.attempts()).put("lastError", run.lastError())
                .put("createdAt", run.createdAt().toString()).put("updatedAt", run.updatedAt().toString());
        if (run.document() != null) {
            node.putObject("document").put("sha256", run.document().sha256()).put("size", run.document().size())
                    .put("format", run.document().format());
        }
        db.jdbc().query(RUN_EXTRA, Map.of("id", run.id()), rs -> {
            node.put("windowStart", text(rs.getTimestamp("window_start"))).put("windowEnd", text(rs.getTimestamp("window_end")))
                    .put("linksRevokedAt", text(rs.getTimestamp("links_revoked_at")))
                    .put("linksRevokedBy", rs.getString("links_revoked_by"));
        });
        if (!withRecipients) {
            return node;
        }
        ArrayNode recipients = node.putArray("recipients");
        db.jdbc().query(RECIPIENTS, Map.of("runId", run.id()), rs -> {
            ObjectNode r = recipients.addObject();
            r.put("recipient", rs.getString("recipient")).put("address", rs.getString("address"))
                    .put("status", rs.getString("status")).put("messageId", rs.getString("message_id"))
                    .put("lastError", rs.getString("last_error")).put("sentAt", text(rs.getTimestamp("sent_at")))
                    .put("bouncedAt", text(rs.getTimestamp("bounced_at")))
                    .put("downloadedAt", text(rs.getTimestamp("downloaded_at")))
                    .put("acknowledgedAt", text(rs.getTimestamp("acknowledged_at")))
                    .put("overdueAt", text(rs.getTimestamp("overdue_at"))).put("downloads", rs.getLong("downloads"));
            if (rs.getString("document_sha256") != null) {
                r.putObject("document").put("sha256", rs.getString("document_sha256")).put("rows", rs.getLong("document_rows"));
            }
            if (rs.getString("delivery_status") != null) {
                r.putObject("delivery").put("status", rs.getString("delivery_status"))
                        .put("attempts", rs.getInt("delivery_attempts")).put("lastError", rs.getString("delivery_error"))
                        .put("sentVia", rs.getString("delivery_sent_via"));
            }
        });
        return node;
    }

    private JsonNode request(String body) {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        try {
            JsonNode node = json.readTree(body);
            if (!node.isObject()) {
                throw new IllegalArgumentException("the body is a JSON object, e.g. {\"period\":\"2026-W48\"}");
            }
            node.fieldNames().forEachRemaining(name -> {
                if (!name.equals("period")) {
                    throw new IllegalArgumentException("unknown field '" + name + "': the body takes period, e.g. {\"period\":\"2026-W48\"}");
                }
            });
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getMessage() + "; e.g. {\"period\":\"2026-W48\"}");
        }
    }

    private static int parse(String value, String name) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is a number, not '" + value + "'");
        }
    }

    private static String text(java.sql.Timestamp at) {
        return at == null ? null : at.toInstant().toString();
    }
}

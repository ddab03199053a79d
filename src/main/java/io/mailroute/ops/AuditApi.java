package io.mailroute.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.audit.AuditCommand;
import io.mailroute.audit.AuditExporter;
import io.mailroute.audit.AuditVerifier;
import io.mailroute.db.Database;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Header;

/**
 * {@code GET /api/audit/verify} and {@code GET /api/audit/records?from=&to=&mailbox=&after=&limit=}: the
 * audit trail for the {@code audit} command while the service runs (an H2 file has one user at a
 * time), and for anyone with a viewer token.
 */
public final class AuditApi {

    private final Database db;
    private final ObjectMapper json;

    public AuditApi(Database db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    public ObjectNode verify() {
        AuditVerifier.Result result = new AuditVerifier(db).verify();
        return json.createObjectNode()
                .put("intact", result.intact())
                .put("recordsChecked", result.recordsChecked())
                .put("firstBadSeq", result.firstBadSeq())
                .put("problem", result.problem())
                .put("headHash", result.headHash());
    }

    /** Records with {@code from <= occurredAt < to} in seq order, a page at a time; {@code next} is the after of the next page. */
    public ObjectNode records(@Header("from") String from, @Header("to") String to, @Header("mailbox") String mailbox,
            @Header("after") String after, @Header("limit") String limit) {
        if (from == null || to == null) {
            throw new IllegalArgumentException("from and to are required (ISO-8601 instant or date; to is exclusive)");
        }
        Instant start = AuditCommand.instant("from", from);
        Instant end = AuditCommand.instant("to", to);
        int max = ApiQueries.limit(limit);
        List<ObjectNode> rows = new AuditExporter(db).page(start, end, mailbox == null || mailbox.isBlank() ? null : mailbox.trim(),
                ApiQueries.after(after), max);
        ObjectNode answer = json.createObjectNode();
        answer.set("items", json.valueToTree(rows));
        answer.put("next", rows.size() == max ? rows.get(rows.size() - 1).get("seq").asLong() : null);
        return answer;
    }
}

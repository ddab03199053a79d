package io.mailroute.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes audit records as JSON Lines for discovery and for checking outside Mailroute: one object
 * per line, in seq order, with every field the hash covers ({@code details} as JSON). Streams, so
 * a long window is never held in memory.
 */
public final class AuditExporter {

    private static final String WINDOW = "SELECT " + AuditRows.COLUMNS + """
             FROM audit_log
            WHERE occurred_at >= :from AND occurred_at < :to AND (:mailbox IS NULL OR mailbox_id = :mailbox)
            ORDER BY seq""";
    private static final String PAGE = "SELECT " + AuditRows.COLUMNS + """
             FROM audit_log
            WHERE occurred_at >= :from AND occurred_at < :to AND (:mailbox IS NULL OR mailbox_id = :mailbox) AND seq > :after
            ORDER BY seq
            LIMIT :limit""";

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate readOnly;
    private final ObjectMapper json = Json.newMapper();

    public AuditExporter(Database db) {
        JdbcTemplate paged = new JdbcTemplate(db.dataSource());
        paged.setFetchSize(AuditRows.FETCH_SIZE);
        this.jdbc = new NamedParameterJdbcTemplate(paged);
        // PostgreSQL pages through a result (fetch size) only inside a transaction.
        this.readOnly = new TransactionTemplate(db.transactions().getTransactionManager());
        readOnly.setReadOnly(true);
    }

    /**
     * Records with {@code from <= occurredAt < to}, of one mailbox when {@code mailbox} is not
     * null; returns how many were written. Does not close {@code out}.
     */
    public long export(Instant from, Instant to, String mailbox, Writer out) throws IOException {
        MapSqlParameterSource params = new MapSqlParameterSource("from", from.toEpochMilli())
                .addValue("to", to.toEpochMilli())
                .addValue("mailbox", mailbox, Types.VARCHAR);
        try {
            Long written = readOnly.execute(tx -> jdbc.query(WINDOW, params, rs -> {
                long count = 0;
                while (rs.next()) {
                    writeLine(AuditRows.read(rs), out);
                    count++;
                }
                return count;
            }));
            out.flush();
            return written == null ? 0 : written;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * One page of the same records, after seq {@code afterSeq}: what {@code GET /api/audit/records}
     * answers and {@code audit export} writes line by line when the service is running.
     */
    public List<ObjectNode> page(Instant from, Instant to, String mailbox, long afterSeq, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("from", from.toEpochMilli())
                .addValue("to", to.toEpochMilli())
                .addValue("mailbox", mailbox, Types.VARCHAR)
                .addValue("after", afterSeq)
                .addValue("limit", limit);
        return jdbc.query(PAGE, params, (rs, n) -> toJson(AuditRows.read(rs)));
    }

    /** A record as exported: every field the hash covers, {@code details} as the JSON it holds. */
    public ObjectNode toJson(AuditRecord record) {
        ObjectNode node = json.createObjectNode()
                .put("seq", record.seq())
                .put("occurredAt", AuditHashing.isoMillis(record.occurredAt()))
                .put("action", record.action())
                .put("mailbox", record.mailbox())
                .put("subjectRef", record.subjectRef());
        node.set("details", details(record.details()));
        return node.put("prevHash", record.prevHash()).put("hash", record.hash());
    }

    private void writeLine(AuditRecord record, Writer out) {
        try {
            out.write(json.writeValueAsString(toJson(record)));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stored details are JSON; a row edited into something else is exported as the string it holds. */
    private JsonNode details(String details) {
        try {
            return json.readTree(details);
        } catch (JsonProcessingException e) {
            return json.getNodeFactory().textNode(details);
        }
    }
}

package io.mailroute.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.Types;
import java.time.Instant;
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
        JsonFactory factory = json.getFactory();
        try {
            Long written = readOnly.execute(tx -> jdbc.query(WINDOW, params, rs -> {
                long count = 0;
                while (rs.next()) {
                    writeLine(factory, AuditRows.read(rs), out);
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

    private void writeLine(JsonFactory factory, AuditRecord record, Writer out) {
        try {
            JsonGenerator line = factory.createGenerator(out);
            line.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            line.writeStartObject();
            line.writeNumberField("seq", record.seq());
            line.writeStringField("occurredAt", AuditHashing.isoMillis(record.occurredAt()));
            line.writeStringField("action", record.action());
            line.writeStringField("mailbox", record.mailbox());
            line.writeStringField("subjectRef", record.subjectRef());
            line.writeFieldName("details");
            writeDetails(line, record.details());
            line.writeStringField("prevHash", record.prevHash());
            line.writeStringField("hash", record.hash());
            line.writeEndObject();
            line.close();
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stored details are JSON; a row edited into something else is exported as the string it holds. */
    private void writeDetails(JsonGenerator line, String details) throws IOException {
        JsonNode parsed;
        try {
            parsed = json.readTree(details);
        } catch (JsonProcessingException e) {
            line.writeString(details);
            return;
        }
        json.writeTree(line, parsed);
    }
}

package io.mailroute.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/** How records are stored in {@code audit_log}, shared by the appender, the verifier and the exporter. */
final class AuditRows {

    static final String COLUMNS = "seq, occurred_at, action, mailbox_id, subject_ref, details, prev_hash, hash";

    static final String INSERT = """
            INSERT INTO audit_log (seq, occurred_at, action, mailbox_id, subject_ref, details, prev_hash, hash)
            VALUES (:seq, :occurredAt, :action, :mailbox, :subjectRef, :details, :prevHash, :hash)""";

    /** Rows read in pages of this size, so that a long log is streamed, not loaded. */
    static final int FETCH_SIZE = 500;

    private AuditRows() {
    }

    static AuditRecord read(ResultSet rs) throws SQLException {
        return new AuditRecord(
                rs.getLong("seq"),
                Instant.ofEpochMilli(rs.getLong("occurred_at")),
                rs.getString("action"),
                rs.getString("mailbox_id"),
                rs.getString("subject_ref"),
                rs.getString("details"),
                rs.getString("prev_hash"),
                rs.getString("hash"));
    }

    static MapSqlParameterSource params(AuditRecord record) {
        return new MapSqlParameterSource("seq", record.seq())
                .addValue("occurredAt", record.occurredAt().toEpochMilli())
                .addValue("action", record.action())
                .addValue("mailbox", record.mailbox())
                .addValue("subjectRef", record.subjectRef())
                .addValue("details", record.details())
                .addValue("prevHash", record.prevHash())
                .addValue("hash", record.hash());
    }
}

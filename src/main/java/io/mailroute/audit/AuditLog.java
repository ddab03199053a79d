package io.mailroute.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Appends records to the hash-chained {@code audit_log}. Callers append inside the transaction
 * that makes the change, so a change and its audit record commit (or roll back) together.
 *
 * <p>Each append locks the single {@code audit_head} row first, so appenders in any number of
 * threads or service instances on one database take turns: seq stays contiguous and the chain
 * never forks. The lock is held until the caller's transaction ends, so keep that transaction short.
 */
public final class AuditLog {

    private static final String LOCK_HEAD = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE";
    private static final String ADVANCE_HEAD = """
            UPDATE audit_head SET last_seq = :seq, last_hash = :hash
            WHERE id = 1 AND last_seq = :prevSeq""";

    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;

    public AuditLog(Database db, ObjectMapper json, Clock clock) {
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Appends one record, joining the caller's transaction (or running in its own when there is
     * none). {@code details} is stored as canonical JSON; null means an empty object.
     */
    public AuditRecord append(String action, String mailbox, String subjectRef, JsonNode details) {
        requireText("action", action, 64);
        requireText("subjectRef", subjectRef, 128);
        if (mailbox != null && mailbox.length() > 64) {
            throw new IllegalArgumentException("Audit mailbox id is longer than 64 characters: " + mailbox);
        }
        String canonicalDetails = AuditHashing.canonicalJson(json, details);
        return db.transactions().execute(tx -> {
            Head head = lockHead();
            long seq = head.lastSeq() + 1;
            // Read the clock under the lock, so occurredAt follows seq order whenever the clock does.
            Instant occurredAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            String hash = AuditHashing.hash(seq, occurredAt, action, mailbox, subjectRef, canonicalDetails, head.lastHash());
            AuditRecord record = new AuditRecord(seq, occurredAt, action, mailbox, subjectRef, canonicalDetails,
                    head.lastHash(), hash);
            db.jdbc().update(AuditRows.INSERT, AuditRows.params(record));
            int advanced = db.jdbc().update(ADVANCE_HEAD, new MapSqlParameterSource("seq", seq)
                    .addValue("hash", hash)
                    .addValue("prevSeq", head.lastSeq()));
            if (advanced != 1) {
                throw new IllegalStateException("audit_head moved while locked (another writer without the lock?): "
                        + "could not append audit record " + seq);
            }
            return record;
        });
    }

    private Head lockHead() {
        List<Head> heads = db.jdbc().query(LOCK_HEAD, new MapSqlParameterSource(),
                (rs, n) -> new Head(rs.getLong("last_seq"), rs.getString("last_hash")));
        if (heads.isEmpty()) {
            throw new IllegalStateException("The audit head row (table audit_head, id 1) is missing, so nothing can be "
                    + "audited: the trail was tampered with. Run `java -jar target/mailroute.jar audit verify`.");
        }
        return heads.get(0);
    }

    private static void requireText(String name, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Audit " + name + " is required");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException("Audit " + name + " is longer than " + maxLength + " characters: " + value);
        }
    }

    private record Head(long lastSeq, String lastHash) {
    }
}

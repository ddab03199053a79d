package io.mailroute.approvals;

import io.mailroute.db.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/** SQL of the approval tables, named parameters only. Callers own the transaction. */
final class ApprovalStore {

    private static final String COLUMNS = """
            id, item_id, mailbox_id, title, requester, policy, mode, quorum, priority, urgent, state, fields, attachments,
            callback_url, idempotency_key, request_hash, source, original_message_id, original_thread_id, created_by,
            created_at, expires_at, decided_at, decided_by, decided_how, version""";
    private static final String INSERT = """
            INSERT INTO approval (item_id, mailbox_id, title, requester, policy, mode, quorum, priority, urgent, state, fields,
                attachments, callback_url, idempotency_key, request_hash, source, original_message_id, original_thread_id,
                created_by, created_at, expires_at, version)
            VALUES (:itemId, :mailbox, :title, :requester, :policy, :mode, :quorum, :priority, :urgent, 'PENDING', :fields,
                :attachments, :callbackUrl, :idempotencyKey, :requestHash, :source, :originalMessageId, :originalThreadId,
                :createdBy, :now, :expiresAt, 0)""";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM approval WHERE id = :id";
    /** Holds the approval's row until the transaction ends: decisions on one approval take turns. */
    private static final String LOCK = "SELECT " + COLUMNS + " FROM approval WHERE id = :id FOR UPDATE";
    private static final String PENDING_FOR_ITEM = "SELECT id FROM approval WHERE item_id = :itemId AND state = 'PENDING' ORDER BY id";
    private static final String BY_KEY = "SELECT " + COLUMNS + " FROM approval WHERE idempotency_key = :key";
    private static final String LIST = "SELECT " + COLUMNS + """
             FROM approval a
            WHERE id > :after AND (:state IS NULL OR state = :state)
              AND (:approver IS NULL OR EXISTS (SELECT 1 FROM approval_approver p
                                                WHERE p.approval_id = a.id AND LOWER(p.address) = :approver))
            ORDER BY id LIMIT :limit""";
    private static final String FINISH = """
            UPDATE approval SET state = :state, decided_at = :now, decided_by = :by, decided_how = :how, version = version + 1
            WHERE id = :id AND version = :version AND state = 'PENDING'""";
    private static final String TOUCH = "UPDATE approval SET version = version + 1 WHERE id = :id AND version = :version";
    private static final String ESCALATE = """
            UPDATE approval SET expires_at = :expiresAt, version = version + 1 WHERE id = :id AND version = :version""";
    private static final String INSERT_APPROVER = """
            INSERT INTO approval_approver (approval_id, position, address, state) VALUES (:id, :position, :address, 'WAITING')""";
    private static final String INSERT_BACKUP = """
            INSERT INTO approval_approver (approval_id, position, address, state, asked_at, backup)
            VALUES (:id, :position, :address, 'ASKED', :now, TRUE)""";
    private static final String APPROVERS = """
            SELECT position, address, state, asked_at, decided_at, how, comment, evidence, backup
            FROM approval_approver WHERE approval_id = :id ORDER BY position""";
    private static final String ASK = """
            UPDATE approval_approver SET state = 'ASKED', asked_at = :now
            WHERE approval_id = :id AND position = :position AND state = 'WAITING'""";
    private static final String DECIDE = """
            UPDATE approval_approver SET state = :state, decided_at = :now, how = :how, comment = :comment, evidence = :evidence
            WHERE approval_id = :id AND position = :position AND state = 'ASKED'""";
    private static final String SKIP_REST = """
            UPDATE approval_approver SET state = 'SKIPPED' WHERE approval_id = :id AND state IN ('WAITING', 'ASKED')""";
    private static final String INSERT_HISTORY = """
            INSERT INTO approval_history (approval_id, at, action, actor, how, detail, evidence)
            VALUES (:id, :now, :action, :actor, :how, :detail, :evidence)""";
    private static final String HISTORY = """
            SELECT id, at, action, actor, how, detail, evidence FROM approval_history WHERE approval_id = :id ORDER BY id""";

    private final Database db;

    ApprovalStore(Database db) {
        this.db = db;
    }

    /** The row to insert: everything known at the request. */
    record NewApproval(Long itemId, String mailbox, String title, String requester, String policy, ApprovalPolicy rule,
            String priority, boolean urgent, String fieldsJson, String attachmentsJson, String callbackUrl,
            String idempotencyKey, String requestHash, String source, String originalMessageId, String originalThreadId,
            String createdBy, Instant expiresAt) {
    }

    long insert(NewApproval a, List<String> approvers, Instant now) {
        KeyHolder keys = new GeneratedKeyHolder();
        db.jdbc().update(INSERT, new MapSqlParameterSource().addValue("itemId", a.itemId(), Types.BIGINT)
                .addValue("mailbox", a.mailbox())
                .addValue("title", a.title())
                .addValue("requester", a.requester())
                .addValue("policy", a.policy())
                .addValue("mode", a.rule().mode().name())
                .addValue("quorum", a.rule().mode() == ApprovalMode.QUORUM ? a.rule().quorum() : null, Types.INTEGER)
                .addValue("priority", a.priority())
                .addValue("urgent", a.urgent())
                .addValue("fields", a.fieldsJson())
                .addValue("attachments", a.attachmentsJson())
                .addValue("callbackUrl", a.callbackUrl(), Types.VARCHAR)
                .addValue("idempotencyKey", a.idempotencyKey(), Types.VARCHAR)
                .addValue("requestHash", a.requestHash())
                .addValue("source", a.source())
                .addValue("originalMessageId", a.originalMessageId(), Types.VARCHAR)
                .addValue("originalThreadId", a.originalThreadId(), Types.VARCHAR)
                .addValue("createdBy", a.createdBy())
                .addValue("now", Timestamp.from(now))
                .addValue("expiresAt", a.expiresAt() == null ? null : Timestamp.from(a.expiresAt()), Types.TIMESTAMP),
                keys, new String[] {"id"});
        long id = keys.getKey().longValue();
        for (int i = 0; i < approvers.size(); i++) {
            db.jdbc().update(INSERT_APPROVER, new MapSqlParameterSource("id", id).addValue("position", i + 1)
                    .addValue("address", approvers.get(i)));
        }
        return id;
    }

    Optional<Approval> approval(long id) {
        return db.jdbc().query(BY_ID, Map.of("id", id), (rs, n) -> approval(rs)).stream().findFirst();
    }

    /** The pending approval that decides an item's state, if any. */
    Optional<Long> pendingForItem(long itemId) {
        return db.jdbc().queryForList(PENDING_FOR_ITEM, Map.of("itemId", itemId), Long.class).stream().findFirst();
    }

    Optional<Approval> lock(long id) {
        return db.jdbc().query(LOCK, Map.of("id", id), (rs, n) -> approval(rs)).stream().findFirst();
    }

    Optional<Approval> byKey(String key) {
        return db.jdbc().query(BY_KEY, Map.of("key", key), (rs, n) -> approval(rs)).stream().findFirst();
    }

    List<Approval> list(String state, String approver, long after, int limit) {
        return db.jdbc().query(LIST, new MapSqlParameterSource("after", after).addValue("limit", limit)
                .addValue("state", state, Types.VARCHAR)
                .addValue("approver", approver == null ? null : approver.toLowerCase(java.util.Locale.ROOT), Types.VARCHAR),
                (rs, n) -> approval(rs));
    }

    /** Escalation: the backups added after the approvers, asked now; the approval's new expiry. @return false when it changed */
    boolean escalate(Approval approval, List<String> backups, Instant expiresAt, Instant now) {
        if (db.jdbc().update(ESCALATE, new MapSqlParameterSource("id", approval.id()).addValue("version", approval.version())
                .addValue("expiresAt", expiresAt == null ? null : Timestamp.from(expiresAt), Types.TIMESTAMP)) != 1) {
            return false;
        }
        int position = approvers(approval.id()).stream().mapToInt(Approval.Approver::position).max().orElse(0);
        for (String backup : backups) {
            db.jdbc().update(INSERT_BACKUP, new MapSqlParameterSource("id", approval.id()).addValue("position", ++position)
                    .addValue("address", backup).addValue("now", Timestamp.from(now)));
        }
        return true;
    }

    /** @return false when the approval was no longer PENDING at that version */
    boolean finish(Approval approval, String state, String by, String how, Instant now) {
        return db.jdbc().update(FINISH, new MapSqlParameterSource("id", approval.id()).addValue("version", approval.version())
                .addValue("state", state).addValue("by", by, Types.VARCHAR).addValue("how", how, Types.VARCHAR)
                .addValue("now", Timestamp.from(now))) == 1;
    }

    /** Moves the version on without a state change (a decision that leaves it pending), so a stale writer notices. */
    boolean touch(Approval approval) {
        return db.jdbc().update(TOUCH, new MapSqlParameterSource("id", approval.id()).addValue("version", approval.version())) == 1;
    }

    List<Approval.Approver> approvers(long id) {
        return db.jdbc().query(APPROVERS, Map.of("id", id), (rs, n) -> new Approval.Approver(rs.getInt("position"),
                rs.getString("address"), rs.getString("state"), instant(rs.getTimestamp("asked_at")),
                instant(rs.getTimestamp("decided_at")), rs.getString("how"), rs.getString("comment"), rs.getString("evidence"),
                rs.getBoolean("backup")));
    }

    boolean ask(long id, int position, Instant now) {
        return db.jdbc().update(ASK, new MapSqlParameterSource("id", id).addValue("position", position)
                .addValue("now", Timestamp.from(now))) == 1;
    }

    boolean decide(long id, int position, Decision decision, String how, String comment, String evidence, Instant now) {
        return db.jdbc().update(DECIDE, new MapSqlParameterSource("id", id).addValue("position", position)
                .addValue("state", decision.outcome()).addValue("how", how).addValue("comment", comment, Types.VARCHAR)
                .addValue("evidence", evidence, Types.VARCHAR).addValue("now", Timestamp.from(now))) == 1;
    }

    void skipRest(long id) {
        db.jdbc().update(SKIP_REST, Map.of("id", id));
    }

    void history(long id, String action, String actor, String how, String detail, String evidence, Instant now) {
        db.jdbc().update(INSERT_HISTORY, new MapSqlParameterSource("id", id).addValue("now", Timestamp.from(now))
                .addValue("action", action).addValue("actor", actor, Types.VARCHAR).addValue("how", how, Types.VARCHAR)
                .addValue("detail", detail, Types.VARCHAR).addValue("evidence", evidence, Types.VARCHAR));
    }

    List<Approval.HistoryEntry> history(long id) {
        return db.jdbc().query(HISTORY, Map.of("id", id), (rs, n) -> new Approval.HistoryEntry(rs.getLong("id"),
                instant(rs.getTimestamp("at")), rs.getString("action"), rs.getString("actor"), rs.getString("how"),
                rs.getString("detail"), rs.getString("evidence")));
    }

    private static Approval approval(ResultSet rs) throws SQLException {
        ApprovalMode mode = ApprovalMode.valueOf(rs.getString("mode"));
        ApprovalPolicy rule = mode == ApprovalMode.QUORUM ? ApprovalPolicy.quorumOf(rs.getInt("quorum")) : ApprovalPolicy.of(mode);
        return new Approval(rs.getLong("id"), rs.getObject("item_id", Long.class), rs.getString("mailbox_id"),
                rs.getString("title"), rs.getString("requester"), rs.getString("policy"), rule, rs.getString("priority"),
                rs.getBoolean("urgent"), rs.getString("state"), rs.getString("fields"), rs.getString("attachments"),
                rs.getString("callback_url"), rs.getString("idempotency_key"), rs.getString("request_hash"),
                rs.getString("source"), rs.getString("original_message_id"), rs.getString("original_thread_id"),
                rs.getString("created_by"), instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("expires_at")),
                instant(rs.getTimestamp("decided_at")), rs.getString("decided_by"), rs.getString("decided_how"),
                rs.getInt("version"));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}

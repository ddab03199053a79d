package io.mailroute.workflow;

import io.mailroute.db.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/** SQL of the workflow tables, named parameters only. Callers own the transaction. */
public final class WorkflowStore {

    private static final String ITEM_COLUMNS = """
            id, type, mailbox_id, state, category, queue, assignee, priority, rule_id, subject, thread_id,
            source_message_id, sla_due_at, sla_breached_at, created_at, updated_at, version""";
    private static final String INSERT_ITEM = """
            INSERT INTO workflow_item (type, mailbox_id, state, category, queue, assignee, priority, rule_id, subject,
                thread_id, source_message_id, sla_due_at, created_at, updated_at, version)
            VALUES (:type, :mailbox, :state, :category, :queue, :assignee, :priority, :ruleId, :subject,
                :threadId, :sourceMessageId, :slaDueAt, :now, :now, 0)""";
    private static final String ITEM = "SELECT " + ITEM_COLUMNS + " FROM workflow_item WHERE id = :id";
    private static final String ITEMS = "SELECT " + ITEM_COLUMNS + """
             FROM workflow_item
            WHERE id > :after
              AND (:queue IS NULL OR queue = :queue) AND (:state IS NULL OR state = :state)
              AND (:category IS NULL OR category = :category) AND (:assignee IS NULL OR assignee = :assignee)
              AND (:mailbox IS NULL OR mailbox_id = :mailbox)
            ORDER BY id LIMIT :limit""";
    private static final String UPDATE_ITEM = """
            UPDATE workflow_item SET state = :state, assignee = :assignee, updated_at = :now, version = version + 1
            WHERE id = :id AND version = :version""";
    private static final String RECORD_TRIAGE = """
            INSERT INTO message_triage (message_id, outcome, rule_id, item_id, decided_at)
            VALUES (:messageId, :outcome, :ruleId, :itemId, :now)
            ON CONFLICT DO NOTHING""";
    private static final String TRIAGED = "SELECT COUNT(*) FROM message_triage WHERE message_id = :messageId";
    private static final String MESSAGE = """
            SELECT id, mailbox_id, gmail_id, thread_id, message_id_header, in_reply_to, references_header, subject,
                   from_address, COALESCE(internal_date, ingested_at) AS received_at
            FROM mail_message WHERE id = :id""";
    private static final String ITEM_BY_THREAD = """
            SELECT t.item_id FROM message_triage t JOIN mail_message m ON m.id = t.message_id
            WHERE m.mailbox_id = :mailbox AND m.thread_id = :threadId AND t.item_id IS NOT NULL AND m.id <> :self
            ORDER BY m.id DESC LIMIT 1""";
    private static final String ITEM_BY_MESSAGE_ID = """
            SELECT t.item_id FROM message_triage t JOIN mail_message m ON m.id = t.message_id
            WHERE m.mailbox_id = :mailbox AND m.message_id_header IN (:messageIds) AND t.item_id IS NOT NULL
              AND m.id <> :self
            ORDER BY m.id DESC LIMIT 1""";
    private static final String ITEM_MESSAGES = """
            SELECT m.id, m.subject, m.from_address, m.sent_at, m.ingested_at, t.outcome
            FROM message_triage t JOIN mail_message m ON m.id = t.message_id
            WHERE t.item_id = :id ORDER BY m.id""";
    private static final String DUE = """
            SELECT id FROM workflow_item
            WHERE sla_due_at < :now AND sla_breached_at IS NULL AND state IN (:activeStates)
            ORDER BY sla_due_at LIMIT :limit""";
    private static final String MARK_BREACHED = """
            UPDATE workflow_item SET sla_breached_at = :now, updated_at = :now, version = version + 1
            WHERE id = :id AND sla_breached_at IS NULL""";

    private final Database db;

    public WorkflowStore(Database db) {
        this.db = db;
    }

    public Optional<MessageFacts> message(long id) {
        return db.jdbc().query(MESSAGE, Map.of("id", id), (rs, n) -> new MessageFacts(
                rs.getLong("id"), rs.getString("mailbox_id"), rs.getString("gmail_id"), rs.getString("thread_id"),
                rs.getString("message_id_header"), rs.getString("in_reply_to"), references(rs.getString("references_header")),
                rs.getString("subject"), rs.getString("from_address"), instant(rs.getTimestamp("received_at"))))
                .stream().findFirst();
    }

    public boolean isTriaged(long messageId) {
        Long count = db.jdbc().queryForObject(TRIAGED, Map.of("messageId", messageId), Long.class);
        return count != null && count > 0;
    }

    /** @return false when the message already had an outcome (triage ran before) */
    public boolean recordTriage(long messageId, String outcome, String ruleId, Long itemId, Instant now) {
        return db.jdbc().update(RECORD_TRIAGE, new MapSqlParameterSource("messageId", messageId)
                .addValue("outcome", outcome).addValue("ruleId", ruleId)
                .addValue("itemId", itemId, Types.BIGINT).addValue("now", Timestamp.from(now))) == 1;
    }

    public long insertItem(MessageFacts source, Classification c, Instant slaDueAt, Instant now) {
        KeyHolder keys = new GeneratedKeyHolder();
        db.jdbc().update(INSERT_ITEM, new MapSqlParameterSource("type", c.itemType())
                .addValue("mailbox", source.mailbox())
                .addValue("state", ItemState.initial(c.itemType()).name())
                .addValue("category", c.category())
                .addValue("queue", c.queue())
                .addValue("assignee", c.assignee())
                .addValue("priority", c.priority())
                .addValue("ruleId", c.ruleId())
                .addValue("subject", source.subject())
                .addValue("threadId", source.threadId())
                .addValue("sourceMessageId", source.id())
                .addValue("slaDueAt", slaDueAt == null ? null : Timestamp.from(slaDueAt), Types.TIMESTAMP)
                .addValue("now", Timestamp.from(now)), keys, new String[] {"id"});
        return keys.getKey().longValue();
    }

    public Optional<WorkflowItem> item(long id) {
        return db.jdbc().query(ITEM, Map.of("id", id), (rs, n) -> item(rs)).stream().findFirst();
    }

    public List<WorkflowItem> items(ItemFilter filter, long after, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("after", after).addValue("limit", limit)
                .addValue("queue", filter.queue(), Types.VARCHAR)
                .addValue("state", filter.state(), Types.VARCHAR)
                .addValue("category", filter.category(), Types.VARCHAR)
                .addValue("assignee", filter.assignee(), Types.VARCHAR)
                .addValue("mailbox", filter.mailbox(), Types.VARCHAR);
        return db.jdbc().query(ITEMS, params, (rs, n) -> item(rs));
    }

    /** @return false when someone else changed the item first (its version moved on) */
    public boolean update(long id, int expectedVersion, ItemState state, String assignee, Instant now) {
        return db.jdbc().update(UPDATE_ITEM, new MapSqlParameterSource("id", id)
                .addValue("version", expectedVersion)
                .addValue("state", state.name())
                .addValue("assignee", assignee, Types.VARCHAR)
                .addValue("now", Timestamp.from(now))) == 1;
    }

    public Optional<Long> itemByThread(MessageFacts message) {
        if (message.threadId() == null) {
            return Optional.empty();
        }
        return db.jdbc().queryForList(ITEM_BY_THREAD, new MapSqlParameterSource("mailbox", message.mailbox())
                .addValue("threadId", message.threadId()).addValue("self", message.id()), Long.class).stream().findFirst();
    }

    public Optional<Long> itemByMessageIds(MessageFacts message, List<String> messageIds) {
        if (messageIds.isEmpty()) {
            return Optional.empty();
        }
        return db.jdbc().queryForList(ITEM_BY_MESSAGE_ID, new MapSqlParameterSource("mailbox", message.mailbox())
                .addValue("messageIds", messageIds).addValue("self", message.id()), Long.class).stream().findFirst();
    }

    public List<ItemMessage> itemMessages(long itemId) {
        return db.jdbc().query(ITEM_MESSAGES, Map.of("id", itemId), (rs, n) -> new ItemMessage(rs.getLong("id"),
                rs.getString("outcome"), rs.getString("subject"), rs.getString("from_address"),
                instant(rs.getTimestamp("ingested_at"))));
    }

    /** A message of an item: the one that opened it (CREATED) or a REPLY. */
    public record ItemMessage(long messageId, String relation, String subject, String from, Instant ingestedAt) {
    }

    public List<Long> dueForBreach(Instant now, List<String> activeStates, int limit) {
        return db.jdbc().queryForList(DUE, new MapSqlParameterSource("now", Timestamp.from(now))
                .addValue("activeStates", activeStates).addValue("limit", limit), Long.class);
    }

    /** @return true exactly once per item: only the first caller marks it */
    public boolean markBreached(long id, Instant now) {
        return db.jdbc().update(MARK_BREACHED, new MapSqlParameterSource("id", id).addValue("now", Timestamp.from(now))) == 1;
    }

    private static WorkflowItem item(ResultSet rs) throws SQLException {
        return new WorkflowItem(rs.getLong("id"), rs.getString("type"), rs.getString("mailbox_id"),
                ItemState.valueOf(rs.getString("state")), rs.getString("category"), rs.getString("queue"),
                rs.getString("assignee"), rs.getString("priority"), rs.getString("rule_id"), rs.getString("subject"),
                rs.getString("thread_id"), rs.getLong("source_message_id"), instant(rs.getTimestamp("sla_due_at")),
                instant(rs.getTimestamp("sla_breached_at")), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("updated_at")), rs.getInt("version"));
    }

    private static List<String> references(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.asList(text.trim().split("\\s+"));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** List filters; null means any. */
    public record ItemFilter(String queue, String state, String category, String assignee, String mailbox) {
    }
}

package io.mailroute.timers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/** SQL of the {@code timer} table, named parameters only. Callers own the transaction. */
final class TimerStore {

    private static final String COLUMNS = """
            id, kind, subject, slot, due_at, data, state, attempts, next_attempt_at, last_error, fired_at, created_at""";
    private static final String INSERT = """
            INSERT INTO timer (kind, subject, slot, due_at, data, state, attempts, next_attempt_at, created_at, updated_at)
            VALUES (:kind, :subject, :slot, :dueAt, :data, 'SCHEDULED', 0, :dueAt, :now, :now)
            ON CONFLICT DO NOTHING""";
    private static final String BY_KEY = "SELECT " + COLUMNS + " FROM timer WHERE kind = :kind AND subject = :subject AND slot = :slot";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM timer WHERE id = :id";
    private static final String DUE = """
            SELECT id FROM timer
            WHERE state = 'SCHEDULED' AND due_at <= :now AND next_attempt_at <= :now
            ORDER BY next_attempt_at, id LIMIT :limit""";
    /** The compare-and-set: of two ticks (threads or nodes) that read the same due timer, one gets a row. */
    private static final String CLAIM = """
            UPDATE timer SET state = 'FIRED', attempts = attempts + 1, fired_at = :now, updated_at = :now
            WHERE id = :id AND state = 'SCHEDULED' AND due_at <= :now AND next_attempt_at <= :now""";
    /** After a failed attempt, in the claim's transaction: back to SCHEDULED for later, or FAILED for good. */
    private static final String NOT_FIRED = """
            UPDATE timer SET state = :state, fired_at = NULL, next_attempt_at = :next, last_error = :error, updated_at = :now
            WHERE id = :id AND state = 'FIRED'""";
    private static final String CANCEL = """
            UPDATE timer SET state = 'CANCELLED', updated_at = :now
            WHERE kind = :kind AND subject = :subject AND state = 'SCHEDULED'""";
    private static final String SUBJECT_AND_NESTED = "(subject = :subject OR subject LIKE :nested ESCAPE '\\')";
    private static final String CANCEL_ALL = "UPDATE timer SET state = 'CANCELLED', updated_at = :now WHERE "
            + SUBJECT_AND_NESTED + " AND state = 'SCHEDULED'";
    private static final String PENDING = "SELECT " + COLUMNS + " FROM timer WHERE " + SUBJECT_AND_NESTED
            + " AND state = 'SCHEDULED' ORDER BY due_at, id";
    private static final String COUNTS = """
            SELECT COALESCE(SUM(CASE WHEN state = 'SCHEDULED' THEN 1 ELSE 0 END), 0) AS scheduled,
                   COALESCE(SUM(CASE WHEN state = 'SCHEDULED' AND next_attempt_at <= :now THEN 1 ELSE 0 END), 0) AS due,
                   COALESCE(SUM(CASE WHEN state = 'FAILED' THEN 1 ELSE 0 END), 0) AS failed
            FROM timer WHERE state IN ('SCHEDULED', 'FAILED')""";

    private final Database db;
    private final ObjectMapper json;

    TimerStore(Database db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    /** True when it inserted the timer, false when (kind, subject, slot) exists already. */
    boolean insert(String kind, String subject, String slot, Instant dueAt, JsonNode data, Instant now) {
        String text;
        try {
            text = json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("timer data for " + kind + " " + subject + " is not JSON: " + e.getMessage(), e);
        }
        return db.jdbc().update(INSERT, key(kind, subject, slot)
                .addValue("dueAt", Timestamp.from(dueAt))
                .addValue("data", text)
                .addValue("now", Timestamp.from(now))) == 1;
    }

    Optional<Timer> byKey(String kind, String subject, String slot) {
        return db.jdbc().query(BY_KEY, key(kind, subject, slot), this::timer).stream().findFirst();
    }

    Optional<Timer> byId(long id) {
        return db.jdbc().query(BY_ID, new MapSqlParameterSource("id", id), this::timer).stream().findFirst();
    }

    List<Long> due(Instant now, int limit) {
        return db.jdbc().queryForList(DUE, new MapSqlParameterSource("now", Timestamp.from(now)).addValue("limit", limit),
                Long.class);
    }

    boolean claim(long id, Instant now) {
        return db.jdbc().update(CLAIM, new MapSqlParameterSource("id", id).addValue("now", Timestamp.from(now))) == 1;
    }

    void notFired(long id, Timer.State state, Instant next, String error, Instant now) {
        db.jdbc().update(NOT_FIRED, new MapSqlParameterSource("id", id)
                .addValue("state", state.name())
                .addValue("next", Timestamp.from(next))
                .addValue("error", error)
                .addValue("now", Timestamp.from(now)));
    }

    int cancel(String kind, String subject, Instant now) {
        return db.jdbc().update(CANCEL, new MapSqlParameterSource("kind", kind).addValue("subject", subject)
                .addValue("now", Timestamp.from(now)));
    }

    int cancelAll(String subject, Instant now) {
        return db.jdbc().update(CANCEL_ALL, subjectAndNested(subject).addValue("now", Timestamp.from(now)));
    }

    List<Timer> pending(String subject) {
        return db.jdbc().query(PENDING, subjectAndNested(subject), this::timer);
    }

    Timers.Counts counts(Instant now) {
        return db.jdbc().queryForObject(COUNTS, new MapSqlParameterSource("now", Timestamp.from(now)),
                (rs, n) -> new Timers.Counts(rs.getLong("scheduled"), rs.getLong("due"), rs.getLong("failed")));
    }

    private static MapSqlParameterSource key(String kind, String subject, String slot) {
        return new MapSqlParameterSource("kind", kind).addValue("subject", subject).addValue("slot", slot);
    }

    /** The subject itself and the subjects nested in it ({@code approval:42:step:2} in {@code approval:42}). */
    private static MapSqlParameterSource subjectAndNested(String subject) {
        String literal = subject.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return new MapSqlParameterSource("subject", subject).addValue("nested", literal + ":%");
    }

    private Timer timer(ResultSet rs, int row) throws SQLException {
        String data = rs.getString("data");
        JsonNode parsed;
        try {
            parsed = data == null ? json.createObjectNode() : json.readTree(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("timer " + rs.getLong("id") + ": its data is not JSON: " + e.getMessage(), e);
        }
        return new Timer(rs.getLong("id"), rs.getString("kind"), rs.getString("subject"), rs.getString("slot"),
                instant(rs, "due_at"), parsed, Timer.State.valueOf(rs.getString("state")), rs.getInt("attempts"),
                instant(rs, "next_attempt_at"), rs.getString("last_error"), instant(rs, "fired_at"),
                instant(rs, "created_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}

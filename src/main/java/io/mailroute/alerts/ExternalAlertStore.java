package io.mailroute.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/** SQL of the {@code external_alert} table (V32), named parameters only. Callers own the transaction. */
final class ExternalAlertStore {

    private static final String COLUMNS = """
            id, alert_key, alert_type, severity, queue, team, audiences, summary, details, state, occurrences, raised_by,
            first_seen_at, last_seen_at, reminded_at, resolved_at, resolved_by""";
    private static final String INSERT = """
            INSERT INTO external_alert (alert_key, open_key, alert_type, severity, queue, team, audiences, summary, details,
                   state, occurrences, raised_by, first_seen_at, last_seen_at)
            VALUES (:key, :key, :type, :severity, :queue, :team, :audiences, :summary, :details, 'OPEN', 1, :by, :now, :now)""";
    /** A repeat while open: counted on the open row, its summary and details the latest, its severity the worst seen. */
    private static final String REPEAT = """
            UPDATE external_alert SET occurrences = occurrences + 1, last_seen_at = :now, summary = :summary,
                   details = COALESCE(:details, details),
                   severity = CASE WHEN :rank < (CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'NORMAL' THEN 2
                                                 ELSE 3 END) THEN :severity ELSE severity END
            WHERE open_key = :key""";
    /** A repeat that is worse than the open alert: its severity rises, once per rise, also under concurrency. */
    private static final String RAISE_SEVERITY = """
            UPDATE external_alert SET severity = :severity
            WHERE open_key = :key AND :rank < (CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'NORMAL' THEN 2
                                               ELSE 3 END)""";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM external_alert WHERE id = :id";
    private static final String OPEN_BY_KEY = "SELECT " + COLUMNS + " FROM external_alert WHERE open_key = :key";
    private static final String LATEST_BY_KEY = "SELECT " + COLUMNS
            + " FROM external_alert WHERE alert_key = :key ORDER BY id DESC LIMIT 1";
    private static final String RESOLVE = """
            UPDATE external_alert SET state = 'RESOLVED', open_key = NULL, resolved_at = :now, resolved_by = :by
            WHERE id = :id AND state = 'OPEN'""";
    private static final String REMINDED = """
            UPDATE external_alert SET reminded_at = :now WHERE id = :id AND state = 'OPEN' AND reminded_at IS NULL""";
    private static final String COUNTS = """
            SELECT COALESCE(SUM(CASE WHEN state = 'OPEN' THEN 1 ELSE 0 END), 0) AS open_count,
                   COALESCE(SUM(CASE WHEN state = 'RESOLVED' THEN 1 ELSE 0 END), 0) AS resolved_count
            FROM external_alert""";

    private final Database db;
    private final ObjectMapper json;

    ExternalAlertStore(Database db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    long insert(AlertRequest request, List<String> audiences, String by, Instant now) {
        org.springframework.jdbc.support.GeneratedKeyHolder keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
        db.jdbc().update(INSERT, request(request, now).addValue("type", request.type()).addValue("queue", request.queue())
                .addValue("team", request.team()).addValue("audiences", text(audiences)).addValue("by", by), keys,
                new String[] {"id"});
        return keys.getKey().longValue();
    }

    /** @return false when no alert of the key is open */
    boolean repeat(AlertRequest request, Instant now) {
        return db.jdbc().update(REPEAT, request(request, now).addValue("rank", request.severity().ordinal())) == 1;
    }

    /** @return true when the key's open alert was less severe than {@code request}'s and now is as severe */
    boolean raiseSeverity(AlertRequest request) {
        return db.jdbc().update(RAISE_SEVERITY, new MapSqlParameterSource("key", request.key())
                .addValue("severity", request.severity().name()).addValue("rank", request.severity().ordinal())) == 1;
    }

    Optional<ExternalAlert> byId(long id) {
        return db.jdbc().query(BY_ID, new MapSqlParameterSource("id", id), this::alert).stream().findFirst();
    }

    Optional<ExternalAlert> open(String key) {
        return db.jdbc().query(OPEN_BY_KEY, new MapSqlParameterSource("key", key), this::alert).stream().findFirst();
    }

    Optional<ExternalAlert> latest(String key) {
        return db.jdbc().query(LATEST_BY_KEY, new MapSqlParameterSource("key", key), this::alert).stream().findFirst();
    }

    boolean resolve(long id, String by, Instant now) {
        return db.jdbc().update(RESOLVE, new MapSqlParameterSource("id", id).addValue("by", by)
                .addValue("now", Timestamp.from(now))) == 1;
    }

    /** @return false when it is resolved, or was reminded of already */
    boolean reminded(long id, Instant now) {
        return db.jdbc().update(REMINDED, new MapSqlParameterSource("id", id).addValue("now", Timestamp.from(now))) == 1;
    }

    /** Oldest first after the id {@code after} (0: from the first), filtered by state and queue when given. */
    List<ExternalAlert> list(ExternalAlert.State state, String queue, long after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM external_alert WHERE 1 = 1");
        MapSqlParameterSource params = new MapSqlParameterSource("limit", limit);
        if (state != null) {
            sql.append(" AND state = :state");
            params.addValue("state", state.name());
        }
        if (queue != null) {
            sql.append(" AND queue = :queue");
            params.addValue("queue", queue);
        }
        if (after > 0) {
            sql.append(" AND id > :after");
            params.addValue("after", after);
        }
        return db.jdbc().query(sql.append(" ORDER BY id LIMIT :limit").toString(), params, this::alert);
    }

    long[] counts() {
        return db.jdbc().queryForObject(COUNTS, new MapSqlParameterSource(),
                (rs, n) -> new long[] {rs.getLong("open_count"), rs.getLong("resolved_count")});
    }

    private MapSqlParameterSource request(AlertRequest request, Instant now) {
        return new MapSqlParameterSource("key", request.key()).addValue("severity", request.severity().name())
                .addValue("summary", request.summary()).addValue("details", request.details() == null ? null
                        : request.details().toString())
                .addValue("now", Timestamp.from(now));
    }

    private String text(List<String> audiences) {
        try {
            return json.writeValueAsString(audiences);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ExternalAlert alert(ResultSet rs, int row) throws SQLException {
        List<String> audiences = new ArrayList<>();
        try {
            json.readTree(rs.getString("audiences")).forEach(n -> audiences.add(n.asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("external_alert " + rs.getLong("id") + ": audiences are not JSON", e);
        }
        return new ExternalAlert(rs.getLong("id"), rs.getString("alert_key"), rs.getString("alert_type"),
                Severity.valueOf(rs.getString("severity")), rs.getString("queue"), rs.getString("team"), List.copyOf(audiences),
                rs.getString("summary"), rs.getString("details"), ExternalAlert.State.valueOf(rs.getString("state")),
                rs.getInt("occurrences"), rs.getString("raised_by"), instant(rs, "first_seen_at"),
                instant(rs, "last_seen_at"), instant(rs, "reminded_at"), instant(rs, "resolved_at"), rs.getString("resolved_by"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}

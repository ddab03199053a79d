package io.mailroute.gmail;

import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The durable side of each mailbox's intake: its history cursor and state in table
 * {@code mailbox}, plus the in-memory time before which it must not be polled again.
 */
public final class MailboxStates {

    /** Failures in a row after which a mailbox counts as FAILING (health DEGRADED, naming it). */
    static final int FAILING_AFTER = 3;

    private static final String REGISTER = """
            INSERT INTO mailbox (id, address, state, consecutive_failures, updated_at)
            VALUES (:id, :address, 'STARTING', 0, :now)
            ON CONFLICT DO NOTHING""";
    private static final String UPDATE_ADDRESS = "UPDATE mailbox SET address = :address WHERE id = :id";
    private static final String CURSOR = "SELECT history_id FROM mailbox WHERE id = :id";
    private static final String ADVANCE = """
            UPDATE mailbox SET history_id = :historyId, state = 'ACTIVE', last_poll_at = :now,
                   last_success_at = :now, last_error = NULL, consecutive_failures = 0, updated_at = :now
            WHERE id = :id""";
    private static final String FAILED = """
            UPDATE mailbox SET state = :state, last_poll_at = :now, last_error = :error,
                   consecutive_failures = consecutive_failures + 1, updated_at = :now
            WHERE id = :id""";
    private static final String FAILURES = "SELECT consecutive_failures FROM mailbox WHERE id = :id";
    private static final String ALL = """
            SELECT id, address, state, history_id, last_poll_at, last_success_at, last_error, consecutive_failures
            FROM mailbox ORDER BY id""";

    private final Database db;
    private final Clock clock;
    private final Backoff backoff;
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
    private io.mailroute.events.EventLog events;

    public MailboxStates(Database db, Clock clock, Backoff backoff) {
        this.db = db;
        this.clock = clock;
        this.backoff = backoff;
    }

    /** Where a mailbox turning unhealthy ({@code mailbox.failing}) or healthy again ({@code mailbox.recovered}) is reported. */
    public MailboxStates reportingTo(io.mailroute.events.EventLog eventLog) {
        this.events = eventLog;
        return this;
    }

    private MailboxState stateOf(String mailboxId) {
        List<String> rows = db.jdbc().queryForList("SELECT state FROM mailbox WHERE id = :id", Map.of("id", mailboxId), String.class);
        return rows.isEmpty() ? MailboxState.STARTING : MailboxState.valueOf(rows.get(0));
    }

    public void register(MailboxSettings mailbox) {
        MapSqlParameterSource params = new MapSqlParameterSource("id", mailbox.id())
                .addValue("address", mailbox.address())
                .addValue("now", now());
        db.jdbc().update(REGISTER, params);
        db.jdbc().update(UPDATE_ADDRESS, params);
    }

    /** The history id every committed message is covered by, or null before the first bootstrap. */
    public String cursor(String mailboxId) {
        List<String> rows = db.jdbc().queryForList(CURSOR, Map.of("id", mailboxId), String.class);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Called only after every message the new cursor covers is committed. */
    public void advance(String mailboxId, String historyId) {
        db.transactions().executeWithoutResult(tx -> {
            MailboxState before = stateOf(mailboxId);
            db.jdbc().update(ADVANCE, new MapSqlParameterSource("id", mailboxId)
                    .addValue("historyId", historyId)
                    .addValue("now", now()));
            if (events != null && !before.isHealthy()) {
                events.append("mailbox.recovered", mailboxId, null, null,
                        events.json().createObjectNode().put("was", before.name()));
            }
        });
        notBefore.remove(mailboxId);
    }

    /** Records a failed poll and returns how long to wait before the next one. */
    public Duration failed(String mailboxId, GmailFailure failure) {
        List<Integer> rows = db.jdbc().queryForList(FAILURES, Map.of("id", mailboxId), Integer.class);
        int failures = (rows.isEmpty() ? 0 : rows.get(0)) + 1;
        MailboxState state = failure.kind() == GmailFailure.Kind.NOT_CONNECTED ? MailboxState.NOT_CONNECTED
                : failures >= FAILING_AFTER || !failure.isRetryable() ? MailboxState.FAILING
                : MailboxState.BACKING_OFF;
        MailboxState before = stateOf(mailboxId);
        db.transactions().executeWithoutResult(tx -> {
            db.jdbc().update(FAILED, new MapSqlParameterSource("id", mailboxId)
                    .addValue("state", state.name())
                    .addValue("error", truncate(failure.message(), 2000))
                    .addValue("now", now()));
            if (events != null && before.isHealthy() && !state.isHealthy()) {
                events.append("mailbox.failing", mailboxId, null, null, events.json().createObjectNode()
                        .put("state", state.name()).put("error", failure.message()));
            }
        });
        Duration delay = backoff.delay(failures, failure.retryAfter());
        notBefore.put(mailboxId, clock.instant().plus(delay));
        return delay;
    }

    /** False while the mailbox is backing off. */
    public boolean mayPoll(String mailboxId) {
        Instant until = notBefore.get(mailboxId);
        return until == null || !clock.instant().isBefore(until);
    }

    public List<MailboxStatus> all() {
        return db.jdbc().query(ALL, Map.of(), (rs, n) -> new MailboxStatus(
                rs.getString("id"),
                rs.getString("address"),
                MailboxState.valueOf(rs.getString("state")),
                rs.getString("history_id"),
                instant(rs.getTimestamp("last_poll_at")),
                instant(rs.getTimestamp("last_success_at")),
                rs.getString("last_error"),
                rs.getInt("consecutive_failures"),
                notBefore.get(rs.getString("id"))));
    }

    public MailboxStatus status(String mailboxId) {
        return all().stream().filter(s -> s.id().equals(mailboxId)).findFirst().orElse(null);
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}

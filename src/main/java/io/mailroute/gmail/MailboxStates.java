package io.mailroute.gmail;

import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.retry.Backoff;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The durable side of each mailbox's intake: its history cursor, state, the time before which it must not
 * be polled again and the instance that polls it, in table {@code mailbox}.
 */
public final class MailboxStates {

    private static final String REGISTER = """
            INSERT INTO mailbox (id, address, state, consecutive_failures, updated_at)
            VALUES (:id, :address, 'STARTING', 0, :now)
            ON CONFLICT DO NOTHING""";
    private static final String UPDATE_ADDRESS = "UPDATE mailbox SET address = :address WHERE id = :id";
    private static final String CURSOR = "SELECT history_id FROM mailbox WHERE id = :id";
    private static final String ADVANCE = """
            UPDATE mailbox SET history_id = :historyId, cursor_at = :now, last_poll_at = :now, next_poll_at = NULL,
                   state = CASE WHEN state IN ('REVOKED', 'PAUSED') THEN state ELSE 'ACTIVE' END,
                   last_success_at = :now, last_error = NULL, consecutive_failures = 0, updated_at = :now
            WHERE id = :id AND (history_id = :expected OR (history_id IS NULL AND :noCursor))""";
    /** Compare-and-set on what the decision was made from: a disconnect or a pause in between is read again. */
    private static final String FAILED = """
            UPDATE mailbox SET state = :state, last_poll_at = :now, last_error = :error,
                   consecutive_failures = :failures, next_poll_at = :nextPoll, updated_at = :now
            WHERE id = :id AND state = :before AND consecutive_failures = :failuresBefore""";
    private static final String STATE_AND_FAILURES = "SELECT state, consecutive_failures FROM mailbox WHERE id = :id";
    private static final String SET_STATE = """
            UPDATE mailbox SET state = :state, last_error = :error, consecutive_failures = 0, next_poll_at = NULL,
                   updated_at = :now
            WHERE id = :id""";
    /** A transition that leaves the state as it was and says nothing new keeps the error that explains it. */
    private static final String KEEP_STATE = """
            UPDATE mailbox SET state = :state, consecutive_failures = 0, next_poll_at = NULL, updated_at = :now
            WHERE id = :id""";
    private static final String NEXT_POLL = "SELECT next_poll_at FROM mailbox WHERE id = :id";
    private static final String POLL_NOW = "UPDATE mailbox SET next_poll_at = NULL WHERE id = :id";
    /** Written only when the poller changes: one write per takeover, not per poll. */
    private static final String OWNER = """
            UPDATE mailbox SET owner_node = :node, owner_since = :now
            WHERE id = :id AND (owner_node IS NULL OR owner_node <> :node)""";
    private static final String ALL = """
            SELECT id, address, state, history_id, cursor_at, last_poll_at, last_success_at, last_error, consecutive_failures,
                   next_poll_at, owner_node, owner_since, watch_expires_at, watch_error
            FROM mailbox ORDER BY id""";

    private final Database db;
    private final Clock clock;
    private final Backoff backoff;
    /** When each mailbox last committed a message or moved its cursor: a poll that did so before failing is no failure. */
    private final Map<String, Instant> lastProgressAt = new ConcurrentHashMap<>();
    private final GmailErrorCounts errorCounts = new GmailErrorCounts();
    private final Map<String, MailboxSettings> registered = new ConcurrentHashMap<>();
    /** When each mailbox last got a new grant: a poll that started before failed with the old one. */
    private final Map<String, Instant> grantChangedAt = new ConcurrentHashMap<>();
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

    /** The mailbox's state as stored (STARTING before it is registered). */
    public MailboxState state(String mailboxId) {
        return stateOf(mailboxId);
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
        registered.put(mailbox.id(), mailbox);
    }

    /** The history id every committed message is covered by, or null before the first bootstrap. */
    public String cursor(String mailboxId) {
        List<String> rows = db.jdbc().queryForList(CURSOR, Map.of("id", mailboxId), String.class);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /**
     * Called only after every message the new cursor covers is committed. Moves the mailbox's cursor from {@code expected} (null: it has none yet) to {@code historyId}, and marks the poll
     * a success, only if the cursor is still {@code expected}: compare-and-set, so that a poll another poll overtook
     * cannot move it back or past mail that poll did not store.
     *
     * @return false when the cursor had moved (nothing was changed)
     */
    public boolean advance(String mailboxId, String expected, String historyId) {
        Boolean moved = db.transactions().execute(tx -> {
            MailboxState before = stateOf(mailboxId);
            int rows = db.jdbc().update(ADVANCE, new MapSqlParameterSource("id", mailboxId)
                    .addValue("historyId", historyId)
                    .addValue("expected", expected == null ? "" : expected, java.sql.Types.VARCHAR)
                    .addValue("noCursor", expected == null, java.sql.Types.BOOLEAN)
                    .addValue("now", now()));
            if (rows == 0) {
                return false; // another poll moved it (or the mailbox is gone): nothing changes, nothing is said
            }
            if (events != null && before == MailboxState.NOT_CONNECTED) {
                events.append("connection.restored", mailboxId, null, null,
                        connectionData(mailboxId, before, MailboxState.ACTIVE));
            } else if (events != null && !before.isHealthy()) {
                events.append("mailbox.recovered", mailboxId, null, null,
                        events.json().createObjectNode().put("was", before.name()));
            }
            return true;
        });
        if (!Boolean.TRUE.equals(moved)) {
            return false;
        }
        progressed(mailboxId);
        return true;
    }

    /** A message of the mailbox was committed (ingested, quarantined or skipped): the poll under way is making progress. */
    public void progressed(String mailboxId) {
        lastProgressAt.put(mailboxId, clock.instant());
    }

    /** The mailbox's count of rate limits, transient errors and in-place retries since the service started. */
    public GmailErrorCounts errorCounts() {
        return errorCounts;
    }

    /**
     * Records a failed poll (or send) and returns how long to wait before the next poll. A refused
     * grant makes the mailbox NOT_CONNECTED and says so once ({@code connection.broken}); while it
     * stays disconnected, further failures of any kind change nothing and say nothing.
     */
    public FailedPoll failed(String mailboxId, GmailFailure failure) {
        return failed(mailboxId, failure, null);
    }

    /**
     * As {@link #failed(String, GmailFailure)}, for a poll that started at {@code attemptStartedAt}: a refused
     * grant is ignored when a new grant arrived after the attempt started (it failed with the old one), and
     * a poll that committed something since it started is no failure ({@link FailedPoll}).
     */
    public FailedPoll failed(String mailboxId, GmailFailure failure, Instant attemptStartedAt) {
        while (true) {
            List<Map<String, Object>> rows = db.jdbc().queryForList(STATE_AND_FAILURES, Map.of("id", mailboxId));
            MailboxState before = rows.isEmpty() ? MailboxState.STARTING
                    : MailboxState.valueOf((String) rows.get(0).get("state"));
            int failuresBefore = rows.isEmpty() ? 0 : ((Number) rows.get(0).get("consecutive_failures")).intValue();
            Instant newGrant = grantChangedAt.get(mailboxId);
            if (attemptStartedAt != null && newGrant != null && attemptStartedAt.isBefore(newGrant)
                    && failure.kind() == GmailFailure.Kind.NOT_CONNECTED) {
                return new FailedPoll(before, failuresBefore, Duration.ZERO, false);
            }
            Instant progress = lastProgressAt.get(mailboxId);
            boolean progressed = attemptStartedAt != null && progress != null && !progress.isBefore(attemptStartedAt);
            FailedPoll poll = FailedPoll.decide(before, failuresBefore, failure, progressed, backoff);
            // A disconnect (which revokes the grant first, so polls in flight fail) or a pause that lands
            // between the read and the write is not overwritten: the write misses and the state is read again.
            boolean recorded = rows.isEmpty() || db.transactions().execute(tx -> record(mailboxId, failure, before,
                    failuresBefore, poll));
            if (recorded) {
                return poll;
            }
        }
    }

    /** Writes the failed poll if the mailbox is still as it was read, with the event its change of state calls for. */
    private boolean record(String mailboxId, GmailFailure failure, MailboxState before, int failuresBefore, FailedPoll poll) {
        MailboxState state = poll.state();
        int written = db.jdbc().update(FAILED, new MapSqlParameterSource("id", mailboxId)
                .addValue("state", state.name())
                .addValue("error", truncate(failure.message(), 2000))
                .addValue("failures", poll.consecutiveFailures())
                .addValue("before", before.name())
                .addValue("failuresBefore", failuresBefore)
                .addValue("nextPoll", Timestamp.from(clock.instant().plus(poll.nextPollIn())))
                .addValue("now", now()));
        if (written == 0 || events == null || before == state) {
            return written > 0;
        }
        if (state == MailboxState.NOT_CONNECTED) {
            events.append("connection.broken", mailboxId, null, null, connectionData(mailboxId, before, state)
                    .put("error", failure.message()));
        } else if (before.isHealthy() && !state.isHealthy()) {
            events.append("mailbox.failing", mailboxId, null, null, events.json().createObjectNode()
                    .put("state", state.name()).put("error", failure.message()));
        } else if (!before.isHealthy() && !before.isDisconnected() && state.isHealthy()) {
            events.append("mailbox.recovered", mailboxId, null, null,
                    events.json().createObjectNode().put("was", before.name()));
        }
        return true;
    }

    /** Gmail accepted mail sent from the mailbox: a send-only mailbox, never polled, is ACTIVE from then on. */
    public void sent(String mailboxId) {
        db.jdbc().update("UPDATE mailbox SET state = 'ACTIVE', updated_at = :now WHERE id = :id AND state = 'STARTING'",
                new MapSqlParameterSource("id", mailboxId).addValue("now", now()));
    }

    /**
     * A token refresh with the mailbox's grant worked (a send-only mailbox's check at start): STARTING or
     * NOT_CONNECTED becomes ACTIVE (the latter says {@code connection.restored}); any other state is kept.
     */
    public void grantWorks(String mailboxId) {
        transition(mailboxId, before -> before == MailboxState.STARTING || before == MailboxState.NOT_CONNECTED
                ? MailboxState.ACTIVE : before, null,
                before -> before == MailboxState.NOT_CONNECTED ? "connection.restored" : null);
    }

    /** A new grant was stored and works: ACTIVE again ({@code connection.restored}), polled at once. PAUSED stays paused. */
    public void connected(String mailboxId) {
        grantChangedAt.put(mailboxId, clock.instant());
        transition(mailboxId, before -> before == MailboxState.PAUSED ? before : MailboxState.ACTIVE, null,
                before -> before == MailboxState.NOT_CONNECTED || before == MailboxState.REVOKED ? "connection.restored" : null);
    }

    /** We disconnected it: tokens revoked and deleted; not polled, its cursor kept. */
    public void revoked(String mailboxId) {
        transition(mailboxId, before -> MailboxState.REVOKED, "disconnected: tokens revoked and deleted",
                before -> before == MailboxState.REVOKED ? null : "connection.revoked");
    }

    /** An operator paused it: not polled, its cursor kept. */
    public void paused(String mailboxId) {
        transition(mailboxId, before -> MailboxState.PAUSED, "paused by an operator",
                before -> before == MailboxState.PAUSED ? null : "mailbox.paused");
    }

    /** Resumed after a pause: polled at once, and ACTIVE again with the next good poll. */
    public void resumed(String mailboxId) {
        transition(mailboxId, before -> before == MailboxState.PAUSED ? MailboxState.STARTING : before, null,
                before -> before == MailboxState.PAUSED ? "mailbox.resumed" : null);
    }

    private void transition(String mailboxId, java.util.function.UnaryOperator<MailboxState> next, String error,
            java.util.function.Function<MailboxState, String> eventType) {
        db.transactions().executeWithoutResult(tx -> {
            MailboxState before = stateOf(mailboxId);
            MailboxState after = next.apply(before);
            String sql = after == before && error == null ? KEEP_STATE : SET_STATE;
            db.jdbc().update(sql, new MapSqlParameterSource("id", mailboxId)
                    .addValue("state", after.name())
                    .addValue("error", error)
                    .addValue("now", now()));
            String type = eventType.apply(before);
            if (events != null && type != null) {
                events.append(type, mailboxId, null, null, connectionData(mailboxId, before, after));
            }
        });
    }

    /** What a person told about the mailbox's connection needs: which mailbox, whose it is, and the command that fixes it. */
    private com.fasterxml.jackson.databind.node.ObjectNode connectionData(String mailboxId, MailboxState before,
            MailboxState after) {
        com.fasterxml.jackson.databind.node.ObjectNode data = events.json().createObjectNode()
                .put("state", after.name())
                .put("was", before.name());
        MailboxSettings mailbox = registered.get(mailboxId);
        if (mailbox != null) {
            data.put("address", mailbox.address());
            mailbox.owners().forEach(data.putArray("owners")::add);
        }
        if (after == MailboxState.NOT_CONNECTED || after == MailboxState.REVOKED) {
            data.put("reconnect", "java -jar target/mailroute.jar connect " + mailboxId);
        }
        return data;
    }

    /** A new grant arrived (stored by another process): forget the backoff, the next poll goes ahead. */
    public void pollNow(String mailboxId) {
        grantChangedAt.put(mailboxId, clock.instant());
        db.jdbc().update(POLL_NOW, Map.of("id", mailboxId));
    }

    /**
     * False while the mailbox is backing off. The backoff is stored ({@code mailbox.next_poll_at}), so whichever
     * instance polls the mailbox next waits too.
     */
    public boolean mayPoll(String mailboxId) {
        List<Timestamp> rows = db.jdbc().queryForList(NEXT_POLL, Map.of("id", mailboxId), Timestamp.class);
        Instant until = rows.isEmpty() ? null : instant(rows.get(0));
        return until == null || !clock.instant().isBefore(until);
    }

    /**
     * This instance ({@code node}) is polling the mailbox: recorded when the poller changes (a takeover, or the
     * first poll), for health, {@code status} and the API.
     */
    public void polledBy(String mailboxId, String node) {
        db.jdbc().update(OWNER, new MapSqlParameterSource("id", mailboxId).addValue("node", node).addValue("now", now()));
    }

    public List<MailboxStatus> all() {
        return db.jdbc().query(ALL, Map.of(), (rs, n) -> new MailboxStatus(
                rs.getString("id"),
                rs.getString("address"),
                MailboxState.valueOf(rs.getString("state")),
                rs.getString("history_id"),
                instant(rs.getTimestamp("cursor_at")),
                instant(rs.getTimestamp("last_poll_at")),
                instant(rs.getTimestamp("last_success_at")),
                rs.getString("last_error"),
                rs.getInt("consecutive_failures"),
                instant(rs.getTimestamp("next_poll_at")),
                errorCounts.of(rs.getString("id")),
                rs.getString("owner_node"),
                instant(rs.getTimestamp("owner_since")),
                instant(rs.getTimestamp("watch_expires_at")),
                rs.getString("watch_error")));
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

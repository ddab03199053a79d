package io.mailroute.delivery;

import io.mailroute.db.AfterCommit;
import io.mailroute.db.Database;
import io.mailroute.events.Wakeup;
import io.mailroute.secrets.Secrets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * SQL of {@code delivery} and {@code push_target}, named parameters only. Push target keys are sealed at rest
 * ({@link PushTargetKeys}); the key is loaded only for targets that have keys.
 */
public final class DeliveryStore {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryStore.class);

    private static final String COLUMNS = """
            id, event_id, event_type, mailbox_id, item_id, channel, channel_type, recipient, address, status, attempts,
            next_attempt_at, last_error, provider_id, message_id, fallback_of, created_at, sent_via, claim_token""";
    private static final String INSERT = """
            INSERT INTO delivery (event_id, event_type, mailbox_id, item_id, channel, channel_type, recipient, address,
                status, attempts, next_attempt_at, fallback_of, created_at, updated_at)
            VALUES (:eventId, :eventType, :mailbox, :itemId, :channel, :channelType, :recipient, :address,
                'PENDING', 0, :now, :fallbackOf, :now, :now)
            ON CONFLICT DO NOTHING""";
    private static final String DUE = "SELECT id FROM delivery WHERE ((status = 'PENDING' AND next_attempt_at <= :now)"
            + " OR (status = 'SENDING' AND claimed_until < :now)) ORDER BY next_attempt_at LIMIT :limit";
    private static final String CLAIM = """
            UPDATE delivery SET status = 'SENDING', claimed_until = :until, claim_token = :token, claimed_by = :node,
                   updated_at = :now
            WHERE id = :id AND ((status = 'PENDING' AND next_attempt_at <= :now) OR (status = 'SENDING' AND claimed_until < :now))""";
    private static final String ONE = "SELECT " + COLUMNS + " FROM delivery WHERE id = :id";
    // Every write after a claim is fenced by its token (HELD): a worker whose lease ran out and whose delivery another
    // worker claimed since changes nothing.
    private static final String HELD = " AND claim_token = :token AND status = 'SENDING'";
    private static final String RENEW = "UPDATE delivery SET claimed_until = :until WHERE id = :id" + HELD;
    private static final String HOLDS = "SELECT COUNT(*) FROM delivery WHERE id = :id" + HELD;
    private static final String SET_SENT_VIA = "UPDATE delivery SET sent_via = :sentVia WHERE id = :id AND sent_via IS NULL" + HELD;
    private static final String SET_MESSAGE_ID = "UPDATE delivery SET message_id = :messageId WHERE id = :id AND message_id IS NULL"
            + HELD;
    private static final String MARK_ACCEPTED = "UPDATE delivery SET provider_id = :providerId WHERE id = :id AND provider_id IS NULL"
            + HELD;
    private static final String FINISH = """
            UPDATE delivery SET status = :status, attempts = attempts + 1, next_attempt_at = :next, claimed_until = NULL,
                   last_error = :error, provider_id = COALESCE(:providerId, provider_id), updated_at = :now
            WHERE id = :id""" + HELD;
    private static final String LIST = "SELECT " + COLUMNS + """
             FROM delivery
            WHERE id > :after AND (:eventId IS NULL OR event_id = :eventId) AND (:status IS NULL OR status = :status)
              AND (:channel IS NULL OR channel = :channel)
              AND (:engagement IS NULL OR (:engagement = 'ACTED' AND acted_at IS NOT NULL)
                   OR (:engagement = 'OPENED' AND opened_at IS NOT NULL AND acted_at IS NULL)
                   OR (:engagement = 'IGNORED' AND ignored_at IS NOT NULL AND opened_at IS NULL))
            ORDER BY id LIMIT :limit""";
    private static final String RETRY = """
            UPDATE delivery SET status = 'PENDING', next_attempt_at = :now, claimed_until = NULL, updated_at = :now
            WHERE id = :id AND status = 'FAILED' AND provider_id IS NULL""";
    private static final String TARGET_ADDRESSES = """
            SELECT address FROM push_target WHERE recipient = :recipient AND channel = :channel AND active ORDER BY id""";
    private static final String ADD_TARGET = """
            INSERT INTO push_target (recipient, channel, address, keys_json, keys_key_id, active, created_at)
            VALUES (:recipient, :channel, :address, :keys, :keyId, TRUE, :now) ON CONFLICT DO NOTHING""";
    private static final String DISABLE_TARGET = """
            UPDATE push_target SET active = FALSE, disabled_reason = :reason WHERE channel = :channel AND address = :address""";
    private static final String SENT_SINCE = "SELECT COUNT(*) FROM delivery WHERE channel IN (:channels)"
            + " AND status = 'SENT' AND updated_at > :since";
    private static final String TARGET_KEYS = """
            SELECT keys_json, keys_key_id FROM push_target WHERE channel = :channel AND address = :address""";
    private static final String PLAINTEXT_KEYS = """
            SELECT id, channel, address, keys_json FROM push_target WHERE keys_json IS NOT NULL AND keys_key_id IS NULL""";
    private static final String SEAL_KEYS = """
            UPDATE push_target SET keys_json = :keys, keys_key_id = :keyId WHERE id = :id AND keys_key_id IS NULL""";
    private static final String SEALING_KEY_IDS = "SELECT DISTINCT keys_key_id FROM push_target WHERE keys_key_id IS NOT NULL";
    private static final String TARGET_ACTIVE = "SELECT active FROM push_target WHERE channel = :channel AND address = :address";

    private final Database db;
    private final PushTargetKeys keys;
    private final Wakeup due = new Wakeup();

    /** @param secrets seals push subscription keys, with the same key as refresh tokens */
    public DeliveryStore(Database db, Secrets secrets) {
        this.db = db;
        this.keys = new PushTargetKeys(secrets);
    }

    /** @return true when the row is new (the same event, channel and address is planned once) */
    public boolean plan(String eventId, String eventType, String mailbox, Long itemId, String channel, String channelType,
            String recipient, String address, Long fallbackOf, Instant now) {
        return dueOnCommit(db.jdbc().update(INSERT, new MapSqlParameterSource("eventId", eventId)
                .addValue("eventType", eventType).addValue("mailbox", mailbox, Types.VARCHAR)
                .addValue("itemId", itemId, Types.BIGINT).addValue("channel", channel)
                .addValue("channelType", channelType).addValue("recipient", recipient).addValue("address", address)
                .addValue("fallbackOf", fallbackOf, Types.BIGINT).addValue("now", Timestamp.from(now))) == 1);
    }

    /**
     * Woken when a delivery becomes due in this process, once its transaction commits (planned, or retried through
     * the API): the delivery worker's scheduler waits on it between its polls ({@code routes/deliver.camel.yaml}).
     */
    public Wakeup due() {
        return due;
    }

    private boolean dueOnCommit(boolean changed) {
        if (changed) {
            AfterCommit.run(due::wake);
        }
        return changed;
    }

    /**
     * Claims due deliveries for one worker, until {@code leaseUntil}; a SENDING row whose lease ran out (its worker
     * died, or is still sending) is due again. Safe with several workers or instances: each claim is a compare-and-set
     * on the row, and gets a new token that every later write of this attempt carries.
     *
     * @param node the claiming instance's node id, recorded as {@code claimed_by} (null when unknown)
     */
    public List<Delivery> claimDue(Instant now, Instant leaseUntil, int limit, String node) {
        List<Delivery> claimed = new ArrayList<>();
        for (Long id : db.jdbc().queryForList(DUE, new MapSqlParameterSource("now", Timestamp.from(now)).addValue("limit", limit),
                Long.class)) {
            String token = UUID.randomUUID().toString();
            int rows = db.jdbc().update(CLAIM, new MapSqlParameterSource("id", id).addValue("now", Timestamp.from(now))
                    .addValue("until", Timestamp.from(leaseUntil)).addValue("token", token)
                    .addValue("node", node, Types.VARCHAR));
            if (rows == 1) {
                get(id).filter(d -> token.equals(d.claimToken())).ifPresent(claimed::add);
            }
        }
        return claimed;
    }

    /**
     * Before a send: extends the claim to {@code until} if it is still this claim's. False when the lease ran out and
     * another worker claimed the delivery since (or it is no longer being sent): then it must not be sent from here.
     */
    public boolean renew(Delivery claimed, Instant until) {
        return db.jdbc().update(RENEW, fence(claimed).addValue("until", Timestamp.from(until))) == 1;
    }

    public Optional<Delivery> get(long id) {
        return db.jdbc().query(ONE, Map.of("id", id), (rs, n) -> row(rs)).stream().findFirst();
    }

    /**
     * Recorded before the first attempt through a fallback sender: its retries go the same way.
     *
     * @return false when it was recorded before, or the claim is lost (then the delivery must not be sent from here)
     */
    public boolean setSentVia(Delivery claimed, String sentVia) {
        return fenced(claimed, db.jdbc().update(SET_SENT_VIA, fence(claimed).addValue("sentVia", sentVia)),
                "the sender it goes by, and it is not sent");
    }

    /**
     * Records the Message-ID before the first send, so a retry can ask Gmail whether it went.
     *
     * @return false when it was recorded before, or the claim is lost (then the delivery must not be sent from here)
     */
    public boolean setMessageId(Delivery claimed, String messageId) {
        return fenced(claimed, db.jdbc().update(SET_MESSAGE_ID, fence(claimed).addValue("messageId", messageId)),
                "its Message-ID, and it is not sent");
    }

    /**
     * Records that the provider accepted an email (its id, or our Message-ID where the provider gives none), once:
     * a delivery with a provider id is never sent again, whatever its status. Joins the caller's transaction.
     *
     * @return true when this call recorded it, false when it was recorded before or the claim is lost (the worker
     *     that holds it now finds a Gmail message in the SENT folder by its Message-ID and records it)
     */
    public boolean markAccepted(Delivery claimed, String providerId) {
        return fenced(claimed, db.jdbc().update(MARK_ACCEPTED, fence(claimed).addValue("providerId", providerId)),
                "that the provider accepted it (" + providerId + ")");
    }

    /** @return false when the claim is lost: the worker that holds it now records the outcome */
    public boolean finish(Delivery claimed, String status, Instant next, String error, String providerId, Instant now) {
        return fenced(claimed, db.jdbc().update(FINISH, fence(claimed).addValue("status", status)
                .addValue("next", Timestamp.from(next)).addValue("error", truncate(error), Types.VARCHAR)
                .addValue("providerId", providerId, Types.VARCHAR).addValue("now", Timestamp.from(now))), status);
    }

    private static MapSqlParameterSource fence(Delivery claimed) {
        return new MapSqlParameterSource("id", claimed.id()).addValue("token", claimed.claimToken(), Types.VARCHAR);
    }

    /** A fenced write that changed nothing: quiet while the claim holds (the value was there already), said when lost. */
    private boolean fenced(Delivery claimed, int rows, String what) {
        if (rows == 1) {
            return true;
        }
        Integer held = db.jdbc().queryForObject(HOLDS, fence(claimed), Integer.class);
        if (held == null || held == 0) {
            LOG.warn("Delivery {}: lost its claim (lease expired, another worker has it); outcome dropped: {}", claimed.id(), what);
        }
        return false;
    }

    public List<Delivery> list(String eventId, String status, long after, int limit) {
        return list(eventId, status, null, after, limit);
    }

    /** @param channel a channel of channels.yaml, or null for any */
    public List<Delivery> list(String eventId, String status, String channel, long after, int limit) {
        return list(eventId, status, channel, null, after, limit);
    }

    /**
     * @param engagement the engagement state the deliveries are in (as {@code DeliveryEngagement.Engagement.state()}
     *                   names it: ACTED, OPENED = opened and not acted, IGNORED = ignored and never opened), or null for any
     */
    public List<Delivery> list(String eventId, String status, String channel, String engagement, long after, int limit) {
        return db.jdbc().query(LIST, new MapSqlParameterSource("after", after).addValue("limit", limit)
                .addValue("eventId", eventId, Types.VARCHAR).addValue("status", status, Types.VARCHAR)
                .addValue("channel", channel, Types.VARCHAR).addValue("engagement", engagement, Types.VARCHAR),
                (rs, n) -> row(rs));
    }

    /**
     * A FAILED delivery due again now, its attempts kept (the worker sends it by its channel as before). Never one a
     * provider accepted. Joins the caller's transaction.
     *
     * @return false when it is not FAILED (any more)
     */
    public boolean retry(long id, Instant now) {
        return dueOnCommit(db.jdbc().update(RETRY, new MapSqlParameterSource("id", id)
                .addValue("now", Timestamp.from(now))) == 1);
    }

    /** Where a person's active targets on a push channel are: what planning needs, without their keys. */
    public List<String> targetAddresses(String recipient, String channel) {
        return db.jdbc().queryForList(TARGET_ADDRESSES, new MapSqlParameterSource("recipient", recipient)
                .addValue("channel", channel), String.class);
    }

    public Database database() {
        return db;
    }

    /** Emails sent by these channels since {@code since}: what counts against a sender's daily limit. */
    public long sentSince(java.util.Collection<String> channels, Instant since) {
        Long count = db.jdbc().queryForObject(SENT_SINCE, new MapSqlParameterSource("channels", channels)
                .addValue("since", Timestamp.from(since)), Long.class);
        return count == null ? 0 : count;
    }

    /**
     * The push target a delivery goes to, with its keys (Web Push) opened; an unknown one has none.
     *
     * @throws io.mailroute.config.ConfigException when its keys cannot be opened with the configured key
     */
    public PushTarget targetFor(String recipient, String channel, String address) {
        return db.jdbc().query(TARGET_KEYS, new MapSqlParameterSource("channel", channel).addValue("address", address),
                (rs, n) -> new PushTarget(channel, recipient, address,
                        keys.open(channel, address, rs.getString("keys_json"), rs.getString("keys_key_id"))))
                .stream().findFirst().orElse(new PushTarget(channel, recipient, address, Map.of()));
    }

    /** Registers a target; its keys, if any, are sealed (which loads the key, or creates it while nothing is sealed). */
    public boolean addTarget(String recipient, String channel, String address, Map<String, String> targetKeys, Instant now) {
        PushTargetKeys.Stored stored = keys.seal(channel, address, targetKeys);
        return db.jdbc().update(ADD_TARGET, new MapSqlParameterSource("recipient", recipient).addValue("channel", channel)
                .addValue("address", address).addValue("keys", stored.text(), Types.VARCHAR)
                .addValue("keyId", stored.keyId(), Types.VARCHAR).addValue("now", Timestamp.from(now))) == 1;
    }

    /**
     * At start: checks that the configured key is the one target keys were sealed with, and seals the keys stored
     * in plaintext before they were sealed (a SQL migration cannot encrypt). Needs the key only when some target has
     * keys.
     *
     * @return how many targets' keys were sealed now
     * @throws io.mailroute.config.ConfigException naming the key when it is missing or not the one they were sealed with
     */
    public int sealStoredKeys() {
        List<String> keyIds = db.jdbc().queryForList(SEALING_KEY_IDS, Map.of(), String.class);
        if (!keyIds.isEmpty()) {
            keys.requireKeyOf(keyIds);
        }
        List<Map<String, Object>> plaintext = db.jdbc().queryForList(PLAINTEXT_KEYS, Map.of());
        int sealed = 0;
        for (Map<String, Object> row : plaintext) {
            PushTargetKeys.Stored stored = keys.sealJson((String) row.get("channel"), (String) row.get("address"),
                    (String) row.get("keys_json"));
            sealed += db.jdbc().update(SEAL_KEYS, new MapSqlParameterSource("id", row.get("id"))
                    .addValue("keys", stored.text()).addValue("keyId", stored.keyId()));
        }
        return sealed;
    }

    /** Whether any target's keys are sealed: then the key that sealed them must not be replaced by a new one. */
    public static boolean holdsSealedKeys(Database db) {
        return db.jdbc().queryForObject("SELECT COUNT(*) FROM push_target WHERE keys_key_id IS NOT NULL", Map.of(),
                Integer.class) > 0;
    }

    public void disableTarget(String channel, String address, String reason) {
        db.jdbc().update(DISABLE_TARGET, new MapSqlParameterSource("channel", channel).addValue("address", address)
                .addValue("reason", truncate(reason)));
    }

    public Optional<Boolean> targetActive(String channel, String address) {
        return db.jdbc().queryForList(TARGET_ACTIVE, new MapSqlParameterSource("channel", channel).addValue("address", address),
                Boolean.class).stream().findFirst();
    }

    private static Delivery row(ResultSet rs) throws SQLException {
        return new Delivery(rs.getLong("id"), rs.getString("event_id"), rs.getString("event_type"), rs.getString("mailbox_id"),
                (Long) rs.getObject("item_id", Long.class), rs.getString("channel"), rs.getString("channel_type"),
                rs.getString("recipient"), rs.getString("address"), rs.getString("status"), rs.getInt("attempts"),
                rs.getTimestamp("next_attempt_at").toInstant(), rs.getString("last_error"), rs.getString("provider_id"),
                rs.getString("message_id"), (Long) rs.getObject("fallback_of", Long.class),
                rs.getTimestamp("created_at").toInstant(), rs.getString("sent_via"), rs.getString("claim_token"));
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 2000 ? text : text.substring(0, 2000);
    }
}

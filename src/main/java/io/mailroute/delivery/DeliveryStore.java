package io.mailroute.delivery;

import io.mailroute.db.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/** SQL of {@code delivery} and {@code push_target}, named parameters only. */
public final class DeliveryStore {

    private static final String COLUMNS = """
            id, event_id, event_type, mailbox_id, item_id, channel, channel_type, recipient, address, status, attempts,
            next_attempt_at, last_error, provider_id, message_id, fallback_of, created_at, sent_via""";
    private static final String INSERT = """
            INSERT INTO delivery (event_id, event_type, mailbox_id, item_id, channel, channel_type, recipient, address,
                status, attempts, next_attempt_at, fallback_of, created_at, updated_at)
            VALUES (:eventId, :eventType, :mailbox, :itemId, :channel, :channelType, :recipient, :address,
                'PENDING', 0, :now, :fallbackOf, :now, :now)
            ON CONFLICT DO NOTHING""";
    private static final String DUE = "SELECT id FROM delivery WHERE ((status = 'PENDING' AND next_attempt_at <= :now)"
            + " OR (status = 'SENDING' AND claimed_until < :now)) ORDER BY next_attempt_at LIMIT :limit";
    private static final String CLAIM = """
            UPDATE delivery SET status = 'SENDING', claimed_until = :until, updated_at = :now
            WHERE id = :id AND ((status = 'PENDING' AND next_attempt_at <= :now) OR (status = 'SENDING' AND claimed_until < :now))""";
    private static final String ONE = "SELECT " + COLUMNS + " FROM delivery WHERE id = :id";
    private static final String SET_MESSAGE_ID = "UPDATE delivery SET message_id = :messageId WHERE id = :id AND message_id IS NULL";
    private static final String FINISH = """
            UPDATE delivery SET status = :status, attempts = attempts + 1, next_attempt_at = :next, claimed_until = NULL,
                   last_error = :error, provider_id = COALESCE(:providerId, provider_id), updated_at = :now
            WHERE id = :id AND status = 'SENDING'""";
    private static final String LIST = "SELECT " + COLUMNS + """
             FROM delivery
            WHERE id > :after AND (:eventId IS NULL OR event_id = :eventId) AND (:status IS NULL OR status = :status)
            ORDER BY id LIMIT :limit""";
    private static final String TARGETS = """
            SELECT channel, address, keys_json FROM push_target WHERE recipient = :recipient AND channel = :channel AND active""";
    private static final String ADD_TARGET = """
            INSERT INTO push_target (recipient, channel, address, keys_json, active, created_at)
            VALUES (:recipient, :channel, :address, :keys, TRUE, :now) ON CONFLICT DO NOTHING""";
    private static final String DISABLE_TARGET = """
            UPDATE push_target SET active = FALSE, disabled_reason = :reason WHERE channel = :channel AND address = :address""";
    private static final String SENT_SINCE = "SELECT COUNT(*) FROM delivery WHERE channel IN (:channels)"
            + " AND status = 'SENT' AND updated_at > :since";
    private static final String TARGET_KEYS = "SELECT keys_json FROM push_target WHERE channel = :channel AND address = :address";
    private static final String TARGET_ACTIVE = "SELECT active FROM push_target WHERE channel = :channel AND address = :address";

    private final Database db;

    public DeliveryStore(Database db) {
        this.db = db;
    }

    /** @return true when the row is new (the same event, channel and address is planned once) */
    public boolean plan(String eventId, String eventType, String mailbox, Long itemId, String channel, String channelType,
            String recipient, String address, Long fallbackOf, Instant now) {
        return db.jdbc().update(INSERT, new MapSqlParameterSource("eventId", eventId)
                .addValue("eventType", eventType).addValue("mailbox", mailbox, Types.VARCHAR)
                .addValue("itemId", itemId, Types.BIGINT).addValue("channel", channel)
                .addValue("channelType", channelType).addValue("recipient", recipient).addValue("address", address)
                .addValue("fallbackOf", fallbackOf, Types.BIGINT).addValue("now", Timestamp.from(now))) == 1;
    }

    /**
     * Claims due deliveries for one worker, {@code lease} long; a SENDING row whose lease ran out
     * (its worker died) is due again. Safe with several workers or instances.
     */
    public List<Delivery> claimDue(Instant now, Instant leaseUntil, int limit) {
        List<Delivery> claimed = new ArrayList<>();
        for (Long id : db.jdbc().queryForList(DUE, new MapSqlParameterSource("now", Timestamp.from(now)).addValue("limit", limit),
                Long.class)) {
            int rows = db.jdbc().update(CLAIM, new MapSqlParameterSource("id", id).addValue("now", Timestamp.from(now))
                    .addValue("until", Timestamp.from(leaseUntil)));
            if (rows == 1) {
                get(id).ifPresent(claimed::add);
            }
        }
        return claimed;
    }

    public Optional<Delivery> get(long id) {
        return db.jdbc().query(ONE, Map.of("id", id), (rs, n) -> row(rs)).stream().findFirst();
    }

    /** Records the Message-ID before the first send, so a retry can ask Gmail whether it went. */
    /** Recorded before the first attempt through a fallback sender: its retries go the same way. */
    public void setSentVia(long id, String sentVia) {
        db.jdbc().update("UPDATE delivery SET sent_via = :sentVia WHERE id = :id AND sent_via IS NULL",
                new MapSqlParameterSource("id", id).addValue("sentVia", sentVia));
    }

    public void setMessageId(long id, String messageId) {
        db.jdbc().update(SET_MESSAGE_ID, new MapSqlParameterSource("id", id).addValue("messageId", messageId));
    }

    public void finish(long id, String status, Instant next, String error, String providerId, Instant now) {
        db.jdbc().update(FINISH, new MapSqlParameterSource("id", id).addValue("status", status)
                .addValue("next", Timestamp.from(next)).addValue("error", truncate(error), Types.VARCHAR)
                .addValue("providerId", providerId, Types.VARCHAR).addValue("now", Timestamp.from(now)));
    }

    public List<Delivery> list(String eventId, String status, long after, int limit) {
        return db.jdbc().query(LIST, new MapSqlParameterSource("after", after).addValue("limit", limit)
                .addValue("eventId", eventId, Types.VARCHAR).addValue("status", status, Types.VARCHAR), (rs, n) -> row(rs));
    }

    public List<PushTarget> targets(String recipient, String channel) {
        return db.jdbc().query(TARGETS, new MapSqlParameterSource("recipient", recipient).addValue("channel", channel),
                (rs, n) -> new PushTarget(rs.getString("channel"), recipient, rs.getString("address"),
                        Keys.parse(rs.getString("keys_json"))));
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

    /** The push target a delivery goes to, with its keys (Web Push); an unknown one has none. */
    public PushTarget targetFor(String recipient, String channel, String address) {
        return db.jdbc().query(TARGET_KEYS, new MapSqlParameterSource("channel", channel).addValue("address", address),
                (rs, n) -> new PushTarget(channel, recipient, address, Keys.parse(rs.getString("keys_json"))))
                .stream().findFirst().orElse(new PushTarget(channel, recipient, address, Map.of()));
    }

    public boolean addTarget(String recipient, String channel, String address, Map<String, String> keys, Instant now) {
        return db.jdbc().update(ADD_TARGET, new MapSqlParameterSource("recipient", recipient).addValue("channel", channel)
                .addValue("address", address).addValue("keys", Keys.format(keys)).addValue("now", Timestamp.from(now))) == 1;
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
                rs.getTimestamp("created_at").toInstant(), rs.getString("sent_via"));
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 2000 ? text : text.substring(0, 2000);
    }

    /** Push target keys (Web Push p256dh/auth) as a small JSON object. */
    static final class Keys {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

        static Map<String, String> parse(String json) {
            if (json == null || json.isBlank()) {
                return Map.of();
            }
            try {
                return JSON.readValue(json, new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("stored push target keys are not JSON", e);
            }
        }

        static String format(Map<String, String> keys) {
            try {
                return keys == null || keys.isEmpty() ? null : JSON.writeValueAsString(keys);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

package io.mailroute.connection;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.db.Database;
import io.mailroute.secrets.SecretCipher;
import io.mailroute.secrets.Secrets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Refresh tokens at rest (table {@code mailbox_token}), sealed by {@link Secrets} (AES-256-GCM,
 * bound to the mailbox). The key is loaded only when a token is read or written, so a service with
 * nothing stored needs none; and a new key is made only while nothing sealed is stored anywhere.
 */
public final class TokenStore {

    /** A mailbox's stored grant, decrypted. {@link #toString()} never shows the token. */
    public record Grant(String mailboxId, String clientId, String refreshToken, String scopes, long version,
            Instant connectedAt, Instant refreshedAt) {

        @Override
        public String toString() {
            return "Grant[" + mailboxId + ", client " + clientId + ", scopes " + scopes + ", version " + version + "]";
        }
    }

    /** What can be said of a stored grant without the key. */
    public record Summary(String mailboxId, String scopes, long version, Instant connectedAt, Instant refreshedAt) {
    }

    private static final String UPSERT_UPDATE = """
            UPDATE mailbox_token SET client_id = :clientId, scopes = :scopes, key_id = :keyId, ciphertext = :ciphertext,
                   version = version + 1, connected_at = :now, refreshed_at = :now
            WHERE mailbox_id = :mailbox""";
    private static final String UPSERT_INSERT = """
            INSERT INTO mailbox_token (mailbox_id, client_id, scopes, key_id, ciphertext, version, connected_at, refreshed_at)
            VALUES (:mailbox, :clientId, :scopes, :keyId, :ciphertext, 1, :now, :now)""";
    private static final String REFRESHED = """
            UPDATE mailbox_token SET refreshed_at = :now WHERE mailbox_id = :mailbox AND version = :version""";
    private static final String SUMMARIES = """
            SELECT mailbox_id, scopes, version, connected_at, refreshed_at FROM mailbox_token ORDER BY mailbox_id""";

    private final Database db;
    private final Secrets secrets;

    public TokenStore(Database db, Secrets secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    /** Stores (or replaces) a mailbox's grant; returns its new version. */
    public long save(String mailboxId, String clientId, String refreshToken, String scopes, Instant now) {
        Secrets.Sealed sealed = secrets.seal(associatedData(mailboxId), refreshToken);
        MapSqlParameterSource params = new MapSqlParameterSource("mailbox", mailboxId)
                .addValue("clientId", clientId)
                .addValue("scopes", scopes == null ? "" : scopes)
                .addValue("keyId", sealed.keyId())
                .addValue("ciphertext", sealed.text())
                .addValue("now", Timestamp.from(now));
        Long version = db.transactions().execute(tx -> {
            if (db.jdbc().update(UPSERT_UPDATE, params) == 0) {
                db.jdbc().update(UPSERT_INSERT, params);
            }
            return version(mailboxId);
        });
        return version == null ? 0 : version;
    }

    public Optional<Grant> find(String mailboxId) {
        List<Grant> rows = db.jdbc().query("""
                SELECT client_id, scopes, key_id, ciphertext, version, connected_at, refreshed_at
                FROM mailbox_token WHERE mailbox_id = :mailbox""", Map.of("mailbox", mailboxId), (rs, n) ->
                new Grant(mailboxId, rs.getString("client_id"), open(mailboxId, rs.getString("key_id"), rs.getString("ciphertext")),
                        rs.getString("scopes"), rs.getLong("version"), instant(rs.getTimestamp("connected_at")),
                        instant(rs.getTimestamp("refreshed_at"))));
        return rows.stream().findFirst();
    }

    /** The version of the stored grant, 0 when there is none: cheap enough to ask on every poll. */
    public long version(String mailboxId) {
        List<Long> rows = db.jdbc().queryForList("SELECT version FROM mailbox_token WHERE mailbox_id = :mailbox",
                Map.of("mailbox", mailboxId), Long.class);
        return rows.isEmpty() ? 0 : rows.get(0);
    }

    public List<Summary> summaries() {
        return db.jdbc().query(SUMMARIES, Map.of(), (rs, n) -> new Summary(rs.getString("mailbox_id"), rs.getString("scopes"),
                rs.getLong("version"), instant(rs.getTimestamp("connected_at")), instant(rs.getTimestamp("refreshed_at"))));
    }

    /** Whether any grant is stored: then the key that sealed it must not be replaced by a new one. */
    public static boolean holdsAny(Database db) {
        return db.jdbc().queryForObject("SELECT COUNT(*) FROM mailbox_token", Map.of(), Integer.class) > 0;
    }

    /**
     * An access token was obtained with this grant; a refresh reported for an older version (the mailbox was
     * connected again meanwhile) changes nothing. The stored refresh token stays: the token endpoint's answer to a
     * refresh carries no new one that Mailroute reads (see {@link MailboxConnection.RefreshObserver}).
     */
    public void refreshed(String mailboxId, long version, Instant now) {
        db.jdbc().update(REFRESHED, new MapSqlParameterSource("mailbox", mailboxId).addValue("version", version)
                .addValue("now", Timestamp.from(now)));
    }

    public boolean delete(String mailboxId) {
        return db.jdbc().update("DELETE FROM mailbox_token WHERE mailbox_id = :mailbox", Map.of("mailbox", mailboxId)) > 0;
    }

    /** The associated data that binds a sealed token to its mailbox (as stored since the first encrypted grant). */
    private static String associatedData(String mailboxId) {
        return "mailroute mailbox_token " + mailboxId;
    }

    /** @throws ConfigException naming the mailbox, the key and what to do when the token cannot be read */
    private String open(String mailboxId, String keyId, String ciphertext) {
        try {
            return secrets.open(associatedData(mailboxId), keyId, ciphertext);
        } catch (SecretCipher.Unreadable e) {
            String reconnect = "run 'java -jar target/mailroute.jar connect " + mailboxId + "' to store a new grant";
            throw new ConfigException(e.wrongKey()
                    ? new ConfigProblem(secrets.keySource(), null, "is not the key mailbox '" + mailboxId
                            + "''s OAuth token was stored with (key " + keyId + ", this one is " + secrets.keyId() + ")",
                            "start with the key it was stored with, or " + reconnect)
                    : new ConfigProblem("table mailbox_token", mailboxId, "the stored OAuth token is damaged "
                            + "or belongs to another mailbox (it does not authenticate)", reconnect));
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}

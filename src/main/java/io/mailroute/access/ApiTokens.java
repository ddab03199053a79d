package io.mailroute.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.audit.AuditTrail;
import io.mailroute.db.Database;
import io.mailroute.db.Outage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * API tokens (table {@code api_token}): created with a role and a name, shown once, kept only as a
 * SHA-256 hash, revoked by name. A token is {@code mrt_} and 256 random bits in base64url, so a
 * fast hash is enough to keep it from being read back and the hash is what is looked up.
 */
public final class ApiTokens {

    /** Who a request authenticated as. */
    public record Principal(String name, Role role) {
    }

    /** A token as listed: never the token itself. */
    public record Info(String name, Role role, String hint, Instant createdAt, String createdBy, Instant lastUsedAt) {
    }

    /** A new token: {@link #token()} is shown once and never stored. */
    public record Created(String name, Role role, String token) {
        @Override
        public String toString() {
            return "Created[" + name + ", " + role.configName() + "]";
        }
    }

    private record Row(long id, Principal principal) {
    }

    /** A name nobody can use twice at once, or one that is not there: the caller's mistake, said plainly. */
    public static final class TokenException extends RuntimeException {
        public TokenException(String message) {
            super(message);
        }
    }

    public static final String PREFIX = "mrt_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");
    private static final Pattern TOKEN = Pattern.compile(Pattern.quote(PREFIX) + "[A-Za-z0-9_-]{43}");
    /** last_used_at is written at most this often per token: a busy client must not turn reads into writes. */
    private static final Duration USE_RECORDING = Duration.ofMinutes(1);

    private static final String INSERT = """
            INSERT INTO api_token (name, role, token_hash, hint, created_at, created_by)
            VALUES (:name, :role, :hash, :hint, :now, :createdBy)""";
    private static final String ACTIVE_NAMED = "SELECT COUNT(*) FROM api_token WHERE name = :name AND revoked_at IS NULL";
    private static final String REVOKE = "UPDATE api_token SET revoked_at = :now WHERE name = :name AND revoked_at IS NULL";
    private static final String FIND = "SELECT id, name, role FROM api_token WHERE token_hash = :hash AND revoked_at IS NULL";
    private static final String USED = "UPDATE api_token SET last_used_at = :now WHERE id = :id";
    private static final String LIST = """
            SELECT name, role, hint, created_at, created_by, last_used_at FROM api_token
            WHERE revoked_at IS NULL ORDER BY name""";
    private static final String OTHERS_ACTIVE = """
            SELECT COUNT(*) FROM api_token WHERE revoked_at IS NULL AND name NOT LIKE :localPrefix""";

    private final Database db;
    private final AuditTrail audit;
    private final ObjectMapper json;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Instant> lastRecordedUse = new ConcurrentHashMap<>();

    public ApiTokens(Database db, AuditTrail audit, ObjectMapper json, Clock clock) {
        this.db = db;
        this.audit = audit;
        this.json = json;
        this.clock = clock;
    }

    /** The database's outage while it is closed and being reopened (a full disk): no token can be checked then. */
    public Optional<Outage> outage() {
        return db.outage();
    }

    /**
     * A new token for {@code name}; the name must not belong to another token in use.
     *
     * @param createdBy who asked for it (a token's name, or "command line")
     */
    public Created create(String name, Role role, String createdBy) {
        checkName(name);
        String token = newToken();
        return db.transactions().execute(tx -> {
            if (db.jdbc().queryForObject(ACTIVE_NAMED, Map.of("name", name), Integer.class) > 0) {
                throw new TokenException("a token named '" + name + "' is in use; revoke it first or choose another name");
            }
            insert(name, role, token, createdBy);
            return new Created(name, role, token);
        });
    }

    /** Revokes every token in use named {@code name}; false when there was none. */
    public boolean revoke(String name, String revokedBy) {
        return Boolean.TRUE.equals(db.transactions().execute(tx -> {
            int revoked = db.jdbc().update(REVOKE, params(name));
            if (revoked > 0) {
                audit.record("api-token.revoked", null, "token:" + name, json.createObjectNode().put("by", revokedBy));
            }
            return revoked > 0;
        }));
    }

    /**
     * Replaces the token named {@code name} (if any) with a new one in one transaction: what the
     * service does at each start for the local commands' token.
     */
    public Created replace(String name, Role role, String createdBy) {
        checkName(name);
        String token = newToken();
        return db.transactions().execute(tx -> {
            db.jdbc().update(REVOKE, params(name));
            insert(name, role, token, createdBy);
            return new Created(name, role, token);
        });
    }

    /** The token's principal, or empty for anything that is not a token in use (malformed, unknown, revoked). */
    public Optional<Principal> authenticate(String presented) {
        if (presented == null || !TOKEN.matcher(presented).matches()) {
            return Optional.empty();
        }
        List<Row> rows = db.jdbc().query(FIND, Map.of("hash", hash(presented)), (rs, n) ->
                new Row(rs.getLong("id"), new Principal(rs.getString("name"), Role.parse(rs.getString("role")))));
        rows.stream().findFirst().ifPresent(row -> recordUse(row.id()));
        return rows.stream().findFirst().map(Row::principal);
    }

    public List<Info> list() {
        return db.jdbc().query(LIST, Map.of(), (rs, n) -> new Info(rs.getString("name"), Role.parse(rs.getString("role")),
                rs.getString("hint"), instant(rs.getTimestamp("created_at")), rs.getString("created_by"),
                instant(rs.getTimestamp("last_used_at"))));
    }

    /** Whether any token is in use besides the local commands' own ones (names starting with {@code localPrefix}). */
    public boolean anyBesides(String localPrefix) {
        return db.jdbc().queryForObject(OTHERS_ACTIVE, Map.of("localPrefix", localPrefix + "%"), Integer.class) > 0;
    }

    private void insert(String name, Role role, String token, String createdBy) {
        db.jdbc().update(INSERT, params(name)
                .addValue("role", role.configName())
                .addValue("hash", hash(token))
                .addValue("hint", token.substring(0, PREFIX.length() + 4))
                .addValue("createdBy", createdBy));
        audit.record("api-token.created", null, "token:" + name,
                json.createObjectNode().put("role", role.configName()).put("by", createdBy));
    }

    private void recordUse(long id) {
        Instant now = clock.instant();
        Instant last = lastRecordedUse.get(id);
        if (last == null || !now.isBefore(last.plus(USE_RECORDING))) {
            lastRecordedUse.put(id, now);
            db.jdbc().update(USED, new MapSqlParameterSource("id", id).addValue("now", Timestamp.from(now)));
        }
    }

    private MapSqlParameterSource params(String name) {
        return new MapSqlParameterSource("name", name).addValue("now", Timestamp.from(clock.instant()));
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new TokenException("a token's name is 1 to 128 letters, digits and . _ @ + - (starting with a letter or "
                    + "digit), such as 'ci-reporting' or 'mei@acme.example'; got '" + name + "'");
        }
    }

    private String newToken() {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}

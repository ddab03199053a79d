package io.mailroute.console;

import io.mailroute.access.Role;
import io.mailroute.db.Database;
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
import java.util.regex.Pattern;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Console sessions (table {@code console_session}), shared by every instance on the database: a new random id at every
 * sign-in (256 bits, in the cookie alone; only its SHA-256 is stored), a CSRF token for the session's forms, an idle
 * and an absolute timeout (OWASP Session Management), sign-out. A session of a user who was disabled since counts for
 * nothing, and a user's lowered role lowers their sessions' role at once.
 */
public final class ConsoleSessions {

    /** The session cookie's name. */
    public static final String COOKIE = "mailroute_session";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");
    /** last_seen_at is written at most this often per session: reading a page must not always write. */
    private static final Duration TOUCH = Duration.ofMinutes(1);

    /**
     * A signed-in session.
     *
     * @param id        the session's id: the cookie's value; never stored, never logged
     * @param how       how its user signed in: password or google
     * @param csrfToken what every form POST of this session carries in its {@code csrf} field
     */
    public record Session(String id, String user, Role role, String how, String csrfToken, Instant createdAt, Instant lastSeenAt) {
        @Override
        public String toString() {
            return "Session[" + user + ", " + role.configName() + ", " + how + ", since " + createdAt + "]";
        }
    }

    private static final String INSERT = """
            INSERT INTO console_session (id_hash, user_name, role, signed_in_by, csrf_token, created_at, last_seen_at)
            VALUES (:hash, :user, :role, :how, :csrf, :now, :now)""";
    private static final String FIND = """
            SELECT s.user_name, s.role, s.signed_in_by, s.csrf_token, s.created_at, s.last_seen_at, u.role AS user_role
            FROM console_session s JOIN console_user u ON u.name = s.user_name
            WHERE s.id_hash = :hash AND u.disabled_at IS NULL""";
    private static final String TOUCH_SQL = "UPDATE console_session SET last_seen_at = :now WHERE id_hash = :hash";
    private static final String DELETE = "DELETE FROM console_session WHERE id_hash = :hash";
    private static final String PURGE = "DELETE FROM console_session WHERE created_at < :absolute OR last_seen_at < :idle";

    private final Database db;
    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param idle     a session unused this long is over ({@code mailroute.console.session.idle})
     * @param absolute a session this old is over, however busy ({@code mailroute.console.session.absolute})
     */
    public ConsoleSessions(Database db, Clock clock, Duration idle, Duration absolute) {
        if (idle.isNegative() || idle.isZero() || absolute.compareTo(idle) < 0) {
            throw new IllegalArgumentException("the idle timeout must be positive and the absolute one no shorter; got idle "
                    + idle + ", absolute " + absolute);
        }
        this.db = db;
        this.clock = clock;
        this.idle = idle;
        this.absolute = absolute;
    }

    public Duration idleTimeout() {
        return idle;
    }

    public Duration absoluteTimeout() {
        return absolute;
    }

    /**
     * A new session for a user who just proved who they are: a new id whatever cookie the browser had (so an id an
     * attacker planted before sign-in is worth nothing after). Sessions over by now are removed on the way.
     *
     * @param how password or google
     */
    public Session signIn(String user, Role role, String how) {
        String id = randomId();
        String csrf = randomId();
        Instant now = clock.instant();
        db.transactions().executeWithoutResult(tx -> {
            db.jdbc().update(PURGE, new MapSqlParameterSource("absolute", Timestamp.from(now.minus(absolute)))
                    .addValue("idle", Timestamp.from(now.minus(idle))));
            db.jdbc().update(INSERT, new MapSqlParameterSource("hash", hash(id)).addValue("user", ConsoleUsers.normalize(user))
                    .addValue("role", role.configName()).addValue("how", how).addValue("csrf", csrf)
                    .addValue("now", Timestamp.from(now)));
        });
        return new Session(id, ConsoleUsers.normalize(user), role, how, csrf, now, now);
    }

    /**
     * The session of this cookie value, still within its timeouts and of a user still enabled (its use recorded), or
     * empty. A session found over is removed.
     */
    public Optional<Session> find(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        String hash = hash(id);
        List<Session> found = db.jdbc().query(FIND, Map.of("hash", hash), (rs, n) -> {
            Role signedInAs = Role.parse(rs.getString("role"));
            Role now = Role.parse(rs.getString("user_role"));
            return new Session(id, rs.getString("user_name"), now.includes(signedInAs) ? signedInAs : now,
                    rs.getString("signed_in_by"), rs.getString("csrf_token"), rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("last_seen_at").toInstant());
        });
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Session session = found.get(0);
        Instant now = clock.instant();
        if (!now.isBefore(session.createdAt().plus(absolute)) || !now.isBefore(session.lastSeenAt().plus(idle))) {
            db.jdbc().update(DELETE, Map.of("hash", hash));
            return Optional.empty();
        }
        if (!now.isBefore(session.lastSeenAt().plus(TOUCH))) {
            db.jdbc().update(TOUCH_SQL, new MapSqlParameterSource("hash", hash).addValue("now", Timestamp.from(now)));
        }
        return Optional.of(session);
    }

    /** Ends the session of this cookie value (nothing happens for one that is not a session). */
    public void signOut(String id) {
        if (id != null && ID.matcher(id).matches()) {
            db.jdbc().update(DELETE, Map.of("hash", hash(id)));
        }
    }

    /**
     * The {@code Set-Cookie} value that gives the browser this session: HttpOnly (no script reads it), SameSite=Lax
     * (not sent with another site's POST), Path=/, Secure when the console is served over https. No Max-Age: the
     * browser forgets it when it closes, the service when it times out.
     */
    public static String cookie(String id, boolean secure) {
        return COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

    /** The {@code Set-Cookie} value that makes the browser drop the session cookie. */
    public static String clearedCookie(boolean secure) {
        return COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
    }

    /** A cookie's value from a {@code Cookie} request header, or null. */
    public static String cookieValue(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return null;
        }
        for (String pair : cookieHeader.split(";")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
                return pair.substring(equals + 1).trim();
            }
        }
        return null;
    }

    /** 256 random bits, base64url without padding (43 characters). */
    String randomId() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

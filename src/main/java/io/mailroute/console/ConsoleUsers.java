package io.mailroute.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.access.Role;
import io.mailroute.audit.AuditTrail;
import io.mailroute.db.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The console's users (table {@code console_user}): local users with an Argon2id password hash
 * ({@link PasswordHashing}) and Google users (their email, no password). Names are kept in lower case and looked up
 * so. A user is never deleted, only disabled, which also ends their sessions; a new password ends them too.
 */
public final class ConsoleUsers {

    public static final String PASSWORD = "password";
    public static final String GOOGLE = "google";

    /** A name taken or unknown, a password too short: the caller's mistake, said plainly. */
    public static final class UserException extends RuntimeException {
        public UserException(String message) {
            super(message);
        }
    }

    private static final Pattern LOCAL_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern EMAIL = Pattern.compile("[a-z0-9._%+-]{1,64}@[a-z0-9-]+(\\.[a-z0-9-]+)+");
    private static final String COLUMNS = "name, role, sign_in, created_at, created_by, disabled_at";
    private static final String INSERT = """
            INSERT INTO console_user (name, role, sign_in, password_hash, created_at, created_by)
            VALUES (:name, :role, :signIn, :hash, :now, :by)""";
    private static final String EXISTS = "SELECT COUNT(*) FROM console_user WHERE name = :name";
    private static final String FIND_ACTIVE = "SELECT " + COLUMNS + " FROM console_user WHERE name = :name AND disabled_at IS NULL";
    private static final String PASSWORD_OF = """
            SELECT password_hash FROM console_user WHERE name = :name AND disabled_at IS NULL AND sign_in = 'password'""";
    private static final String LIST = "SELECT " + COLUMNS + " FROM console_user ORDER BY name";
    private static final String DISABLE = "UPDATE console_user SET disabled_at = :now WHERE name = :name AND disabled_at IS NULL";
    private static final String SET_PASSWORD = """
            UPDATE console_user SET password_hash = :hash WHERE name = :name AND sign_in = 'password'""";
    private static final String END_SESSIONS = "DELETE FROM console_session WHERE user_name = :name";

    private final Database db;
    private final PasswordHashing hashing;
    private final AuditTrail audit;
    private final ObjectMapper json;
    private final Clock clock;

    public ConsoleUsers(Database db, PasswordHashing hashing, AuditTrail audit, ObjectMapper json, Clock clock) {
        this.db = db;
        this.hashing = hashing;
        this.audit = audit;
        this.json = json;
        this.clock = clock;
    }

    /** A name as it is stored and looked up: trimmed, lower case. */
    public static String normalize(String name) {
        return name == null ? null : name.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * A new user. A local user needs a password ({@link PasswordHashing#MIN_LENGTH} characters or more), a Google user
     * an email and no password.
     *
     * @param password null for a Google user
     */
    public ConsoleUser create(String name, Role role, char[] password, String createdBy) {
        String normalized = normalize(name);
        boolean google = password == null;
        if (google ? !EMAIL.matcher(String.valueOf(normalized)).matches() : !LOCAL_NAME.matcher(String.valueOf(normalized)).matches()) {
            throw new UserException(google
                    ? "a Google user's name is their email address, such as 'alice@acme.example'; got '" + name + "'"
                    : "a user's name is 1 to 64 letters, digits and . _ - (starting with a letter or digit), such as 'mei'; "
                            + "for a Google user give the email and --google; got '" + name + "'");
        }
        String hash = google ? null : hashed(password);
        Instant now = clock.instant();
        return db.transactions().execute(tx -> {
            if (db.jdbc().queryForObject(EXISTS, Map.of("name", normalized), Integer.class) > 0) {
                throw new UserException("a console user named '" + normalized + "' exists (user list shows it); choose another name");
            }
            db.jdbc().update(INSERT, new MapSqlParameterSource("name", normalized).addValue("role", role.configName())
                    .addValue("signIn", google ? GOOGLE : PASSWORD).addValue("hash", hash)
                    .addValue("now", Timestamp.from(now)).addValue("by", createdBy));
            audit.record("console-user.created", null, "console-user:" + normalized, json.createObjectNode()
                    .put("role", role.configName()).put("signIn", google ? GOOGLE : PASSWORD).put("by", createdBy));
            return new ConsoleUser(normalized, role, google ? GOOGLE : PASSWORD, now, createdBy, null);
        });
    }

    /** The user of this name who may sign in: empty for a name nobody has, and for a disabled user. */
    public Optional<ConsoleUser> find(String name) {
        return db.jdbc().query(FIND_ACTIVE, Map.of("name", String.valueOf(normalize(name))), ConsoleUsers::user).stream().findFirst();
    }

    /** Every user, disabled ones included, by name. */
    public List<ConsoleUser> list() {
        return db.jdbc().query(LIST, Map.of(), ConsoleUsers::user);
    }

    /**
     * The local user whose name and password these are, or empty. Takes as long for an unknown name, a Google user or
     * a disabled one as for a wrong password (a decoy hash is checked), so the answer's time tells nothing.
     */
    public Optional<ConsoleUser> authenticate(String name, char[] password) {
        String normalized = normalize(name);
        List<String> hashes = normalized == null ? List.of()
                : db.jdbc().queryForList(PASSWORD_OF, Map.of("name", normalized), String.class);
        String stored = hashes.isEmpty() ? null : hashes.get(0);
        return hashing.matches(password, stored) ? find(normalized) : Optional.empty();
    }

    /** Disables the user and ends their sessions; false when there is no such user in use. */
    public boolean disable(String name, String by) {
        String normalized = normalize(name);
        return Boolean.TRUE.equals(db.transactions().execute(tx -> {
            int disabled = db.jdbc().update(DISABLE, new MapSqlParameterSource("name", normalized)
                    .addValue("now", Timestamp.from(clock.instant())));
            if (disabled > 0) {
                db.jdbc().update(END_SESSIONS, Map.of("name", normalized));
                audit.record("console-user.disabled", null, "console-user:" + normalized, json.createObjectNode().put("by", by));
            }
            return disabled > 0;
        }));
    }

    /** A new password for a local user, which ends their sessions; false when there is no such local user. */
    public boolean setPassword(String name, char[] password, String by) {
        String normalized = normalize(name);
        String hash = hashed(password);
        return Boolean.TRUE.equals(db.transactions().execute(tx -> {
            int changed = db.jdbc().update(SET_PASSWORD, Map.of("name", String.valueOf(normalized), "hash", hash));
            if (changed > 0) {
                db.jdbc().update(END_SESSIONS, Map.of("name", normalized));
                audit.record("console-user.password-changed", null, "console-user:" + normalized,
                        json.createObjectNode().put("by", by));
            }
            return changed > 0;
        }));
    }

    private String hashed(char[] password) {
        String problem = PasswordHashing.problem(password);
        if (problem != null) {
            throw new UserException(problem);
        }
        return hashing.hash(password);
    }

    private static ConsoleUser user(ResultSet rs, int row) throws SQLException {
        Timestamp disabled = rs.getTimestamp("disabled_at");
        return new ConsoleUser(rs.getString("name"), Role.parse(rs.getString("role")), rs.getString("sign_in"),
                rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"), disabled == null ? null : disabled.toInstant());
    }
}

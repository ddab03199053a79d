package io.mailroute.reports.links;

import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Revoking a run's links (issue 14, §2 "revocable per run"): {@code report_run.links_revoked_at/by}, set once. From
 * then on every download and acknowledgement link of the run is refused, on GET and POST, whatever its expiry
 * ({@link ReportPages} asks {@link #of} each time). Nothing undoes it: a new link needs a new run.
 */
public final class ReportLinkRevocations {

    /** How long {@code links_revoked_by} may be. */
    static final int MAX_BY = 200;
    private static final String REVOKE = """
            UPDATE report_run SET links_revoked_at = :at, links_revoked_by = :by, updated_at = :at
            WHERE id = :id AND links_revoked_at IS NULL""";
    private static final String REVOKED = "SELECT links_revoked_at, links_revoked_by FROM report_run WHERE id = :id";

    /** When and by whom a run's links were revoked. */
    public record Revocation(Instant at, String by) {
    }

    private final Database db;
    private final Clock clock;

    public ReportLinkRevocations(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Revokes the run's links, once.
     *
     * @param by who revoked them (an API token's name, a user), 1 to 200 characters
     * @return true when this call revoked them; false when they were revoked already, or there is no such run (ask
     *         {@code ReportRuns.find} to tell the two apart)
     * @throws IllegalArgumentException for an empty or too long {@code by}
     */
    public boolean revoke(long runId, String by) {
        if (by == null || by.isBlank() || by.length() > MAX_BY) {
            throw new IllegalArgumentException("who revokes the links of report run " + runId + " is 1 to " + MAX_BY
                    + " characters, not " + (by == null ? "null" : by.length() + " characters"));
        }
        Timestamp now = Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        return db.jdbc().update(REVOKE, new MapSqlParameterSource("id", runId).addValue("at", now).addValue("by", by.strip())) == 1;
    }

    /** The run's revocation; empty while its links work (or there is no such run). */
    public Optional<Revocation> of(long runId) {
        return db.jdbc().query(REVOKED, Map.of("id", runId), (rs, row) -> {
            Timestamp at = rs.getTimestamp("links_revoked_at");
            return at == null ? null : new Revocation(at.toInstant(), rs.getString("links_revoked_by"));
        }).stream().filter(Objects::nonNull).findFirst();
    }
}

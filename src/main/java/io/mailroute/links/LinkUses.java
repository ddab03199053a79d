package io.mailroute.links;

import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Table {@code link_use}: which single-use links have been used, and when. The primary key on the link id
 * decides a race: the insert does nothing when the row is there (also one another transaction has written
 * and not yet committed: the database makes the second insert wait for the first's outcome), so exactly one
 * use wins, and a conflict never aborts the caller's transaction (PostgreSQL would, after a failed insert).
 */
final class LinkUses {

    private static final String INSERT = """
            INSERT INTO link_use (link_id, purpose, subject_id, recipient, key_id, expires_at, used_at)
            VALUES (:linkId, :purpose, :subjectId, :recipient, :keyId, :expiresAt, :usedAt)
            ON CONFLICT DO NOTHING""";
    private static final String USED_AT = "SELECT used_at FROM link_use WHERE link_id = :linkId";

    private final Database db;

    LinkUses(Database db) {
        this.db = db;
    }

    /** Records the use; false when the link was used already. Joins the caller's transaction, if there is one. */
    boolean record(SignedLink link, Instant now) {
        return db.jdbc().update(INSERT, new MapSqlParameterSource("linkId", link.linkId())
                .addValue("purpose", link.purpose())
                .addValue("subjectId", link.subjectId())
                .addValue("recipient", link.recipient())
                .addValue("keyId", link.keyId())
                .addValue("expiresAt", Timestamp.from(link.expiresAt()))
                .addValue("usedAt", Timestamp.from(now))) == 1;
    }

    Optional<Instant> usedAt(String linkId) {
        List<Timestamp> found = db.jdbc().queryForList(USED_AT, new MapSqlParameterSource("linkId", linkId), Timestamp.class);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0).toInstant());
    }
}

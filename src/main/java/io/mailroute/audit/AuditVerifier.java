package io.mailroute.audit;

import io.mailroute.db.Database;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checks the audit trail end to end: every record's hash matches its fields, every record chains to
 * the one before it, seq runs 1, 2, 3 ... without gaps, and the last record is the one the head
 * names. Reads the log in seq order in pages, in one repeatable-read snapshot, so appends running
 * meanwhile neither disturb it nor raise false alarms, and a long log is never held in memory.
 *
 * <p>What it cannot see: someone with write access who rewrites a row and every row after it with
 * recomputed hashes, and updates the head to match. Record the head hash that {@code audit verify}
 * prints somewhere outside the database (a ticket, a log shipper) to catch that too.
 */
public final class AuditVerifier {

    private static final String HEAD = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1";
    private static final String ALL_IN_ORDER = "SELECT " + AuditRows.COLUMNS + " FROM audit_log ORDER BY seq";
    private static final String SEQ_OF_HASH = "SELECT seq FROM audit_log WHERE hash = :hash ORDER BY seq";

    /** How far from its place a renumbered row is looked for when explaining a break. */
    private static final int RENUMBER_SEARCH = 1000;

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate snapshot;

    public AuditVerifier(Database db) {
        JdbcTemplate paged = new JdbcTemplate(db.dataSource());
        paged.setFetchSize(AuditRows.FETCH_SIZE);
        this.jdbc = new NamedParameterJdbcTemplate(paged);
        this.snapshot = new TransactionTemplate(db.transactions().getTransactionManager());
        snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshot.setReadOnly(true);
    }

    /**
     * The outcome: intact, or the first bad seq with what is wrong there. {@code recordsChecked}
     * counts the records found good before the first bad one (all of them when intact);
     * {@code headHash} is the hash the audit head vouches for (null when the head is missing):
     * kept outside the database, it lets a later check prove nothing before it was rewritten.
     */
    public record Result(boolean intact, long recordsChecked, Long firstBadSeq, String problem, String headHash) {

        public Result {
            if (intact != (firstBadSeq == null)) {
                throw new IllegalArgumentException("firstBadSeq is null exactly when the trail is intact");
            }
        }

        static Result intact(long checked, Head head) {
            return new Result(true, checked, null, null, head.lastHash());
        }

        static Result tampered(long checked, long firstBadSeq, String problem, Head head) {
            return new Result(false, checked, firstBadSeq, problem, head == null ? null : head.lastHash());
        }
    }

    public Result verify() {
        return snapshot.execute(tx -> {
            List<Head> heads = jdbc.query(HEAD, new MapSqlParameterSource(),
                    (rs, n) -> new Head(rs.getLong("last_seq"), rs.getString("last_hash")));
            Head head = heads.isEmpty() ? null : heads.get(0);
            Walk walk = jdbc.query(ALL_IN_ORDER, new MapSqlParameterSource(), rs -> {
                Walk state = new Walk();
                while (rs.next()) {
                    AuditRecord row = AuditRows.read(rs);
                    if (!state.accept(row, head)) {
                        break;
                    }
                }
                return state;
            });
            if (walk.failedAt != null) {
                return diagnose(walk, head);
            }
            return checkAgainstHead(walk, head);
        });
    }

    /** The walk stopped at a row that is not the next link of the chain: say what happened there. */
    private Result diagnose(Walk walk, Head head) {
        AuditRecord row = walk.failedAt;
        long expected = walk.lastSeq + 1;
        long checked = walk.lastSeq;
        if (row.seq() > expected && (head == null || expected <= head.lastSeq())) {
            return Result.tampered(checked, expected, row.seq() == expected + 1
                    ? "row " + expected + " is missing (deleted)"
                    : "rows " + expected + " to " + (row.seq() - 1) + " are missing (deleted)", head);
        }
        if (row.seq() < expected) {
            return Result.tampered(checked, row.seq(), "row " + row.seq() + " is not part of the chain, which starts at "
                    + "seq 1 (inserted)", head);
        }
        if (head != null && row.seq() > head.lastSeq()) {
            return Result.tampered(checked, row.seq(), "row " + row.seq() + " lies beyond the audit head (seq "
                    + head.lastSeq() + "): added without AuditLog (inserted)", head);
        }
        boolean selfConsistent = row.expectedHash().equals(row.hash());
        if (row.prevHash().equals(walk.lastHash)) {
            return Result.tampered(checked, expected, "row " + expected + " was edited (its hash does not match its fields)", head);
        }
        Long predecessor = seqOfHash(row.prevHash());
        if (predecessor != null && predecessor < expected - 1 && hashAt(row, predecessor + 1).equals(row.hash())) {
            long firstInserted = predecessor + 1;
            String inserted = firstInserted == expected - 1 ? "row " + firstInserted + " was inserted"
                    : "rows " + firstInserted + " to " + (expected - 1) + " were inserted";
            return Result.tampered(predecessor, firstInserted, inserted + " (row " + expected + " is the original record "
                    + firstInserted + ", which follows row " + predecessor + ")", head);
        }
        if (predecessor != null && predecessor >= expected) {
            return Result.tampered(checked, expected, "rows out of order at " + expected + " (the record at seq "
                    + expected + " follows the record now at seq " + predecessor + ")", head);
        }
        Long original = selfConsistent ? null : originalSeq(row);
        if (original != null && original > expected) {
            long removed = original - expected;
            return Result.tampered(checked, expected, (removed == 1 ? "row " + expected + " is missing"
                    : "rows " + expected + " to " + (original - 1) + " are missing")
                    + " (deleted, and the rows after renumbered: row " + expected + " holds the original record "
                    + original + ")", head);
        }
        if (selfConsistent && expected > 1) {
            // An intact row whose predecessor is gone: the row before it was rewritten with a fresh hash.
            return Result.tampered(checked - 1, expected - 1, "row " + (expected - 1) + " was replaced or edited with a "
                    + "recomputed hash (row " + expected + " chains to a record that is no longer there)", head);
        }
        return Result.tampered(checked, expected, "row " + expected + " was edited (it does not chain to row "
                + (expected - 1) + ")", head);
    }

    /** The whole log chains: now make sure nothing was cut off its end or added past it. */
    private static Result checkAgainstHead(Walk walk, Head head) {
        long last = walk.lastSeq;
        if (head == null) {
            return Result.tampered(last, last + 1, "the audit head (table audit_head) is missing, so removal of the "
                    + "last records cannot be ruled out", null);
        }
        if (head.lastSeq() > last) {
            long removed = head.lastSeq() - last;
            return Result.tampered(last, last + 1, "the last " + (removed == 1 ? "record was" : removed + " records were")
                    + " removed (the log ends at seq " + last + ", the audit head at seq " + head.lastSeq() + ")", head);
        }
        if (!head.lastHash().equals(walk.lastHash)) {
            return Result.tampered(last - 1, last, "row " + last + " does not match the audit head (the last record or "
                    + "the head was altered)", head);
        }
        return Result.intact(last, head);
    }

    private Long seqOfHash(String hash) {
        if (AuditHashing.GENESIS_HASH.equals(hash)) {
            return 0L;
        }
        List<Long> seqs = jdbc.queryForList(SEQ_OF_HASH, new MapSqlParameterSource("hash", hash), Long.class);
        return seqs.isEmpty() ? null : seqs.get(0);
    }

    /** The seq a moved row was written with, searched near where it is now; null when not found. */
    private static Long originalSeq(AuditRecord row) {
        for (long distance = 1; distance <= RENUMBER_SEARCH; distance++) {
            for (long candidate : new long[] {row.seq() + distance, row.seq() - distance}) {
                if (candidate >= 1 && hashAt(row, candidate).equals(row.hash())) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static String hashAt(AuditRecord row, long seq) {
        return AuditHashing.hash(seq, row.occurredAt(), row.action(), row.mailbox(), row.subjectRef(), row.details(),
                row.prevHash());
    }

    record Head(long lastSeq, String lastHash) {
    }

    /** The verified prefix of the chain so far, and the row that broke it. */
    private static final class Walk {
        long lastSeq;
        String lastHash = AuditHashing.GENESIS_HASH;
        AuditRecord failedAt;

        boolean accept(AuditRecord row, Head head) {
            boolean good = row.seq() == lastSeq + 1
                    && (head == null || row.seq() <= head.lastSeq())
                    && row.prevHash().equals(lastHash)
                    && row.expectedHash().equals(row.hash());
            if (!good) {
                failedAt = row;
                return false;
            }
            lastSeq = row.seq();
            lastHash = row.hash();
            return true;
        }
    }
}

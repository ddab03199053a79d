package io.mailroute.audit;

import java.time.Instant;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Ways of tampering with a trail of {@link #RECORDS} records directly in the tables, bypassing
 * AuditLog, and what verification must then report: the first bad seq and words of the problem.
 */
enum Tampering {

    EDIT_DETAILS(12, "row 12 was edited") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("UPDATE audit_log SET details = :details WHERE seq = :seq",
                    seq(12).addValue("details", "{\"note\":\"nothing to see\"}"));
        }
    },
    EDIT_ACTION(12, "row 12 was edited") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("UPDATE audit_log SET action = :action WHERE seq = :seq", seq(12).addValue("action", "message.deleted"));
        }
    },
    EDIT_TIMESTAMP_BY_ONE_MILLISECOND(12, "row 12 was edited") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("UPDATE audit_log SET occurred_at = occurred_at + 1 WHERE seq = :seq", seq(12));
        }
    },
    EDIT_MAILBOX(12, "row 12 was edited") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("UPDATE audit_log SET mailbox_id = :mailbox WHERE seq = :seq", seq(12).addValue("mailbox", "hr"));
        }
    },
    EDIT_SUBJECT(12, "row 12 was edited") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("UPDATE audit_log SET subject_ref = :ref WHERE seq = :seq", seq(12).addValue("ref", "message:999"));
        }
    },
    EDIT_HASH(12, "row 12 was edited") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("UPDATE audit_log SET hash = :hash WHERE seq = :seq", seq(12).addValue("hash", "ab".repeat(32)));
        }
    },
    EDIT_PREV_HASH(12, "row 12 was edited") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("UPDATE audit_log SET prev_hash = :hash WHERE seq = :seq", seq(12).addValue("hash", "cd".repeat(32)));
        }
    },
    DELETE_FIRST_ROW(1, "row 1 is missing (deleted)") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("DELETE FROM audit_log WHERE seq = :seq", seq(1));
        }
    },
    DELETE_MIDDLE_ROW(12, "row 12 is missing (deleted)") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("DELETE FROM audit_log WHERE seq = :seq", seq(12));
        }
    },
    DELETE_MIDDLE_ROWS(12, "rows 12 to 14 are missing (deleted)") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("DELETE FROM audit_log WHERE seq BETWEEN 12 AND 14", new MapSqlParameterSource());
        }
    },
    DELETE_MIDDLE_ROW_AND_RENUMBER(12, "row 12 is missing (deleted, and the rows after renumbered: row 12 holds the original record 13)") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("DELETE FROM audit_log WHERE seq = :seq", seq(12));
            shift(sql, 13, -1);
            sql.update("UPDATE audit_head SET last_seq = last_seq - 1", new MapSqlParameterSource());
        }
    },
    DELETE_LAST_ROWS(28, "the last 3 records were removed") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("DELETE FROM audit_log WHERE seq > 27", new MapSqlParameterSource());
        }
    },
    DELETE_LAST_ROW(30, "the last record was removed") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("DELETE FROM audit_log WHERE seq = :seq", seq(30));
        }
    },
    SWAP_TWO_ROWS(12, "rows out of order at 12") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("UPDATE audit_log SET seq = -1 WHERE seq = 12", new MapSqlParameterSource());
            sql.update("UPDATE audit_log SET seq = 12 WHERE seq = 13", new MapSqlParameterSource());
            sql.update("UPDATE audit_log SET seq = 13 WHERE seq = -1", new MapSqlParameterSource());
        }
    },
    INSERT_FORGED_ROW_IN_THE_MIDDLE(12, "row 12 was inserted") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            // Make room at 12, forge a record that chains to 11 with a correct hash, and move the
            // head along, as a careful forger would.
            shift(sql, 12, +1);
            insertForged(sql, 12, hashOf(sql, 11));
            sql.update("UPDATE audit_head SET last_seq = last_seq + 1", new MapSqlParameterSource());
        }
    },
    REPLACE_ROW_WITH_RECOMPUTED_HASH(12, "row 12 was replaced or edited with a recomputed hash") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("DELETE FROM audit_log WHERE seq = :seq", seq(12));
            insertForged(sql, 12, hashOf(sql, 11));
        }
    },
    REPLACE_LAST_ROW_WITH_RECOMPUTED_HASH(30, "row 30 does not match the audit head") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("DELETE FROM audit_log WHERE seq = :seq", seq(30));
            insertForged(sql, 30, hashOf(sql, 29));
        }
    },
    APPEND_FORGED_ROW_PAST_THE_HEAD(31, "row 31 lies beyond the audit head") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            insertForged(sql, 31, hashOf(sql, 30));
        }
    },
    DELETE_HEAD(31, "the audit head (table audit_head) is missing") {
        @Override
        void apply(NamedParameterJdbcTemplate sql) {
            sql.update("DELETE FROM audit_head", new MapSqlParameterSource());
        }
    };

    static final int RECORDS = 30;

    final long firstBadSeq;
    final String problem;

    Tampering(long firstBadSeq, String problem) {
        this.firstBadSeq = firstBadSeq;
        this.problem = problem;
    }

    abstract void apply(NamedParameterJdbcTemplate sql);

    private static MapSqlParameterSource seq(long seq) {
        return new MapSqlParameterSource("seq", seq);
    }

    /** Moves rows from {@code from} on by {@code delta}, in two steps so that no two rows share a seq midway. */
    private static void shift(NamedParameterJdbcTemplate sql, long from, long delta) {
        sql.update("UPDATE audit_log SET seq = -seq WHERE seq >= :from", new MapSqlParameterSource("from", from));
        sql.update("UPDATE audit_log SET seq = -seq + :delta WHERE seq < 0", new MapSqlParameterSource("delta", delta));
    }

    private static String hashOf(NamedParameterJdbcTemplate sql, long seq) {
        return sql.queryForObject("SELECT hash FROM audit_log WHERE seq = :seq", seq(seq), String.class);
    }

    private static void insertForged(NamedParameterJdbcTemplate sql, long seq, String prevHash) {
        Instant at = Instant.parse("2026-03-01T09:00:11.500Z");
        String details = "{\"note\":\"forged\"}";
        String hash = AuditHashing.hash(seq, at, "message.received", "support", "message:12", details, prevHash);
        sql.update(AuditRows.INSERT, AuditRows.params(
                new AuditRecord(seq, at, "message.received", "support", "message:12", details, prevHash, hash)));
    }
}

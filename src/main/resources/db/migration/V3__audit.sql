-- The tamper-evident audit trail: an append-only, hash-chained log of what Mailroute received,
-- decided and sent (io.mailroute.audit). Each record's hash covers its own fields and the previous
-- record's hash, so an edited, deleted, reordered or inserted row breaks the chain at that row.
-- Written to run unchanged on H2 (MODE=PostgreSQL) and PostgreSQL. The PostgreSQL-only guard that
-- rejects UPDATE, DELETE and TRUNCATE is migration 3.1, io.mailroute.audit.AuditAppendOnlyGuard.

CREATE TABLE audit_log (
    -- Assigned by AuditLog from audit_head: 1, 2, 3 ... with no gaps (not an identity column,
    -- whose values a rolled-back transaction would skip).
    seq         BIGINT       PRIMARY KEY,
    -- Epoch milliseconds, UTC: round-trips exactly on every database, unlike TIMESTAMP types.
    occurred_at BIGINT       NOT NULL,
    action      VARCHAR(64)  NOT NULL,
    mailbox_id  VARCHAR(64),
    subject_ref VARCHAR(128) NOT NULL,              -- "message:12", "item:7" ...
    details     TEXT         NOT NULL,              -- canonical JSON: sorted keys, no whitespace
    prev_hash   CHAR(64)     NOT NULL,              -- hash of record seq - 1; 64 zeros for seq 1
    hash        CHAR(64)     NOT NULL               -- lowercase hex SHA-256, see AuditHashing
);
CREATE INDEX ix_audit_log_occurred ON audit_log (occurred_at, seq);

-- The newest record's seq and hash, updated in the appender's transaction. Verification compares
-- the log's last record with it, so removing records from the end is detected too. Appenders lock
-- this one row (SELECT ... FOR UPDATE), which serialises them across threads and instances.
CREATE TABLE audit_head (
    id        INTEGER  PRIMARY KEY CHECK (id = 1),
    last_seq  BIGINT   NOT NULL,
    last_hash CHAR(64) NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

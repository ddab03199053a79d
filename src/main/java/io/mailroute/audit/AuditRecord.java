package io.mailroute.audit;

import java.time.Instant;

/**
 * One record of the audit trail as stored: {@code details} is the canonical JSON text the hash
 * covers, {@code prevHash} the hash of record {@code seq - 1} (64 zeros for the first record).
 */
public record AuditRecord(long seq, Instant occurredAt, String action, String mailbox, String subjectRef,
        String details, String prevHash, String hash) {

    /** The hash this record's fields call for; equal to {@link #hash()} unless the row was altered. */
    public String expectedHash() {
        return AuditHashing.hash(seq, occurredAt, action, mailbox, subjectRef, details, prevHash);
    }
}

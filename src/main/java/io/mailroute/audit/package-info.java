/**
 * The tamper-evident audit trail: what Mailroute received, decided and sent, as an append-only,
 * hash-chained log ({@code audit_log}, migration V3).
 *
 * <ul>
 *   <li>{@link io.mailroute.audit.AuditLog} appends a record inside the caller's transaction.
 *       Each record's hash (see {@code AuditHashing}) covers its seq, time, action, mailbox,
 *       subject, canonical details and the previous record's hash; {@code audit_head} holds the
 *       newest seq and hash and is the lock that serialises appenders across instances.</li>
 *   <li>{@link io.mailroute.audit.AuditVerifier} walks the log and names the first bad seq:
 *       an edited field, a deleted, inserted, replaced or reordered row, records cut off the end
 *       or added past the head.</li>
 *   <li>{@link io.mailroute.audit.AuditExporter} writes a time window as JSON Lines.</li>
 *   <li>{@link io.mailroute.audit.AuditCommand} is {@code audit verify} and {@code audit export}.</li>
 * </ul>
 *
 * <p>What is enforced, and where:
 * <ul>
 *   <li>Everywhere: seq is the primary key and comes from the locked head, so the chain cannot
 *       fork; rolled-back appends leave no gap.</li>
 *   <li>PostgreSQL, with {@link io.mailroute.audit.AuditAppendOnlyGuard} registered: triggers
 *       refuse UPDATE, DELETE and TRUNCATE of the log, inserts that are not the next link, and
 *       any change of the head but a step forward. The tables' owner can still disable them.</li>
 *   <li>H2: nothing beyond the keys; whoever has the database file can change it.</li>
 *   <li>Detection, on both: {@code audit verify} finds any change short of rewriting every record
 *       from the changed one on and the head too. Keeping the head hash it prints outside the
 *       database closes that gap.</li>
 * </ul>
 */
package io.mailroute.audit;

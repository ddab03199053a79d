package io.mailroute.reports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The report run ledger (issue 14, §3 and §4): a run happens once per (report, period), each recipient is sent to
 * once, and what happens to the email afterwards moves each recipient's status forward only.
 *
 * <p>How a run goes (the caller is the reports route's bean; each step commits by itself, or joins the caller's
 * transaction when there is one):
 * <pre>{@code
 * ReportRun run = runs.begin("sla-weekly", Periods.of(cron, zone, fireTime)).run();   // once per period
 * Optional<ReportRuns.Claim> claim = runs.claim(run.id(), node, lease);               // empty: done, or held elsewhere
 * runs.generating(claim);  ...render...  runs.generated(claim, document);              // event report.generated
 * runs.plan(run.id(), recipients);                                                     // planned once
 * for (RunRecipient r : runs.pending(run.id())) { send; runs.markSent(run.id(), r.address(), messageId); }
 * runs.done(claim);                                  // or runs.failed(claim, reason): event report.failed
 * }</pre>
 *
 * <p>Exactly once: {@link #begin} inserts the (report, period) key with ON CONFLICT DO NOTHING, so concurrent
 * callers on several nodes get the same run. Work on a run is claimed under a lease with a fresh token, as a
 * delivery is: a node that crashed leaves its lease to run out, then {@link #resumable} offers the run again, and
 * every state change carries the token, so a worker whose lease ran out and was taken over changes nothing. A
 * resumed run sends only to the recipients still PENDING. Each recipient status change is a compare-and-set and
 * appends its event ({@code report.sent}, {@code report.bounced}, {@code report.downloaded},
 * {@code report.acknowledged}) through {@link EventLog} in the same transaction, so the event exists exactly when
 * the change does, once.
 *
 * <p>Not here: sending, rendering, links, the schedule, and the owner's alert; the methods return what changed
 * so their callers can publish the committed events and tell the owner.
 */
public final class ReportRuns {

    /** How long a report id may be (config/reports.yaml's ids). */
    private static final int MAX_REPORT_ID = 64;
    private static final int MAX_ERROR = 2000;
    private static final int MAX_RECIPIENT = 200;
    private static final int MAX_ADDRESS = 254;
    private static final int MAX_MESSAGE_ID = 500;

    private static final String RUN_COLUMNS = """
            id, report_id, period, state, attempts, last_error, document_sha256, document_size, document_format,
            claimed_by, claimed_until, created_at, updated_at""";
    private static final String BEGIN = """
            INSERT INTO report_run (report_id, period, state, attempts, created_at, updated_at)
            VALUES (:reportId, :period, 'PLANNED', 0, :now, :now)
            ON CONFLICT DO NOTHING""";
    private static final String RUN_BY_KEY = "SELECT " + RUN_COLUMNS + " FROM report_run WHERE report_id = :reportId AND period = :period";
    private static final String RUN_BY_ID = "SELECT " + RUN_COLUMNS + " FROM report_run WHERE id = :id";
    private static final String RUNS_OF = "SELECT " + RUN_COLUMNS + " FROM report_run WHERE report_id = :reportId"
            + " ORDER BY created_at DESC, id DESC LIMIT :limit";
    private static final String UNFINISHED = "state IN ('PLANNED', 'GENERATING', 'DISTRIBUTING')";
    private static final String FREE = "(claimed_until IS NULL OR claimed_until < :now)";
    private static final String RESUMABLE = "SELECT " + RUN_COLUMNS + " FROM report_run WHERE " + UNFINISHED + " AND " + FREE
            + " ORDER BY id LIMIT :limit";
    /** The compare-and-set: of two nodes that want the same free run, one gets the row. */
    private static final String CLAIM = "UPDATE report_run SET claim_token = :token, claimed_by = :node, claimed_until = :until,"
            + " updated_at = :now WHERE id = :id AND " + UNFINISHED + " AND " + FREE;
    /** Every write under a claim carries its token: one whose lease was taken over changes nothing. */
    private static final String HELD = " AND claim_token = :token AND " + UNFINISHED;
    private static final String RENEW = "UPDATE report_run SET claimed_until = :until, updated_at = :now WHERE id = :id" + HELD;
    private static final String RELEASE = "UPDATE report_run SET claim_token = NULL, claimed_by = NULL, claimed_until = NULL,"
            + " updated_at = :now WHERE id = :id" + HELD;
    private static final String GENERATING = "UPDATE report_run SET state = 'GENERATING', updated_at = :now WHERE id = :id"
            + HELD + " AND state IN ('PLANNED', 'GENERATING')";
    private static final String GENERATED = """
            UPDATE report_run SET state = 'DISTRIBUTING', document_sha256 = :sha256, document_size = :size,
                   document_format = :format, updated_at = :now
            WHERE id = :id AND state = 'GENERATING'""" + HELD;
    private static final String ENDED = ", claim_token = NULL, claimed_by = NULL, claimed_until = NULL, updated_at = :now";
    private static final String DONE = "UPDATE report_run SET state = 'DONE'" + ENDED + " WHERE id = :id AND state = 'DISTRIBUTING'"
            + HELD + " AND NOT EXISTS (SELECT 1 FROM report_recipient WHERE run_id = :id AND status = 'PENDING'"
            + " AND delivery_id IS NULL)";
    private static final String FAILED = "UPDATE report_run SET state = 'FAILED', attempts = attempts + 1, last_error = :error"
            + ENDED + " WHERE id = :id" + HELD;
    private static final String RETRY = """
            UPDATE report_run SET state = 'PLANNED', updated_at = :now
            WHERE id = :id AND state = 'FAILED' AND attempts < :maxAttempts""";

    private static final String WINDOW = """
            UPDATE report_run SET window_start = :start, window_end = :end
            WHERE id = :id AND window_start IS NULL""";
    private static final String WINDOW_OF = "SELECT period, window_start, window_end FROM report_run WHERE id = :id";
    private static final String UNDELIVERED = "SELECT " + "%s" + " FROM report_recipient WHERE run_id = :runId"
            + " AND status = 'PENDING' AND delivery_id IS NULL ORDER BY id";
    private static final String RECIPIENT_DOCUMENT = """
            UPDATE report_recipient SET document_sha256 = :sha256, document_size = :size, document_rows = :rows,
                   document_format = :format, updated_at = :now
            WHERE run_id = :runId AND address = :address""";
    private static final String DOCUMENT_OF = """
            SELECT document_sha256, document_size FROM report_recipient WHERE run_id = :runId AND address = :address""";
    /** Links are made when the email is written: a rewritten email (a retry) carries new ones, and only they count. */
    private static final String LINKS = """
            UPDATE report_recipient SET link_id = COALESCE(:linkId, link_id), ack_link_id = COALESCE(:ackLinkId, ack_link_id),
                   updated_at = :now
            WHERE run_id = :runId AND address = :address AND status = 'PENDING'""";
    private static final String RECIPIENT_COLUMNS = """
            id, run_id, recipient, address, status, delivery_id, message_id, link_id, last_error, sent_at, bounced_at,
            downloaded_at, acknowledged_at, overdue_at""";
    private static final String PLAN = """
            INSERT INTO report_recipient (run_id, recipient, address, status, created_at, updated_at)
            VALUES (:runId, :recipient, :address, 'PENDING', :now, :now)
            ON CONFLICT DO NOTHING""";
    private static final String RECIPIENTS = "SELECT " + RECIPIENT_COLUMNS + " FROM report_recipient WHERE run_id = :runId"
            + " AND (:status IS NULL OR status = :status) ORDER BY id";
    private static final String RECIPIENT = "SELECT " + RECIPIENT_COLUMNS + " FROM report_recipient WHERE run_id = :runId"
            + " AND address = :address";
    private static final String RECIPIENT_BY_ID = "SELECT " + RECIPIENT_COLUMNS + " FROM report_recipient WHERE id = :id";
    private static final String BY_MESSAGE_ID = "SELECT id FROM report_recipient WHERE message_id = :messageId ORDER BY id";
    private static final String SENT_WITH = "SELECT " + RECIPIENT_COLUMNS + " FROM report_recipient"
            + " WHERE message_id IN (:messageIds) ORDER BY id";
    private static final String BY_LINK_ID = "SELECT id FROM report_recipient WHERE link_id = :linkId ORDER BY id";
    /** Before the send: what it goes with, first value wins (a resumed send reuses the Message-ID it chose). */
    private static final String PREPARE = """
            UPDATE report_recipient SET message_id = COALESCE(message_id, :messageId), link_id = COALESCE(link_id, :linkId),
                   delivery_id = COALESCE(delivery_id, :deliveryId), updated_at = :now
            WHERE run_id = :runId AND address = :address AND status = 'PENDING'""";
    private static final String SENT = """
            UPDATE report_recipient SET status = 'SENT', message_id = :messageId, sent_at = :at, updated_at = :now
            WHERE id = :id AND status = 'PENDING'""";
    private static final String SEND_FAILED = """
            UPDATE report_recipient SET status = 'FAILED', last_error = :error, updated_at = :now
            WHERE id = :id AND status = 'PENDING'""";
    private static final String SKIPPED = """
            UPDATE report_recipient SET status = 'SKIPPED', last_error = :error, updated_at = :now
            WHERE id = :id AND status = 'PENDING' AND delivery_id IS NULL""";
    private static final String BOUNCED = """
            UPDATE report_recipient SET status = 'BOUNCED', bounced_at = :at, updated_at = :now
            WHERE id = :id AND status = 'SENT'""";
    private static final String DOWNLOADED = """
            UPDATE report_recipient SET downloaded_at = :at, updated_at = :now,
                   status = CASE WHEN status = 'SENT' THEN 'DOWNLOADED' ELSE status END
            WHERE id = :id AND downloaded_at IS NULL AND status IN ('SENT', 'OVERDUE', 'ACKNOWLEDGED')""";
    private static final String ACKNOWLEDGED = """
            UPDATE report_recipient SET status = 'ACKNOWLEDGED', acknowledged_at = :at, updated_at = :now
            WHERE id = :id AND status IN ('SENT', 'DOWNLOADED', 'OVERDUE')""";
    private static final String OVERDUE = """
            UPDATE report_recipient SET status = 'OVERDUE', overdue_at = :at, updated_at = :now
            WHERE id = :id AND status IN ('SENT', 'DOWNLOADED')""";

    /**
     * What {@link #begin} did.
     *
     * @param created true when this call created the run; false when the report had a run for the period already
     *                (in whatever state), which it returns as it stands
     */
    public record Begun(boolean created, ReportRun run) {
    }

    /**
     * A node's hold on a run, until its lease runs out. Pass it to every state change of the run.
     *
     * @param run   the run as it was when claimed
     * @param token what fences this claim's writes
     */
    public record Claim(ReportRun run, String token) {
        public long runId() {
            return run.id();
        }

        @Override
        public String toString() {
            return "Claim[run " + run.id() + " " + run.reportId() + " " + run.period() + "]";
        }
    }

    /**
     * A change a caller may act on: the recipient as it is now, and the event committed with the change (publish it
     * on the in-process bus), or null when the change has no event.
     */
    public record Change(RunRecipient recipient, Event event) {
    }

    private final Database db;
    private final EventLog events;
    private final Clock clock;

    public ReportRuns(Database db, EventLog events, Clock clock) {
        this.db = db;
        this.events = events;
        this.clock = clock;
    }

    /**
     * The run of a report for a period: creates it (PLANNED) once, or returns the one that exists, in whatever state.
     * Safe when several threads or nodes begin the same run at once: one creates it, all get it.
     *
     * @param reportId the report's id (config/reports.yaml), 1 to 64 characters
     * @param period   a period key ({@link Periods}: {@code 2026-11-23}, {@code 2026-W48}, {@code 2026-11})
     */
    public Begun begin(String reportId, String period) {
        checkReportId(reportId);
        Periods.unitOf(period);
        boolean created = db.jdbc().update(BEGIN, new MapSqlParameterSource("reportId", reportId)
                .addValue("period", period).addValue("now", Timestamp.from(now()))) == 1;
        ReportRun run = find(reportId, period).orElseThrow(() -> new IllegalStateException(
                "report " + reportId + " period " + period + ": its run was neither inserted nor found"));
        return new Begun(created, run);
    }

    public Optional<ReportRun> find(long runId) {
        return db.jdbc().query(RUN_BY_ID, Map.of("id", runId), ReportRuns::run).stream().findFirst();
    }

    public Optional<ReportRun> find(String reportId, String period) {
        return db.jdbc().query(RUN_BY_KEY, new MapSqlParameterSource("reportId", reportId).addValue("period", period),
                ReportRuns::run).stream().findFirst();
    }

    /** A report's runs, the latest first, at most {@code limit}. */
    public List<ReportRun> runs(String reportId, int limit) {
        return db.jdbc().query(RUNS_OF, new MapSqlParameterSource("reportId", reportId).addValue("limit", limit),
                ReportRuns::run);
    }

    /**
     * Unfinished runs (PLANNED, GENERATING, DISTRIBUTING) that no node holds now, or whose holder's lease ran out:
     * what to resume at start-up or on a tick. Claim each before working on it.
     */
    public List<ReportRun> resumable(int limit) {
        return db.jdbc().query(RESUMABLE, new MapSqlParameterSource("now", Timestamp.from(now())).addValue("limit", limit),
                ReportRuns::run);
    }

    /**
     * Claims an unfinished run for {@code node} for {@code lease}, when no one holds it (or the holder's lease ran
     * out). Empty when the run is DONE or FAILED, or another node holds it.
     */
    public Optional<Claim> claim(long runId, String node, Duration lease) {
        Instant now = now();
        String token = UUID.randomUUID().toString();
        int rows = db.jdbc().update(CLAIM, new MapSqlParameterSource("id", runId).addValue("token", token)
                .addValue("node", node, Types.VARCHAR).addValue("until", Timestamp.from(now.plus(lease)))
                .addValue("now", Timestamp.from(now)));
        return rows == 1 ? find(runId).map(run -> new Claim(run, token)) : Optional.empty();
    }

    /** Extends the lease; false when the claim is lost (the run was taken over, or ended): stop working on it. */
    public boolean renew(Claim claim, Duration lease) {
        Instant now = now();
        return db.jdbc().update(RENEW, fence(claim, now).addValue("until", Timestamp.from(now.plus(lease)))) == 1;
    }

    /** Gives the run up unfinished (a polite shutdown), so another node may claim it at once. */
    public boolean release(Claim claim) {
        return db.jdbc().update(RELEASE, fence(claim, now())) == 1;
    }

    /**
     * PLANNED → GENERATING (a resumed run that was GENERATING stays so: its document is made again).
     *
     * @return false when the claim is lost or the run is past generating (DISTRIBUTING: go on distributing)
     */
    public boolean generating(Claim claim) {
        return db.jdbc().update(GENERATING, fence(claim, now())) == 1;
    }

    /**
     * GENERATING → DISTRIBUTING with the document, and the event {@code report.generated}, in one transaction.
     * A report whose recipients each get a document of their own passes null: theirs are recorded with
     * {@link #recipientDocument}.
     *
     * @return the event, or empty when the claim is lost or the run was not GENERATING
     */
    public Optional<Event> generated(Claim claim, ReportRun.Document document) {
        return db.transactions().execute(tx -> {
            Instant now = now();
            int rows = db.jdbc().update(GENERATED, fence(claim, now)
                    .addValue("sha256", document == null ? null : document.sha256(), Types.VARCHAR)
                    .addValue("size", document == null ? null : document.size(), Types.BIGINT)
                    .addValue("format", document == null ? null : document.format(), Types.VARCHAR));
            if (rows != 1) {
                return Optional.<Event>empty();
            }
            ObjectNode data = runData(claim.run());
            if (document == null) {
                data.put("perRecipient", true);
            } else {
                data.put("sha256", document.sha256()).put("size", document.size()).put("format", document.format());
            }
            return Optional.of(events.append("report.generated", null, null, null, data));
        });
    }

    /**
     * DISTRIBUTING → DONE, releasing the claim, when no recipient is PENDING any more.
     *
     * @return false when the claim is lost, the run is not DISTRIBUTING, or recipients are still pending
     */
    public boolean done(Claim claim) {
        return db.jdbc().update(DONE, fence(claim, now())) == 1;
    }

    /**
     * An unfinished run → FAILED: attempts + 1, the reason kept, the claim released, and the event
     * {@code report.failed} in the same transaction. Recipients keep their status: a retry sends only to those still
     * PENDING.
     *
     * @param reason what went wrong, for the owner (the first 2000 characters are kept)
     * @return the event, or empty when the claim is lost (then the run is not marked: its holder decides)
     */
    public Optional<Event> failed(Claim claim, String reason) {
        return db.transactions().execute(tx -> {
            String error = truncate(reason == null || reason.isBlank() ? "no reason given" : reason, MAX_ERROR);
            if (db.jdbc().update(FAILED, fence(claim, now()).addValue("error", error)) != 1) {
                return Optional.<Event>empty();
            }
            ReportRun failed = find(claim.runId()).orElseThrow();
            ObjectNode data = runData(failed);
            data.put("attempts", failed.attempts()).put("reason", error);
            return Optional.of(events.append("report.failed", null, null, null, data));
        });
    }

    /**
     * FAILED → PLANNED when the run had fewer than {@code maxAttempts} attempts ({@link ReportRun#mayRetry}); claim
     * it then to work on it again.
     *
     * @return false when it is not FAILED, or had its attempts
     */
    public boolean retry(long runId, int maxAttempts) {
        return db.jdbc().update(RETRY, new MapSqlParameterSource("id", runId).addValue("maxAttempts", maxAttempts)
                .addValue("now", Timestamp.from(now()))) == 1;
    }

    /** True when its retry policy allows another attempt of the run: FAILED with fewer than maxAttempts attempts. */
    public static boolean mayRetry(ReportRun run, int maxAttempts) {
        return run.mayRetry(maxAttempts);
    }

    /**
     * Plans the run's recipients, PENDING, once: an address planned before (in this call or an earlier one) is left
     * as it is. Addresses are kept in lower case. In one transaction.
     *
     * @return how many were new
     */
    public int plan(long runId, Collection<RunRecipient.Planned> recipients) {
        Integer added = db.transactions().execute(tx -> {
            Timestamp now = Timestamp.from(now());
            int count = 0;
            for (RunRecipient.Planned planned : recipients) {
                String address = address(planned.address());
                String who = planned.recipient() == null || planned.recipient().isBlank() ? address : planned.recipient();
                if (who.length() > MAX_RECIPIENT) {
                    throw new IllegalArgumentException("report recipient name must be at most " + MAX_RECIPIENT
                            + " characters: " + truncate(who, 40));
                }
                count += db.jdbc().update(PLAN, new MapSqlParameterSource("runId", runId).addValue("recipient", who)
                        .addValue("address", address).addValue("now", now));
            }
            return count;
        });
        return added == null ? 0 : added;
    }

    /**
     * Fixes the data window a run covers, once: a resumed or retried run reads the same one.
     *
     * @return the window as stored (the first one recorded)
     */
    public RunWindow window(long runId, RunWindow window) {
        db.jdbc().update(WINDOW, new MapSqlParameterSource("id", runId).addValue("start", Timestamp.from(window.start()))
                .addValue("end", Timestamp.from(window.end())));
        return windowOf(runId, window.zone()).orElse(window.forRun(runId));
    }

    /** The data window recorded for a run, in {@code zone}; empty before {@link #window}. */
    public Optional<RunWindow> windowOf(long runId, java.time.ZoneId zone) {
        return db.jdbc().query(WINDOW_OF, Map.of("id", runId), (rs, n) -> {
            Instant start = instant(rs, "window_start");
            Instant end = instant(rs, "window_end");
            return start == null || end == null ? null : new RunWindow(runId, rs.getString("period"), start, end, zone);
        }).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** The PENDING recipients no delivery has been planned for yet: what a resumed distribution still hands over. */
    public List<RunRecipient> undelivered(long runId) {
        return db.jdbc().query(UNDELIVERED.formatted(RECIPIENT_COLUMNS), Map.of("runId", runId), ReportRuns::recipient);
    }

    /** Records a recipient's own document (perRecipient reports, digests), content-addressed, with its format. */
    public void recipientDocument(long runId, String address, String sha256, long size, long rows, String format) {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}") || size < 0 || rows < 0) {
            throw new IllegalArgumentException("a report document is 64 lower-case hex digits of SHA-256 and a size, not "
                    + sha256 + " / " + size);
        }
        db.jdbc().update(RECIPIENT_DOCUMENT, new MapSqlParameterSource("runId", runId).addValue("address", address(address))
                .addValue("sha256", sha256).addValue("size", size).addValue("rows", rows).addValue("format", format)
                .addValue("now", Timestamp.from(now())));
    }

    /** A recipient's own document (perRecipient reports): its content address and size. */
    public record OwnDocument(String sha256, long size) {
    }

    /** A recipient's own document, when it has one (else it gets the run's). */
    public Optional<OwnDocument> recipientDocument(long runId, String address) {
        return db.jdbc().query(DOCUMENT_OF, new MapSqlParameterSource("runId", runId).addValue("address", address(address)),
                (rs, n) -> rs.getString("document_sha256") == null ? null
                        : new OwnDocument(rs.getString("document_sha256"), rs.getLong("document_size")))
                .stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /**
     * The links the email to a PENDING recipient carries, recorded as it is written (null: that link unchanged). An
     * email written again for a retry carries new links, whose ids replace the old ones: downloads and
     * acknowledgements are matched by these.
     */
    public boolean links(long runId, String address, String downloadLinkId, String ackLinkId) {
        return db.jdbc().update(LINKS, new MapSqlParameterSource("runId", runId).addValue("address", address(address))
                .addValue("linkId", downloadLinkId, Types.VARCHAR).addValue("ackLinkId", ackLinkId, Types.VARCHAR)
                .addValue("now", Timestamp.from(now()))) == 1;
    }

    /** The recipients not sent to yet (PENDING), in planned order: what a resumed run still sends. */
    public List<RunRecipient> pending(long runId) {
        return recipients(runId, RunRecipient.Status.PENDING);
    }

    /** The run's recipients, in planned order; of one status when {@code status} is not null. */
    public List<RunRecipient> recipients(long runId, RunRecipient.Status status) {
        return db.jdbc().query(RECIPIENTS, new MapSqlParameterSource("runId", runId)
                .addValue("status", status == null ? null : status.name(), Types.VARCHAR), ReportRuns::recipient);
    }

    public Optional<RunRecipient> recipient(long runId, String address) {
        return db.jdbc().query(RECIPIENT, new MapSqlParameterSource("runId", runId).addValue("address", address(address)),
                ReportRuns::recipient).stream().findFirst();
    }

    /**
     * Before sending to a PENDING recipient: records the Message-ID the email will carry, its download link's id and
     * the delivery that sends it (any may be null). A value recorded before stays: a send resumed after a crash gets
     * the first Message-ID back, to ask the mailbox whether that email went before sending it again.
     *
     * @return the recipient as stored now, or empty when it is not planned or no longer PENDING
     */
    public Optional<RunRecipient> prepare(long runId, String address, String messageId, String linkId, Long deliveryId) {
        checkMessageId(messageId, true);
        int rows = db.jdbc().update(PREPARE, new MapSqlParameterSource("runId", runId).addValue("address", address(address))
                .addValue("messageId", messageId, Types.VARCHAR).addValue("linkId", linkId, Types.VARCHAR)
                .addValue("deliveryId", deliveryId, Types.BIGINT).addValue("now", Timestamp.from(now())));
        return rows == 1 ? recipient(runId, address) : Optional.empty();
    }

    /**
     * PENDING → SENT with the email's Message-ID, and the event {@code report.sent}, in one transaction.
     *
     * @return the change, or empty when the recipient is not planned or was not PENDING (sent already: not again)
     */
    public Optional<Change> markSent(long runId, String address, String messageId) {
        checkMessageId(messageId, false);
        return change(recipientId(runId, address), SENT, "report.sent", new MapSqlParameterSource("messageId", messageId), now());
    }

    /** PENDING → FAILED, the reason kept: this recipient is given up (no event: the run's owner reads the run). */
    public Optional<Change> sendFailed(long runId, String address, String reason) {
        return change(recipientId(runId, address), SEND_FAILED, null, new MapSqlParameterSource("error",
                truncate(reason == null ? "no reason given" : reason, MAX_ERROR)), now());
    }

    /**
     * PENDING → SKIPPED, the reason kept: nothing is sent to this recipient for the run's period (no event: the run
     * shows it, GET /api/reports/{id}/runs).
     */
    public Optional<Change> skipped(long runId, String address, String reason) {
        return change(recipientId(runId, address), SKIPPED, null, new MapSqlParameterSource("error",
                truncate(reason == null ? "nothing to send" : reason, MAX_ERROR)), now());
    }

    /**
     * A delivery status notification for the email with this Message-ID came back: SENT → BOUNCED and the event
     * {@code report.bounced}, once.
     *
     * @return what changed (nothing when no recipient was sent that Message-ID, or it was not SENT)
     */
    public List<Change> bounced(String messageId, Instant at) {
        if (messageId == null || messageId.isBlank()) {
            return List.of();
        }
        List<Long> ids = db.jdbc().queryForList(BY_MESSAGE_ID, Map.of("messageId", messageId), Long.class);
        return changes(ids, BOUNCED, "report.bounced", at);
    }

    /**
     * The recipients whose email carried this Message-ID, whether it was recorded with angle brackets or without
     * (a received message's ids have none: {@code MimeParser.messageId}); any status.
     */
    public List<RunRecipient> sentWith(String messageId) {
        if (messageId == null || messageId.isBlank() || messageId.length() > MAX_MESSAGE_ID) {
            return List.of();
        }
        String bare = messageId.strip().replaceAll("^<|>$", "");
        return db.jdbc().query(SENT_WITH, Map.of("messageIds", List.of(bare, "<" + bare + ">")), ReportRuns::recipient);
    }

    /**
     * The first download through the link with this id: {@code downloaded_at} is set once with the event
     * {@code report.downloaded}; a SENT recipient becomes DOWNLOADED (an OVERDUE or ACKNOWLEDGED one keeps its
     * status). Later downloads change nothing here (the link records every download).
     */
    public List<Change> downloaded(String linkId, Instant at) {
        if (linkId == null || linkId.isBlank()) {
            return List.of();
        }
        List<Long> ids = db.jdbc().queryForList(BY_LINK_ID, Map.of("linkId", linkId), Long.class);
        return changes(ids, DOWNLOADED, "report.downloaded", at);
    }

    /** The recipient confirmed: SENT, DOWNLOADED or OVERDUE → ACKNOWLEDGED, and the event {@code report.acknowledged}, once. */
    public Optional<Change> acknowledged(long runId, String address, Instant at) {
        return change(recipientId(runId, address), ACKNOWLEDGED, "report.acknowledged", new MapSqlParameterSource(), at);
    }

    /**
     * The acknowledgement deadline passed: the run's SENT and DOWNLOADED recipients → OVERDUE (no event here: the
     * reminder and the owner's alert are the caller's).
     *
     * @return the recipients that became OVERDUE now
     */
    public List<RunRecipient> overdue(long runId, Instant at) {
        List<Long> ids = new ArrayList<>();
        for (RunRecipient.Status status : List.of(RunRecipient.Status.SENT, RunRecipient.Status.DOWNLOADED)) {
            recipients(runId, status).forEach(r -> ids.add(r.id()));
        }
        return changes(ids, OVERDUE, null, at).stream().map(Change::recipient).toList();
    }

    private List<Change> changes(List<Long> ids, String update, String eventType, Instant at) {
        List<Change> changed = new ArrayList<>();
        for (long id : ids) {
            change(Optional.of(id), update, eventType, new MapSqlParameterSource(), at).ifPresent(changed::add);
        }
        return changed;
    }

    /** One recipient's compare-and-set and, when it changed the row, its event: one transaction. */
    private Optional<Change> change(Optional<Long> recipientId, String update, String eventType, MapSqlParameterSource params,
            Instant at) {
        if (recipientId.isEmpty()) {
            return Optional.empty();
        }
        long id = recipientId.get();
        return db.transactions().execute(tx -> {
            params.addValue("id", id).addValue("at", Timestamp.from(at)).addValue("now", Timestamp.from(now()));
            if (db.jdbc().update(update, params) != 1) {
                return Optional.<Change>empty();
            }
            RunRecipient changed = db.jdbc().queryForObject(RECIPIENT_BY_ID, Map.of("id", id), ReportRuns::recipient);
            if (eventType == null) {
                return Optional.of(new Change(changed, null));
            }
            ReportRun run = find(changed.runId()).orElseThrow();
            ObjectNode data = runData(run);
            data.put("recipient", changed.recipient()).put("address", changed.address())
                    .put("at", at.truncatedTo(ChronoUnit.MILLIS).toString());
            if (changed.messageId() != null) {
                data.put("messageId", changed.messageId());
            }
            return Optional.of(new Change(changed, events.append(eventType, null, null, null, data)));
        });
    }

    private Optional<Long> recipientId(long runId, String address) {
        return recipient(runId, address).map(RunRecipient::id);
    }

    private ObjectNode runData(ReportRun run) {
        ObjectNode data = events.json().createObjectNode();
        data.put("runId", run.id()).put("reportId", run.reportId()).put("period", run.period());
        return data;
    }

    private static MapSqlParameterSource fence(Claim claim, Instant now) {
        return new MapSqlParameterSource("id", claim.runId()).addValue("token", claim.token())
                .addValue("now", Timestamp.from(now));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static void checkReportId(String reportId) {
        if (reportId == null || reportId.isBlank() || reportId.length() > MAX_REPORT_ID) {
            throw new IllegalArgumentException("a report id is 1 to " + MAX_REPORT_ID + " characters, not "
                    + (reportId == null ? "null" : "'" + truncate(reportId, 80) + "'"));
        }
    }

    private static void checkMessageId(String messageId, boolean mayBeNull) {
        if (messageId == null ? !mayBeNull : messageId.isBlank() || messageId.length() > MAX_MESSAGE_ID) {
            throw new IllegalArgumentException("a report email's Message-ID is 1 to " + MAX_MESSAGE_ID
                    + " characters, not " + (messageId == null ? "null" : "'" + truncate(messageId, 80) + "'"));
        }
    }

    private static String address(String address) {
        if (address == null || address.isBlank() || address.strip().length() > MAX_ADDRESS || address.strip().indexOf('@') < 1) {
            throw new IllegalArgumentException("a report recipient's address is an email address of at most " + MAX_ADDRESS
                    + " characters, not " + (address == null ? "null" : "'" + truncate(address, 80) + "'"));
        }
        return address.strip().toLowerCase(Locale.ROOT);
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    private static ReportRun run(ResultSet rs, int row) throws SQLException {
        String sha = rs.getString("document_sha256");
        ReportRun.Document document = sha == null ? null
                : new ReportRun.Document(sha, rs.getLong("document_size"), rs.getString("document_format"));
        return new ReportRun(rs.getLong("id"), rs.getString("report_id"), rs.getString("period"),
                ReportRun.State.valueOf(rs.getString("state")), rs.getInt("attempts"), rs.getString("last_error"), document,
                rs.getString("claimed_by"), instant(rs, "claimed_until"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static RunRecipient recipient(ResultSet rs, int row) throws SQLException {
        return new RunRecipient(rs.getLong("id"), rs.getLong("run_id"), rs.getString("recipient"), rs.getString("address"),
                RunRecipient.Status.valueOf(rs.getString("status")), rs.getObject("delivery_id", Long.class),
                rs.getString("message_id"), rs.getString("link_id"), rs.getString("last_error"), instant(rs, "sent_at"),
                instant(rs, "bounced_at"), instant(rs, "downloaded_at"), instant(rs, "acknowledged_at"),
                instant(rs, "overdue_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}

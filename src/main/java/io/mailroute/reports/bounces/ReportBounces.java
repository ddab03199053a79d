package io.mailroute.reports.bounces;

import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.gmail.mime.AttachmentRef;
import io.mailroute.gmail.mime.DeliveryStatus;
import io.mailroute.gmail.mime.DeliveryStatusReader;
import io.mailroute.reports.ReportRuns;
import io.mailroute.reports.RunRecipient;
import io.mailroute.workflow.MessageFacts;
import io.mailroute.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Issue 14 section 3: a delivery status notification about a report email, arriving in the sending mailbox, turns
 * that recipient BOUNCED ({@link ReportRuns#bounced}, event {@code report.bounced}) and opens no case. Plugged into
 * triage as its {@link Workflow.OwnMail}, so it runs first, in triage's transaction: the recipient's change, its
 * event and the message's triage outcome (IGNORED, rule {@value #TAKEN_BY}, with the reason) commit together, and
 * triage publishes the event as it publishes its own.
 *
 * <p>Correlated by the original Message-ID inside the DSN ({@link DeliveryStatusReader}) with the one each report
 * recipient was sent ({@code report_recipient.message_id}). A recipient becomes BOUNCED only when a block with Action
 * {@code failed} names its address (Final-Recipient or Original-Recipient): a {@code delayed} notice, or a failure of
 * another address (the recipient's list expanded, a forward of theirs failed), is taken (no case: it is about our own
 * email) and changes nothing. A DSN about mail that is no report email (an alert, an approval request, a person's
 * mail) is not taken: triage's rules see it as before (config/triage.yaml's {@code bounces} rule makes it a case).
 */
public final class ReportBounces implements Workflow.OwnMail {

    /** The triage ledger's rule id for the messages this takes. */
    public static final String TAKEN_BY = "report-bounce";

    private static final String PARTS = """
            SELECT filename, content_type, size_bytes, sha256, inline_part, content_id FROM attachment
            WHERE message_id = :id AND content_type IN (:types) ORDER BY position""";

    private final ReportRuns runs;
    private final DeliveryStatusReader reader;
    private final Database db;

    public ReportBounces(ReportRuns runs, DeliveryStatusReader reader, Database db) {
        this.runs = runs;
        this.reader = reader;
        this.db = db;
    }

    @Override
    public Optional<Workflow.TakenOwnMail> take(MessageFacts message) {
        List<AttachmentRef> parts = db.jdbc().query(PARTS, new MapSqlParameterSource("id", message.id())
                .addValue("types", DeliveryStatusReader.partTypes()), (rs, n) -> new AttachmentRef(rs.getString("filename"),
                rs.getString("content_type"), rs.getLong("size_bytes"), rs.getString("sha256"), rs.getBoolean("inline_part"),
                rs.getString("content_id")));
        Optional<DeliveryStatus> dsn = parts.isEmpty() ? Optional.empty() : reader.read(parts);
        if (dsn.isEmpty() || dsn.get().originalMessageId() == null) {
            return Optional.empty();
        }
        List<RunRecipient> sentTo = runs.sentWith(dsn.get().originalMessageId());
        if (sentTo.isEmpty()) {
            return Optional.empty();
        }
        List<Event> events = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (RunRecipient recipient : sentTo) {
            String email = "report email <" + dsn.get().originalMessageId() + "> to " + recipient.address();
            Optional<DeliveryStatus.Recipient> failed = dsn.get().failed().stream()
                    .filter(r -> r.concerns(recipient.address())).findFirst();
            if (failed.isEmpty()) {
                reasons.add("delivery status notification of " + email + " (" + actions(dsn.get()) + "): not a bounce of it");
                continue;
            }
            List<ReportRuns.Change> changes = runs.bounced(recipient.messageId(), message.receivedAt());
            changes.stream().map(ReportRuns.Change::event).filter(java.util.Objects::nonNull).forEach(events::add);
            String status = failed.get().status() == null ? "" : " (" + failed.get().status() + ")";
            reasons.add("bounce of " + email + status + (changes.isEmpty() ? ", which was " + recipient.status() + ": no change" : ""));
        }
        return Optional.of(new Workflow.TakenOwnMail(TAKEN_BY, String.join("; ", reasons), events));
    }

    /** "delayed for x@example.com, failed for y@example.com": what the DSN says, for the reason. */
    private static String actions(DeliveryStatus dsn) {
        return dsn.recipients().stream().map(r -> (r.action() == null ? "no action" : r.action()) + " for "
                + (r.finalRecipient() == null ? "an unnamed recipient" : r.finalRecipient()))
                .limit(5).collect(Collectors.joining(", "));
    }
}

package io.mailroute.approvals;

import io.mailroute.db.Database;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.SentEmails;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * {@code approval_message}: each approval email Gmail accepted, with our Message-ID and Gmail's message and thread
 * ids, so that a reply can be matched to the request it answers (by its thread, In-Reply-To or References). Written
 * when the email transport reports a send; a second report of the same email (a retry that found it sent) adds nothing.
 */
public final class ApprovalMessages implements SentEmails {

    private static final String INSERT = """
            INSERT INTO approval_message (approval_id, approver, purpose, mailbox_id, message_id, gmail_message_id,
                gmail_thread_id, delivery_id, sent_at)
            SELECT :approvalId, :approver, :purpose, :mailbox, :messageId, :gmailId, :threadId, :deliveryId, :sentAt
            WHERE NOT EXISTS (SELECT 1 FROM approval_message WHERE message_id = :messageId)""";
    private static final String SELECT = """
            SELECT approval_id, approver, purpose, mailbox_id, message_id, gmail_message_id, gmail_thread_id, sent_at
            FROM approval_message""";

    private final ApprovalMail mail;
    private final Database db;
    private final Clock clock;

    public ApprovalMessages(ApprovalMail mail, Database db, Clock clock) {
        this.mail = mail;
        this.db = db;
        this.clock = clock;
    }

    /** One sent approval email. {@code approver} is null for mail to the requester. */
    public record Message(long approvalId, String approver, String purpose, String mailbox, String messageId, String gmailId,
            String gmailThreadId, java.time.Instant sentAt) {
    }

    @Override
    public void sent(Delivery delivery, String messageId, String gmailId, String gmailThreadId, String senderMailbox) {
        mail.sent(delivery).ifPresent(sent -> {
            try {
                db.jdbc().update(INSERT, new MapSqlParameterSource("approvalId", sent.approvalId())
                        .addValue("approver", sent.approver(), Types.VARCHAR).addValue("purpose", sent.purpose())
                        .addValue("mailbox", senderMailbox, Types.VARCHAR).addValue("messageId", messageId)
                        .addValue("gmailId", gmailId, Types.VARCHAR).addValue("threadId", gmailThreadId, Types.VARCHAR)
                        .addValue("deliveryId", delivery.id()).addValue("sentAt", Timestamp.from(clock.instant())));
            } catch (org.springframework.dao.DuplicateKeyException e) {
                // the same email reported at once by two attempts: recorded by the other
            }
        });
    }

    /** The approval emails in a Gmail thread (of any mailbox), oldest first: where a reply in that thread belongs. */
    public List<Message> inThread(String gmailThreadId) {
        return db.jdbc().query(SELECT + " WHERE gmail_thread_id = :thread ORDER BY id", Map.of("thread", gmailThreadId),
                ApprovalMessages::row);
    }

    /** The approval email with this Message-ID (without brackets), if we sent one: what a reply's In-Reply-To names. */
    public java.util.Optional<Message> byMessageId(String messageId) {
        return db.jdbc().query(SELECT + " WHERE message_id = :messageId", Map.of("messageId", messageId), ApprovalMessages::row)
                .stream().findFirst();
    }

    /** An approval's emails, oldest first. */
    public List<Message> of(long approvalId) {
        return db.jdbc().query(SELECT + " WHERE approval_id = :id ORDER BY id", Map.of("id", approvalId), ApprovalMessages::row);
    }

    private static Message row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Message(rs.getLong("approval_id"), rs.getString("approver"), rs.getString("purpose"),
                rs.getString("mailbox_id"), rs.getString("message_id"), rs.getString("gmail_message_id"),
                rs.getString("gmail_thread_id"), rs.getTimestamp("sent_at").toInstant());
    }
}

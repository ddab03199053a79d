package io.mailroute.delivery;

/**
 * Told of each email Gmail accepted, with the ids Gmail gave it: for features that must recognise a reply to it later
 * (approvals record each request email). Called after the send and before the delivery is recorded as sent; a listener
 * that throws makes the delivery try again, which then finds the message already sent and tells it again, so a listener
 * must be idempotent on the Message-ID.
 */
@FunctionalInterface
public interface SentEmails {

    /**
     * @param messageId     the Message-ID header we set, without brackets
     * @param gmailId       Gmail's message id, or null when the mail went by SMTP
     * @param gmailThreadId Gmail's thread id, or null when Gmail did not say
     * @param senderMailbox the mailbox id whose Gmail account sent it, or null for the fallback sender
     */
    void sent(Delivery delivery, String messageId, String gmailId, String gmailThreadId, String senderMailbox);

    SentEmails NONE = (delivery, messageId, gmailId, gmailThreadId, senderMailbox) -> { };

    /** This listener, then {@code other}. */
    default SentEmails andThen(SentEmails other) {
        return (delivery, messageId, gmailId, gmailThreadId, senderMailbox) -> {
            sent(delivery, messageId, gmailId, gmailThreadId, senderMailbox);
            other.sent(delivery, messageId, gmailId, gmailThreadId, senderMailbox);
        };
    }
}

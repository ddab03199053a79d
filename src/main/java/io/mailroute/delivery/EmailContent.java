package io.mailroute.delivery;

import java.util.List;

/**
 * Email a feature writes itself for some deliveries instead of the channel's template (approvals: links made for the
 * one recipient, the thread of the mail that asked). The email transport still sends it: the channel's sender, send-once
 * check, quota, fallback and records all stay the same.
 */
@FunctionalInterface
public interface EmailContent {

    /**
     * @return the email for this delivery, or null when the channel's template should write it
     * @throws IllegalStateException when the email must not be sent any more (what it is about is over); the
     *     delivery fails with the exception's message
     */
    Mail compose(Delivery delivery, ChannelsConfig.Channel channel);

    /**
     * @param thread  the Gmail thread to send in, or null for a new one
     * @param replyTo where replies go (the mailbox that reads them), or null for the sender
     */
    record Mail(String subject, String text, String html, Thread thread, String replyTo, List<Attachment> attachments) {
        public Mail {
            attachments = attachments == null ? List.of() : List.copyOf(attachments);
        }

        public Mail(String subject, String text, String html, Thread thread, String replyTo) {
            this(subject, text, html, thread, replyTo, List.of());
        }
    }

    /**
     * A file the email carries, streamed from disk when the email is composed.
     *
     * @param filename    as the recipient sees it (encoded by the composer; never a path)
     * @param contentType its MIME type
     */
    record Attachment(String filename, String contentType, java.nio.file.Path file) {
    }

    /**
     * A thread of the sending mailbox to answer in: Gmail keeps a message in it only with the thread id, In-Reply-To and
     * References, and a subject that is "Re: " and the thread's.
     *
     * @param inReplyTo  Message-ID (without brackets) answered
     * @param references the thread's Message-IDs, oldest first, without brackets
     */
    record Thread(String threadId, String inReplyTo, List<String> references) {
    }

    /** None: every email from the channel's template. */
    EmailContent NONE = (delivery, channel) -> null;

    /** This content, and where it writes nothing (null), {@code other}'s. */
    default EmailContent orElse(EmailContent other) {
        return (delivery, channel) -> {
            Mail mail = compose(delivery, channel);
            return mail != null ? mail : other.compose(delivery, channel);
        };
    }
}

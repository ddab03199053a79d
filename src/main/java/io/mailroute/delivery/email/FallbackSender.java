package io.mailroute.delivery.email;

import io.mailroute.config.MailboxSettings;

/**
 * Where email goes when the channel's own mailbox cannot send (NOT_CONNECTED, REVOKED, PAUSED):
 * another Gmail mailbox, or SMTP through Camel's mail component. Configured by
 * {@code mailroute.fallback-sender}; the delivery record names it ({@code sent_via}).
 */
public sealed interface FallbackSender permits FallbackSender.ViaMailbox, FallbackSender.ViaSmtp {

    /** The From address of mail it sends. */
    String fromAddress();

    /** For the delivery record and the log, e.g. "smtp 127.0.0.1:2525 as alerts@acme.example". */
    String describe();

    /** A Gmail mailbox from mailboxes.yaml (a send-only one needs only scope gmail.send). */
    record ViaMailbox(MailboxSettings mailbox) implements FallbackSender {
        @Override
        public String fromAddress() {
            return mailbox.address();
        }

        @Override
        public String describe() {
            return "mailbox " + mailbox.id() + " (" + mailbox.address() + ")";
        }
    }

    /**
     * SMTP through camel-mail.
     *
     * @param endpointUri the camel-mail endpoint, credentials included (Camel masks them in logs)
     * @param server      host:port, for messages
     */
    record ViaSmtp(String endpointUri, String server, String fromAddress) implements FallbackSender {
        @Override
        public String describe() {
            return "smtp " + server + " as " + fromAddress;
        }

        @Override
        public String toString() {
            return "ViaSmtp[" + describe() + "]";
        }
    }
}

package io.mailroute.gmail.mime;

import java.util.List;
import java.util.Locale;

/**
 * A delivery status notification (RFC 3464) as {@link DeliveryStatusReader} read it from a received message: what
 * happened to which recipient of which message we sent. Every string comes from the message and is untrusted; each is
 * one line, without control characters, at most {@value DeliveryStatusReader#MAX_FIELD_CHARS} characters.
 *
 * @param originalMessageId the Message-ID of the message it reports on, without angle brackets (from the returned
 *                          message or its headers, else Gmail's {@code X-Original-Message-ID}); null when it names none
 * @param recipients        the per-recipient reports, in order; never empty
 */
public record DeliveryStatus(String originalMessageId, List<Recipient> recipients) {

    public DeliveryStatus {
        recipients = List.copyOf(recipients);
    }

    /** The recipients whose Action is {@code failed}: the bounces (a {@code delayed} one is still being tried). */
    public List<Recipient> failed() {
        return recipients.stream().filter(Recipient::failed).toList();
    }

    /**
     * One per-recipient block.
     *
     * @param finalRecipient    the address the report is about (Final-Recipient, its address type removed)
     * @param originalRecipient the address as the sender gave it (Original-Recipient), or null
     * @param action            failed, delayed, delivered, relayed or expanded, lower case (as sent, when another word)
     * @param status            the enhanced status code, e.g. 5.1.1, or null
     * @param diagnosticCode    what the remote server said, or null
     */
    public record Recipient(String finalRecipient, String originalRecipient, String action, String status,
            String diagnosticCode) {

        public boolean failed() {
            return "failed".equals(action);
        }

        /** True when this block is about {@code address}: its Final-Recipient or Original-Recipient, ignoring case. */
        public boolean concerns(String address) {
            if (address == null) {
                return false;
            }
            String wanted = address.strip().toLowerCase(Locale.ROOT);
            return wanted.equals(lower(finalRecipient)) || wanted.equals(lower(originalRecipient));
        }

        private static String lower(String address) {
            return address == null ? null : address.toLowerCase(Locale.ROOT);
        }
    }
}

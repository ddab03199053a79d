package io.mailroute.delivery.email;

import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.MessagePartHeader;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One email a provider accepted, as its {@code mail.sent} audit record describes it.
 *
 * @param via           which way it went
 * @param senderMailbox the Gmail mailbox (id) that sent it; null when it went by SMTP
 * @param sentVia       the fallback sender's description when it went from one ({@link FallbackSender#describe()}), else null
 * @param standsInFor   the channel's own mailbox (id) a fallback sender sent for; null when it sent itself or has none
 * @param from          the From address
 * @param messageId     the Message-ID Mailroute set, without angle brackets
 * @param gmailId       the id Gmail gave the sent message; null by SMTP
 * @param threadId      the Gmail thread it sits in; null by SMTP
 * @param subject       the decoded Subject, as sent
 * @param confirmedBy   how we know it went
 */
record SentMail(Via via, String senderMailbox, String sentVia, String standsInFor, String from, String messageId, String gmailId,
        String threadId, List<String> to, List<String> cc, List<String> bcc, String subject, Confirmation confirmedBy) {

    enum Via {
        /** The channel's own mailbox. */
        MAILBOX("mailbox"),
        /** A fallback sender that is a Gmail mailbox. */
        FALLBACK_MAILBOX("fallback-mailbox"),
        /** A fallback sender that is an SMTP server. */
        FALLBACK_SMTP("fallback-smtp");

        final String name;

        Via(String name) {
            this.name = name;
        }
    }

    enum Confirmation {
        /** The provider's answer to the send. */
        SEND("send"),
        /** An earlier attempt was cut off (timeout, crash); Gmail's SENT folder holds our Message-ID. */
        SENT_FOLDER("sent-folder");

        final String name;

        Confirmation(String name) {
            this.name = name;
        }
    }

    SentMail {
        to = List.copyOf(to);
        cc = List.copyOf(cc);
        bcc = List.copyOf(bcc);
    }

    /** The same mail with the ids Gmail's answer to the send gave it (none by SMTP, null answer). */
    SentMail answeredBy(Message gmailAnswer) {
        return gmailAnswer == null ? this : new SentMail(via, senderMailbox, sentVia, standsInFor, from, messageId,
                gmailAnswer.getId(), gmailAnswer.getThreadId(), to, cc, bcc, subject, confirmedBy);
    }

    /** The id the delivery records: Gmail's, or our Message-ID where the provider (SMTP) gives none. */
    String providerId() {
        return gmailId != null ? gmailId : messageId;
    }

    /**
     * What we composed, recipients and subject as they are in the message; described before the send, so that nothing
     * after an accepted send can fail (see {@link #answeredBy}).
     */
    static SentMail composed(Via via, String senderMailbox, String sentVia, String standsInFor, String from, String messageId,
            MimeMessage message) throws MessagingException {
        return new SentMail(via, senderMailbox, sentVia, standsInFor, from, messageId, null, null,
                addresses(message.getRecipients(jakarta.mail.Message.RecipientType.TO)),
                addresses(message.getRecipients(jakarta.mail.Message.RecipientType.CC)),
                addresses(message.getRecipients(jakarta.mail.Message.RecipientType.BCC)),
                message.getSubject(), Confirmation.SEND);
    }

    /**
     * What Gmail holds of a message an earlier attempt sent (messages.get, format metadata): recipients and
     * subject as Gmail stored them.
     */
    static SentMail found(Via via, String senderMailbox, String sentVia, String standsInFor, String from, String messageId,
            Message metadata) {
        List<MessagePartHeader> headers = metadata.getPayload() == null || metadata.getPayload().getHeaders() == null
                ? List.of() : metadata.getPayload().getHeaders();
        return new SentMail(via, senderMailbox, sentVia, standsInFor, from, messageId, metadata.getId(), metadata.getThreadId(),
                header(headers, "To"), header(headers, "Cc"), header(headers, "Bcc"),
                headers.stream().filter(h -> "Subject".equalsIgnoreCase(h.getName())).map(h -> decoded(h.getValue()))
                        .findFirst().orElse(null), Confirmation.SENT_FOLDER);
    }

    /** A header value with its RFC 2047 words decoded, or as it is when they do not decode. */
    private static String decoded(String value) {
        try {
            return value == null ? null : jakarta.mail.internet.MimeUtility.decodeText(jakarta.mail.internet.MimeUtility.unfold(value));
        } catch (java.io.UnsupportedEncodingException e) {
            return value;
        }
    }

    private static List<String> header(List<MessagePartHeader> headers, String name) {
        List<String> addresses = new ArrayList<>();
        for (MessagePartHeader header : headers) {
            if (name.equalsIgnoreCase(header.getName()) && header.getValue() != null) {
                try {
                    addresses.addAll(addresses(InternetAddress.parseHeader(header.getValue(), false)));
                } catch (AddressException e) {
                    addresses.add(header.getValue()); // as Gmail has it: the record still says who it went to
                }
            }
        }
        return addresses;
    }

    private static List<String> addresses(jakarta.mail.Address[] addresses) {
        return addresses == null ? List.of() : Arrays.stream(addresses)
                .map(a -> a instanceof InternetAddress internet ? internet.getAddress() : a.toString()).toList();
    }
}

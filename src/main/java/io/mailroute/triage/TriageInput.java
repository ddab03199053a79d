package io.mailroute.triage;

import io.mailroute.gmail.mime.AttachmentRef;
import io.mailroute.gmail.mime.MailAddress;
import io.mailroute.gmail.mime.ParsedMail;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The facts about one message that triage rules look at. Never holds nulls except {@code fromName}
 * and {@code htmlBody}/{@code textBody}; every string comes from the sender and is untrusted.
 *
 * @param mailbox          the mailbox id from {@code config/mailboxes.yaml} ({@code support})
 * @param attachments      real attachments only: inline parts with a Content-ID (signature logos, pasted images) are left out
 * @param labels           Gmail label ids of the message ({@code INBOX}, {@code CATEGORY_PROMOTIONS}, {@code Label_12})
 * @param dkim             Gmail's verdict ({@code pass}, {@code fail}, {@code none} ...), lower case
 * @param replyToKnownItem true when the message answers a message that already belongs to a workflow item
 * @param headers          the extra headers {@link ParsedMail#extraHeaders()} carries (List-Id, Precedence, Auto-Submitted, Return-Path)
 */
public record TriageInput(String mailbox, String fromAddress, String fromName, List<String> to, List<String> cc,
        String subject, String textBody, String htmlBody, List<Attachment> attachments, Set<String> labels,
        String dkim, String spf, String dmarc, boolean replyToKnownItem, Map<String, String> headers) {

    /** An attachment as the sender described it. */
    public record Attachment(String filename, String contentType, long size) {
        public Attachment {
            filename = filename == null ? "" : filename;
            contentType = contentType == null ? "application/octet-stream" : contentType;
        }
    }

    public TriageInput {
        mailbox = mailbox == null ? "" : mailbox;
        fromAddress = fromAddress == null ? "" : fromAddress;
        to = to == null ? List.of() : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        subject = subject == null ? "" : subject;
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        labels = labels == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(labels));
        dkim = verdict(dkim);
        spf = verdict(spf);
        dmarc = verdict(dmarc);
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** Without the extra headers (rules with {@code headers:} conditions then see none). */
    public TriageInput(String mailbox, String fromAddress, String fromName, List<String> to, List<String> cc,
            String subject, String textBody, String htmlBody, List<Attachment> attachments, Set<String> labels,
            String dkim, String spf, String dmarc, boolean replyToKnownItem) {
        this(mailbox, fromAddress, fromName, to, cc, subject, textBody, htmlBody, attachments, labels, dkim, spf, dmarc,
                replyToKnownItem, Map.of());
    }

    /**
     * The triage view of a parsed message.
     *
     * @param mailbox          the mailbox id ({@code support}), as in {@code config/mailboxes.yaml}
     * @param labels           the message's Gmail label ids; may be null
     * @param replyToKnownItem whether In-Reply-To/References point at a message of an existing item
     */
    public static TriageInput from(String mailbox, ParsedMail mail, Collection<String> labels, boolean replyToKnownItem) {
        Objects.requireNonNull(mail, "mail");
        MailAddress from = mail.from();
        List<Attachment> attachments = mail.attachments().stream()
                .filter(a -> !(a.inline() && a.contentId() != null)) // shown in the body (logos, pasted images): not an attachment
                .map(TriageInput::attachment)
                .toList();
        return new TriageInput(mailbox,
                from == null ? "" : from.address(),
                from == null ? null : from.displayName(),
                addresses(mail.to()), addresses(mail.cc()),
                mail.subject(), mail.textBody(), mail.htmlBody(), attachments,
                labels == null ? Set.of() : new LinkedHashSet<>(labels),
                mail.authentication().dkim(), mail.authentication().spf(), mail.authentication().dmarc(),
                replyToKnownItem, mail.extraHeaders());
    }

    private static Attachment attachment(AttachmentRef ref) {
        return new Attachment(ref.filename(), ref.contentType(), ref.size());
    }

    private static List<String> addresses(List<MailAddress> addresses) {
        return addresses.stream().map(MailAddress::address).filter(Objects::nonNull).toList();
    }

    private static String verdict(String value) {
        return value == null || value.isBlank() ? "none" : value.strip().toLowerCase(java.util.Locale.ROOT);
    }
}

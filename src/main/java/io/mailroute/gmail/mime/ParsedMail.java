package io.mailroute.gmail.mime;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Gmail message after MIME parsing. Every string comes from the sender and is untrusted;
 * header-derived strings carry no CR/LF. Lists and the header map are never null and immutable.
 * {@code from} is the first address of the From header(s); {@code fromOthers} holds the others, in order
 * (a From with two addresses, with or without a comma, or a second From header).
 */
public record ParsedMail(
        String messageId,
        String subject,
        MailAddress from,
        List<MailAddress> fromOthers,
        List<MailAddress> to,
        List<MailAddress> cc,
        List<MailAddress> replyTo,
        Instant date,
        String inReplyTo,
        List<String> references,
        String textBody,
        String htmlBody,
        List<AttachmentRef> attachments,
        AuthVerdicts authentication,
        Map<String, String> extraHeaders,
        long sizeBytes) {

    public ParsedMail {
        subject = subject == null ? "" : subject;
        fromOthers = fromOthers == null ? List.of() : List.copyOf(fromOthers);
        to = to == null ? List.of() : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        replyTo = replyTo == null ? List.of() : List.copyOf(replyTo);
        references = references == null ? List.of() : List.copyOf(references);
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        authentication = authentication == null ? AuthVerdicts.none() : authentication;
        // Map.copyOf would lose the header order, which readers of the log expect.
        extraHeaders = extraHeaders == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extraHeaders));
    }
}

package io.mailroute.approvals;

import io.mailroute.gmail.mime.AuthVerdicts;
import io.mailroute.gmail.mime.MailAddress;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.gmail.mime.ParsedMail;
import java.util.List;
import java.util.Objects;

/**
 * The facts of an incoming reply that decide whether it may decide an approval. Every one but the thread id comes
 * from the email and is untrusted; the authentication verdicts are the ones Gmail stamped, as {@link MimeParser}
 * reads them (the topmost Authentication-Results, and only when it is Gmail's own).
 *
 * @param threadId the Gmail thread id of the reply, from the Gmail API (messages.get), not from the mail
 * @param from the first address of the From header, as {@link MailAddress#address()} gives it; null when there is none
 * @param otherFrom further From addresses (a From naming two mailboxes, or a second From header)
 * @param inReplyTo the In-Reply-To Message-ID
 * @param references the References Message-IDs, in order
 */
public record ReplyMessage(String threadId, String from, List<String> otherFrom, String inReplyTo, List<String> references,
        AuthVerdicts authentication) {

    public ReplyMessage {
        otherFrom = otherFrom == null ? List.of() : List.copyOf(otherFrom);
        // Normalised again as the parser does, so that ids taken from a stored row compare like parsed ones.
        inReplyTo = MimeParser.messageId(inReplyTo);
        references = references == null ? List.of()
                : references.stream().map(MimeParser::messageId).filter(Objects::nonNull).toList();
        authentication = authentication == null ? AuthVerdicts.none() : authentication;
    }

    /** The reply as intake parsed it, in the Gmail thread {@code gmailThreadId}. */
    public static ReplyMessage of(String gmailThreadId, ParsedMail mail) {
        return new ReplyMessage(gmailThreadId, mail.from() == null ? null : mail.from().address(),
                mail.fromOthers().stream().map(MailAddress::address).toList(), mail.inReplyTo(), mail.references(),
                mail.authentication());
    }
}

package io.mailroute.approvals;

import io.mailroute.gmail.mime.MimeParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Tells whether a received message answers an approval's request or reminder email: its In-Reply-To or one of its
 * References is such an email's Message-ID, or it is in the Gmail thread of one sent from the same mailbox. Mail to
 * the requester (purpose NOTICE) does not count. Only the match is decided here; whether the reply may decide is
 * {@link ReplyVerifier}'s question, asked against the request email to the sender when the approval sent one (so a
 * reply to one approver's email from another approver is checked against that other approver's own email).
 *
 * <p>Pure apart from its lookups (over {@code approval_message}).
 */
public final class ReplyMatcher {

    private static final List<String> ASKING = List.of("REQUEST", "REMINDER");

    private final Function<String, Optional<ApprovalMessages.Message>> byMessageId;
    private final Function<String, List<ApprovalMessages.Message>> inThread;
    private final Function<Long, List<ApprovalMessages.Message>> ofApproval;

    public ReplyMatcher(ApprovalMessages messages) {
        this(messages::byMessageId, messages::inThread, messages::of);
    }

    ReplyMatcher(Function<String, Optional<ApprovalMessages.Message>> byMessageId,
            Function<String, List<ApprovalMessages.Message>> inThread, Function<Long, List<ApprovalMessages.Message>> ofApproval) {
        this.byMessageId = byMessageId;
        this.inThread = inThread;
        this.ofApproval = ofApproval;
    }

    /**
     * @param mailbox the mailbox the message was received in
     * @param threadId its Gmail thread id (from the Gmail API)
     * @param from its From address (untrusted: used only to pick the request email to check against)
     */
    public ReplyMatch match(String mailbox, String threadId, String from, String inReplyTo, List<String> references) {
        List<String> named = named(inReplyTo, references);
        for (int i = 0; i < named.size(); i++) {
            Optional<ApprovalMessages.Message> found = byMessageId.apply(named.get(i)).filter(ReplyMatcher::asking);
            if (found.isPresent()) {
                return reply(found.get(), from, named, i == 0 && named.get(0).equals(MimeParser.messageId(inReplyTo))
                        ? "in-reply-to" : "references");
            }
        }
        if (threadId != null && !threadId.isBlank()) {
            // a Gmail thread id means something only in its own mailbox: the one that sent the request
            Optional<ApprovalMessages.Message> found = inThread.apply(threadId).stream().filter(ReplyMatcher::asking)
                    .filter(m -> Objects.equals(m.mailbox(), mailbox)).reduce((first, second) -> second);
            if (found.isPresent()) {
                return reply(found.get(), from, named, "thread");
            }
        }
        return new ReplyMatch.Ordinary();
    }

    /** The approval's request email to the sender, the one the reply names first, else the newest; else {@code found}. */
    private ReplyMatch reply(ApprovalMessages.Message found, String from, List<String> named, String matchedBy) {
        String sender = from == null ? "" : from.toLowerCase(Locale.ROOT);
        List<ApprovalMessages.Message> toSender = ofApproval.apply(found.approvalId()).stream().filter(ReplyMatcher::asking)
                .filter(m -> m.approver() != null && m.approver().toLowerCase(Locale.ROOT).equals(sender)).toList();
        ApprovalMessages.Message request = toSender.stream()
                .filter(m -> named.contains(m.messageId()))
                .min(Comparator.comparingInt(m -> named.indexOf(m.messageId())))
                .or(() -> toSender.stream().filter(m -> Objects.equals(m.gmailThreadId(), found.gmailThreadId()))
                        .reduce((first, second) -> second))
                .or(() -> toSender.stream().reduce((first, second) -> second))
                .orElse(found);
        return new ReplyMatch.ApprovalReply(request, matchedBy);
    }

    private static boolean asking(ApprovalMessages.Message message) {
        return ASKING.contains(message.purpose());
    }

    /** In-Reply-To first, then References from the newest (last) to the oldest; normalised, no repeats. */
    private static List<String> named(String inReplyTo, List<String> references) {
        List<String> out = new ArrayList<>();
        String first = MimeParser.messageId(inReplyTo);
        if (first != null) {
            out.add(first);
        }
        List<String> refs = references == null ? List.of() : references;
        for (int i = refs.size() - 1; i >= 0; i--) {
            String id = MimeParser.messageId(refs.get(i));
            if (id != null && !out.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }
}

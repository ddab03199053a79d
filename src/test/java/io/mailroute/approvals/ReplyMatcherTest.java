package io.mailroute.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplyMatcherTest {

    private static final Instant T = Instant.parse("2026-03-02T09:00:00Z");
    private static final ApprovalMessages.Message TO_OKAFOR = new ApprovalMessages.Message(7, "r.okafor@acme.example",
            "REQUEST", "accounts", "req-okafor@mailroute.acme.example", "g1", "thread-7", T);
    private static final ApprovalMessages.Message TO_LEE = new ApprovalMessages.Message(7, "m.lee@acme.example",
            "REQUEST", "accounts", "req-lee@mailroute.acme.example", "g2", "thread-7b", T);
    private static final ApprovalMessages.Message NOTICE = new ApprovalMessages.Message(7, null,
            "NOTICE", "accounts", "notice@mailroute.acme.example", "g3", "thread-9", T);
    private static final List<ApprovalMessages.Message> ALL = List.of(TO_OKAFOR, TO_LEE, NOTICE);

    private final ReplyMatcher matcher = new ReplyMatcher(
            id -> ALL.stream().filter(m -> m.messageId().equals(id)).findFirst(),
            thread -> ALL.stream().filter(m -> m.gmailThreadId().equals(thread)).toList(),
            approval -> ALL.stream().filter(m -> m.approvalId() == approval).toList());

    @Test
    void aReplyInTheRequestsThreadAnswersIt() {
        ReplyMatch.ApprovalReply reply = assertInstanceOf(ReplyMatch.ApprovalReply.class,
                matcher.match("accounts", "thread-7", "r.okafor@acme.example", null, List.of()));
        assertEquals(TO_OKAFOR, reply.request());
        assertEquals("thread", reply.matchedBy());
        assertEquals(7, reply.approvalId());
    }

    @Test
    void aReplyNamingTheRequestInInReplyToAnswersItWhateverItsThread() {
        ReplyMatch.ApprovalReply reply = assertInstanceOf(ReplyMatch.ApprovalReply.class,
                matcher.match("accounts", "elsewhere", "R.Okafor@ACME.example", "<req-okafor@mailroute.acme.example>", List.of()));
        assertEquals(TO_OKAFOR, reply.request());
        assertEquals("in-reply-to", reply.matchedBy());
    }

    @Test
    void aReplyNamingTheRequestInReferencesOnlyAnswersIt() {
        ReplyMatch.ApprovalReply reply = assertInstanceOf(ReplyMatch.ApprovalReply.class, matcher.match("accounts", "elsewhere",
                "r.okafor@acme.example", "other@x.example", List.of("first@x.example", "req-okafor@mailroute.acme.example")));
        assertEquals("references", reply.matchedBy());
    }

    @Test
    void anotherApproversReplyIsCheckedAgainstTheirOwnRequestEmail() {
        ReplyMatch.ApprovalReply reply = assertInstanceOf(ReplyMatch.ApprovalReply.class,
                matcher.match("accounts", "thread-7", "m.lee@acme.example", "req-okafor@mailroute.acme.example", List.of()));
        assertEquals(TO_LEE, reply.request());
    }

    @Test
    void aStrangerInTheThreadIsCheckedAgainstTheEmailTheyAnswered() {
        ReplyMatch.ApprovalReply reply = assertInstanceOf(ReplyMatch.ApprovalReply.class,
                matcher.match("accounts", "thread-7", "mallory@evil.example", null, List.of()));
        assertEquals(TO_OKAFOR, reply.request());
    }

    @Test
    void unrelatedMailIsOrdinary() {
        assertInstanceOf(ReplyMatch.Ordinary.class,
                matcher.match("accounts", "thread-other", "r.okafor@acme.example", "nothing@x.example", List.of("a@x.example")));
        assertInstanceOf(ReplyMatch.Ordinary.class, matcher.match("accounts", null, "r.okafor@acme.example", null, null));
    }

    @Test
    void theSameThreadIdInAnotherMailboxIsAnotherThread() {
        assertInstanceOf(ReplyMatch.Ordinary.class, matcher.match("support", "thread-7", "r.okafor@acme.example", null, List.of()));
    }

    @Test
    void repliesToTheRequestersNoticeAreOrdinary() {
        assertInstanceOf(ReplyMatch.Ordinary.class,
                matcher.match("accounts", "thread-9", "j.smith@acme.example", "notice@mailroute.acme.example", List.of()));
    }

    @Test
    void unknownLookupsAreOrdinary() {
        ReplyMatcher empty = new ReplyMatcher(id -> Optional.empty(), thread -> List.of(), approval -> List.of());
        assertInstanceOf(ReplyMatch.Ordinary.class, empty.match("accounts", "thread-7", "r.okafor@acme.example",
                "req-okafor@mailroute.acme.example", List.of()));
    }
}

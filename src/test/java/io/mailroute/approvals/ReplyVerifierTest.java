package io.mailroute.approvals;

import static io.mailroute.approvals.ReplyMail.FORGED_PASS;
import static io.mailroute.approvals.ReplyMail.GMAIL_FAIL;
import static io.mailroute.approvals.ReplyMail.GMAIL_PASS;
import static io.mailroute.approvals.ReplyMail.REQUEST_MESSAGE_ID;
import static io.mailroute.approvals.ReplyMail.REQUEST_THREAD_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.gmail.mime.AuthVerdicts;
import io.mailroute.gmail.mime.ParsedMail;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ReplyVerifierTest {

    private static final List<String> APPROVERS = List.of("ann@Globex.Example", "bob@initech.example");
    private static final ReplyRequest OPEN = new ReplyRequest(REQUEST_MESSAGE_ID, REQUEST_THREAD_ID, APPROVERS, false);

    @TempDir
    Path attachments;

    private final ReplyVerifier verifier = new ReplyVerifier();

    private ReplyVerification verify(ReplyMail mail, String threadId, ReplyRequest request) throws Exception {
        return verifier.verify(ReplyMessage.of(threadId, mail.parse(attachments)), request);
    }

    private static ReplyVerification.Refused refused(ReplyVerification v, ReplyRefusal reason) {
        ReplyVerification.Refused refused = assertInstanceOf(ReplyVerification.Refused.class, v, () -> "expected " + reason + ", got " + v);
        assertEquals(reason, refused.reason(), () -> "evidence: " + refused.evidence());
        assertEquals(reason.sentence(), refused.sentence());
        assertTrue(!refused.evidence().get("finding").isBlank(), "the audit learns what failed");
        return refused;
    }

    // ---- real replies, parsed from their bytes ------------------------------------------------------

    @Test
    void aGenuineApproverReplyWithDmarcPassIsAcceptedAndItsWordsDecide() throws Exception {
        ParsedMail mail = ReplyMail.genuine().parse(attachments);

        ReplyVerification v = verifier.verify(ReplyMessage.of(REQUEST_THREAD_ID, mail), OPEN);

        ReplyVerification.Accepted accepted = assertInstanceOf(ReplyVerification.Accepted.class, v, v::toString);
        assertEquals("ann@Globex.Example", accepted.approver(), "the approver as the request names them");
        assertEquals("dmarc=pass header.from=globex.example", accepted.authentication());
        assertEquals("ann@globex.example", accepted.evidence().get("from"));
        assertEquals("pass", accepted.evidence().get("dmarc"));
        assertEquals(new ReplyReading.Decided(ReplyDecision.APPROVE, ""),
                new ReplyDecisionReader().read(mail.textBody(), mail.htmlBody()), "the reply's text as the parser gives it");
    }

    @Test
    void aSpoofedFromWithDmarcFailIsRefused() throws Exception {
        ReplyVerification v = verify(ReplyMail.genuine().authenticationResults(GMAIL_FAIL), REQUEST_THREAD_ID, OPEN);

        ReplyVerification.Refused refused = refused(v, ReplyRefusal.NOT_AUTHENTICATED);
        assertEquals("fail", refused.evidence().get("dmarc"));
        assertEquals("", refused.evidence().get("dmarcPassDomains"));
    }

    @Test
    void aForgedAuthenticationResultsLowerInTheHeadersIsIgnored() throws Exception {
        ReplyMail forged = ReplyMail.genuine().authenticationResults(GMAIL_FAIL, FORGED_PASS);
        ParsedMail mail = forged.parse(attachments);
        assertEquals("fail", mail.authentication().dmarc(), "Gmail's own verdict, the topmost");

        refused(verifier.verify(ReplyMessage.of(REQUEST_THREAD_ID, mail), OPEN), ReplyRefusal.NOT_AUTHENTICATED);
        // The control: the forged header alone, on top where Gmail's would be, is what would have let it through.
        assertInstanceOf(ReplyVerification.Accepted.class,
                verify(ReplyMail.genuine().authenticationResults(FORGED_PASS), REQUEST_THREAD_ID, OPEN));
    }

    @Test
    void aForgedGmailHeaderBelowSomeoneElsesIsIgnored() throws Exception {
        ReplyMail forged = ReplyMail.genuine().authenticationResults("relay.globex.example; dmarc=pass header.from=globex.example", FORGED_PASS);
        refused(verify(forged, REQUEST_THREAD_ID, OPEN), ReplyRefusal.NOT_AUTHENTICATED);
    }

    @Test
    void aReplyWithoutAnyAuthenticationResultsIsRefused() throws Exception {
        refused(verify(ReplyMail.genuine().authenticationResults(), REQUEST_THREAD_ID, OPEN), ReplyRefusal.NOT_AUTHENTICATED);
    }

    @Test
    void aReplyInAnotherThreadIsRefused() throws Exception {
        ReplyVerification.Refused refused = refused(verify(ReplyMail.genuine(), "18e9f0a1b2c3ffff", OPEN), ReplyRefusal.NOT_IN_THREAD);
        assertEquals("18e9f0a1b2c3ffff", refused.evidence().get("replyThreadId"));
        assertEquals(REQUEST_THREAD_ID, refused.evidence().get("requestThreadId"));
    }

    @Test
    void aReplyFromSomeoneWhoIsNoApproverIsRefused() throws Exception {
        ReplyMail carol = ReplyMail.genuine().from("Carol <carol@globex.example>");
        ReplyVerification.Refused refused = refused(verify(carol, REQUEST_THREAD_ID, OPEN), ReplyRefusal.NOT_AN_APPROVER);
        assertEquals("carol@globex.example", refused.evidence().get("from"));
        assertEquals("ann@Globex.Example, bob@initech.example", refused.evidence().get("approvers"));
    }

    @Test
    void aMessageThatAnswersAnotherEmailOfTheThreadIsRefused() throws Exception {
        ReplyMail other = ReplyMail.genuine().inReplyTo("<reminder-42.2@mailroute.acme.example>").references("<po-1042@initech.example>");
        refused(verify(other, REQUEST_THREAD_ID, OPEN), ReplyRefusal.NOT_A_REPLY_TO_THE_REQUEST);
    }

    @Test
    void aReplyToAnAlreadyDecidedRequestIsRefused() throws Exception {
        ReplyRequest decided = new ReplyRequest(REQUEST_MESSAGE_ID, REQUEST_THREAD_ID, APPROVERS, true);
        refused(verify(ReplyMail.genuine(), REQUEST_THREAD_ID, decided), ReplyRefusal.ALREADY_DECIDED);
    }

    @Test
    void aForgerIsNotToldThatTheRequestWasDecided() throws Exception {
        ReplyRequest decided = new ReplyRequest(REQUEST_MESSAGE_ID, REQUEST_THREAD_ID, APPROVERS, true);
        refused(verify(ReplyMail.genuine().authenticationResults(GMAIL_FAIL), REQUEST_THREAD_ID, decided), ReplyRefusal.NOT_AUTHENTICATED);
        refused(verify(ReplyMail.genuine().from("carol@globex.example"), REQUEST_THREAD_ID, decided), ReplyRefusal.NOT_AN_APPROVER);
    }

    static Stream<Arguments> threading() {
        return Stream.of(
                Arguments.of("In-Reply-To alone", REQUEST_MESSAGE_ID, null, true),
                Arguments.of("References alone, among others", null, "<po-1042@initech.example>\r\n " + REQUEST_MESSAGE_ID, true),
                Arguments.of("References with a comment and spaces inside the brackets",
                        null, "<po-1042@initech.example> < approval-42.1@mailroute.acme.example > (the request)", true),
                Arguments.of("neither header", null, null, false),
                Arguments.of("the id with another case is another id", "<APPROVAL-42.1@mailroute.acme.example>", null, false),
                Arguments.of("the id inside a longer one", "<x-approval-42.1@mailroute.acme.example>", null, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("threading")
    void aReplyMustNameTheRequestsMessageId(String what, String inReplyTo, String references, boolean accepted) throws Exception {
        ReplyVerification v = verify(ReplyMail.genuine().inReplyTo(inReplyTo).references(references), REQUEST_THREAD_ID, OPEN);
        if (accepted) {
            assertInstanceOf(ReplyVerification.Accepted.class, v, v::toString);
        } else {
            refused(v, ReplyRefusal.NOT_A_REPLY_TO_THE_REQUEST);
        }
    }

    @Test
    void theRequestsMessageIdMayBeGivenWithoutBrackets() throws Exception {
        ReplyRequest bare = new ReplyRequest("approval-42.1@mailroute.acme.example", REQUEST_THREAD_ID, APPROVERS, false);
        assertInstanceOf(ReplyVerification.Accepted.class, verify(ReplyMail.genuine(), REQUEST_THREAD_ID, bare));
    }

    static Stream<Arguments> senders() {
        return Stream.of(
                Arguments.of("the domain in another case", "Ann <ann@GLOBEX.example>", GMAIL_PASS, "accepted"),
                Arguments.of("the local part in another case is another mailbox", "Ann <Ann@globex.example>", GMAIL_PASS, "NOT_AN_APPROVER"),
                Arguments.of("a From naming two mailboxes", "ann@globex.example, mallory@lookalike.example", GMAIL_PASS, "NOT_AUTHENTICATED"),
                Arguments.of("dkim aligned through a subdomain, no DMARC record",
                        "ann@globex.example", "mx.google.com; dkim=pass header.d=mail.globex.example; spf=pass; dmarc=none", "accepted"),
                Arguments.of("dkim of the mail provider only, not aligned",
                        "ann@globex.example", "mx.google.com; dkim=pass header.d=sendgrid.net; spf=pass; dmarc=none", "NOT_AUTHENTICATED"),
                Arguments.of("dmarc passing for another domain",
                        "ann@globex.example", "mx.google.com; dkim=pass header.i=@lookalike.example; dmarc=pass header.from=lookalike.example",
                        "NOT_AUTHENTICATED"),
                Arguments.of("dkim of a domain that merely contains the From domain's name",
                        "bob@initech.example", "mx.google.com; dkim=pass header.d=attacker.initech.example.evil.example; dmarc=fail",
                        "NOT_AUTHENTICATED"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("senders")
    void theSenderMustBeAnApproverAndGmailMustVouchForTheirDomain(String what, String from, String authResults, String expected)
            throws Exception {
        ReplyVerification v = verify(ReplyMail.genuine().from(from).authenticationResults(authResults), REQUEST_THREAD_ID, OPEN);
        if (expected.equals("accepted")) {
            assertInstanceOf(ReplyVerification.Accepted.class, v, v::toString);
        } else {
            refused(v, ReplyRefusal.valueOf(expected));
        }
    }

    @Test
    void anAcceptanceByAlignedDkimSaysSo() {
        AuthVerdicts dkimOnly = new AuthVerdicts("pass", "pass", "none", List.of("mail.globex.example"), List.of());
        ReplyMessage reply = new ReplyMessage(REQUEST_THREAD_ID, "ann@globex.example", List.of(), REQUEST_MESSAGE_ID, List.of(), dkimOnly);

        ReplyVerification.Accepted accepted = assertInstanceOf(ReplyVerification.Accepted.class, verifier.verify(reply, OPEN));

        assertEquals("dkim=pass header.d=mail.globex.example aligned with globex.example (dmarc=none)", accepted.authentication());
    }

    @Test
    void theFirstFailedCheckNamesTheRefusal() {
        // In another thread, answering nothing, from no approver, unauthenticated, decided: the thread is named.
        ReplyMessage everythingWrong = new ReplyMessage("other", "carol@x.example", List.of("y@z.example"), null, List.of(), AuthVerdicts.none());
        refused(verifier.verify(everythingWrong, new ReplyRequest(REQUEST_MESSAGE_ID, REQUEST_THREAD_ID, APPROVERS, true)),
                ReplyRefusal.NOT_IN_THREAD);
        ReplyMessage noFrom = new ReplyMessage(REQUEST_THREAD_ID, null, List.of(), REQUEST_MESSAGE_ID, List.of(), AuthVerdicts.none());
        refused(verifier.verify(noFrom, OPEN), ReplyRefusal.NOT_AN_APPROVER);
        ReplyMessage noThread = new ReplyMessage(null, "ann@globex.example", List.of(), REQUEST_MESSAGE_ID, List.of(), AuthVerdicts.none());
        refused(verifier.verify(noThread, OPEN), ReplyRefusal.NOT_IN_THREAD);
    }

    @Test
    void evidenceFromTheEmailIsBounded() {
        String longId = "x".repeat(5000) + "@y.example";
        ReplyMessage reply = new ReplyMessage(REQUEST_THREAD_ID, "ann@globex.example", List.of(), longId, List.of(longId, longId), AuthVerdicts.none());
        ReplyVerification.Refused refused = refused(verifier.verify(reply, OPEN), ReplyRefusal.NOT_A_REPLY_TO_THE_REQUEST);
        refused.evidence().values().forEach(value -> assertTrue(value.length() <= ReplyVerifier.MAX_EVIDENCE_CHARS, value.length() + " chars"));
    }

    @ParameterizedTest(name = "{0} and {1}: {2}")
    @CsvSource({
        "globex.example, globex.example, true",
        "GLOBEX.example, globex.example, true",
        "mail.globex.example, globex.example, true",
        "globex.example, eu.mail.globex.example, true",
        "a.globex.example, b.globex.example, false",
        "example, globex.example, false",
        "xglobex.example, globex.example, false",
        "globex.example.evil.example, globex.example, false",
        "sendgrid.net, globex.example, false"})
    void alignmentIsEqualityOrSubdomainWithoutThePublicSuffixList(String signing, String from, boolean aligned) {
        assertEquals(aligned, ReplyVerifier.aligned(signing, from));
    }
}

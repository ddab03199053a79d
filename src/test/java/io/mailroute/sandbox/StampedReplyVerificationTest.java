package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mailroute.approvals.ReplyMessage;
import io.mailroute.approvals.ReplyRefusal;
import io.mailroute.approvals.ReplyRequest;
import io.mailroute.approvals.ReplyVerification;
import io.mailroute.approvals.ReplyVerifier;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.MimeParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the sandbox stamps on an inserted reply is what the reply verifier trusts, and no more. */
class StampedReplyVerificationTest {

    private static final ReplyRequest REQUEST = new ReplyRequest("<approval-7.1@mailroute.acme.example>", "t-7",
            List.of("approver@acme.example"), false);

    @TempDir
    Path attachments;

    private ReplyVerification verifyStamped(String headers) throws Exception {
        String raw = headers + "From: Approver <approver@acme.example>\r\nTo: approvals@acme.example\r\nSubject: Re: PO\r\n"
                + "Message-ID: <r1@acme.example>\r\nIn-Reply-To: <approval-7.1@mailroute.acme.example>\r\n\r\nApproved.\r\n";
        byte[] stamped = AuthenticationResultsStamper.stamp(raw.getBytes(StandardCharsets.UTF_8));
        return new ReplyVerifier().verify(ReplyMessage.of("t-7", new MimeParser(new AttachmentStore(attachments, 1024)).parse(stamped)), REQUEST);
    }

    @Test
    void aReplyTheSandboxPassesIsAccepted() throws Exception {
        ReplyVerification.Accepted accepted = assertInstanceOf(ReplyVerification.Accepted.class, verifyStamped(""));
        assertEquals("dmarc=pass header.from=acme.example", accepted.authentication());
    }

    @Test
    void aReplyTheSandboxFailsIsRefused() throws Exception {
        ReplyVerification v = verifyStamped("X-Sandbox-Auth: dkim=fail; spf=softfail; dmarc=fail\r\n");
        assertEquals(ReplyRefusal.NOT_AUTHENTICATED, assertInstanceOf(ReplyVerification.Refused.class, v).reason());
    }

    @Test
    void aSendersOwnPassingHeaderUnderTheSandboxsStampIsIgnored() throws Exception {
        ReplyVerification v = verifyStamped("X-Sandbox-Auth: dkim=fail; spf=softfail; dmarc=fail\r\n"
                + "Authentication-Results: mx.google.com; dkim=pass header.i=@acme.example; dmarc=pass header.from=acme.example\r\n");
        assertEquals(ReplyRefusal.NOT_AUTHENTICATED, assertInstanceOf(ReplyVerification.Refused.class, v).reason());
    }
}

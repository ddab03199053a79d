package io.mailroute.approvals;

import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.MalformedMailException;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.gmail.mime.ParsedMail;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A reply to an approval request as raw RFC 822 bytes, the way Gmail delivers it (messages.get format=RAW): Gmail's
 * Authentication-Results on top, the sender's headers below, multipart/alternative text and HTML as Gmail's web
 * client writes them. Test fixture; every setter returns this.
 */
final class ReplyMail {

    static final String REQUEST_MESSAGE_ID = "<approval-42.1@mailroute.acme.example>";
    static final String REQUEST_THREAD_ID = "18e9f0a1b2c3d4e5";

    /** Gmail's verdicts for mail that globex.example signed and sent: all pass. */
    static final String GMAIL_PASS = "mx.google.com;\r\n"
            + "       dkim=pass header.i=@globex.example header.s=s1 header.b=Ab12Cd34;\r\n"
            + "       spf=pass (google.com: domain of ann@globex.example designates 203.0.113.25 as permitted sender)"
            + " smtp.mailfrom=ann@globex.example;\r\n"
            + "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=globex.example";
    /** Gmail's verdicts for mail claiming to be from globex.example, sent from elsewhere. */
    static final String GMAIL_FAIL = "mx.google.com;\r\n"
            + "       dkim=fail header.i=@globex.example header.s=s1 header.b=ZmFrZQ==;\r\n"
            + "       spf=softfail (google.com: domain of transitioning ann@globex.example does not designate 198.51.100.250"
            + " as permitted sender) smtp.mailfrom=ann@globex.example;\r\n"
            + "       dmarc=fail (p=REJECT sp=REJECT dis=QUARANTINE) header.from=globex.example";
    /** What a forger writes: a header that claims Gmail passed everything. */
    static final String FORGED_PASS = "mx.google.com; dkim=pass header.i=@globex.example; spf=pass"
            + " smtp.mailfrom=ann@globex.example; dmarc=pass header.from=globex.example";

    private final List<String> authenticationResults = new ArrayList<>();
    private String from = "Ann Approver <ann@globex.example>";
    private String inReplyTo = REQUEST_MESSAGE_ID;
    private String references = "<po-1042@initech.example> " + REQUEST_MESSAGE_ID;
    private String firstLine = "Approved.";

    static ReplyMail genuine() {
        return new ReplyMail().authenticationResults(GMAIL_PASS);
    }

    /** Authentication-Results header values, topmost first; none at all when called with none. */
    ReplyMail authenticationResults(String... topmostFirst) {
        authenticationResults.clear();
        authenticationResults.addAll(List.of(topmostFirst));
        return this;
    }

    ReplyMail from(String value) {
        from = value;
        return this;
    }

    /** null leaves the header out. */
    ReplyMail inReplyTo(String value) {
        inReplyTo = value;
        return this;
    }

    /** null leaves the header out. */
    ReplyMail references(String value) {
        references = value;
        return this;
    }

    ReplyMail firstLine(String value) {
        firstLine = value;
        return this;
    }

    byte[] raw() {
        StringBuilder m = new StringBuilder();
        m.append("Delivered-To: approvals@acme.example\r\n");
        m.append("Received: by 2002:a05:7300:5b0e:b0:12a:8c1d:4e21 with SMTP id s9csp2211dyc;\r\n")
                .append("        Mon, 1 Apr 2024 03:05:10 -0700 (PDT)\r\n");
        for (String value : authenticationResults) {
            m.append("Authentication-Results: ").append(value).append("\r\n");
        }
        m.append("Return-Path: <ann@globex.example>\r\n");
        m.append("Received: from mail.globex.example (mail.globex.example. [203.0.113.25])\r\n")
                .append("        by mx.google.com with ESMTPS id a1si123.2024.04.01.03.05.10\r\n")
                .append("        for <approvals@acme.example>; Mon, 01 Apr 2024 03:05:10 -0700 (PDT)\r\n");
        m.append("From: ").append(from).append("\r\n");
        m.append("To: Mailroute Approvals <approvals@acme.example>\r\n");
        m.append("Subject: Re: Approval requested: PO-1042, 12,400.00 EUR, Initech\r\n");
        m.append("Date: Mon, 1 Apr 2024 12:05:00 +0200\r\n");
        m.append("Message-ID: <CAJ-reply-7f3a@mail.gmail.com>\r\n");
        if (inReplyTo != null) {
            m.append("In-Reply-To: ").append(inReplyTo).append("\r\n");
        }
        if (references != null) {
            m.append("References: ").append(references).append("\r\n");
        }
        m.append("MIME-Version: 1.0\r\n");
        m.append("Content-Type: multipart/alternative; boundary=\"000000000000b1\"\r\n\r\n");
        m.append("--000000000000b1\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
        m.append(firstLine).append("\r\n\r\nOn Mon, 1 Apr 2024 at 12:00, Mailroute Approvals <approvals@acme.example> wrote=\r\n:\r\n\r\n");
        m.append("> Approval requested: PO-1042, 12,400.00 EUR, Initech\r\n> Reply Approve, Reject or Request changes.\r\n\r\n");
        m.append("--000000000000b1\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n");
        m.append("<div dir=\"ltr\">").append(firstLine).append("</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">")
                .append("On Mon, 1 Apr 2024 at 12:00, Mailroute Approvals &lt;approvals@acme.example&gt; wrote:<br></div>")
                .append("<blockquote class=\"gmail_quote\">Approval requested: PO-1042</blockquote></div>\r\n");
        m.append("--000000000000b1--\r\n");
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    ParsedMail parse(Path attachmentRoot) throws MalformedMailException {
        return new MimeParser(new AttachmentStore(attachmentRoot, 1024 * 1024)).parse(raw());
    }
}

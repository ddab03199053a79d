package io.mailroute.testing;

import java.nio.charset.StandardCharsets;

/**
 * Delivery status notifications (RFC 3464) as real servers send them, CRLF line ends: Gmail's own ("Mail Delivery
 * Subsystem", the original returned whole as message/rfc822) and Postfix's (the original's headers only, as
 * text/rfc822-headers).
 */
public final class TestDsn {

    private TestDsn() {
    }

    /**
     * A Gmail bounce to {@code sender} about the message whose Message-ID header reads {@code messageIdHeader} (as
     * written: with or without angle brackets), sent to {@code recipient}.
     *
     * @param action failed, delayed, ...
     * @param status 5.1.1, 4.4.7, ...
     */
    public static byte[] gmail(String sender, String recipient, String messageIdHeader, String action, String status) {
        return crlf("""
                Delivered-To: %1$s
                Return-Path: <>
                From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
                To: %1$s
                Auto-Submitted: auto-replied
                Subject: Delivery Status Notification (%5$s)
                References: %3$s
                In-Reply-To: %3$s
                X-Failed-Recipients: %2$s
                Message-ID: <%6$d.bounce@mx.google.com>
                Date: Mon, 23 Nov 2026 06:00:05 -0800 (PST)
                MIME-Version: 1.0
                Content-Type: multipart/report; boundary="000000000000a1b2c3"; report-type=delivery-status

                --000000000000a1b2c3
                Content-Type: multipart/related; boundary="000000000000d4e5f6"

                --000000000000d4e5f6
                Content-Type: multipart/alternative; boundary="000000000000g7h8i9"

                --000000000000g7h8i9
                Content-Type: text/plain; charset="UTF-8"

                ** Address not found **

                Your message wasn't delivered to %2$s because the address couldn't be found, or is unable to receive mail.

                --000000000000g7h8i9
                Content-Type: text/html; charset="UTF-8"

                <html><body><h2>Address not found</h2><p>Your message wasn't delivered to <b>%2$s</b>.</p></body></html>
                --000000000000g7h8i9--
                --000000000000d4e5f6
                Content-Type: image/png; name="icon.png"
                Content-Disposition: attachment; filename="icon.png"
                Content-Transfer-Encoding: base64
                Content-ID: <icon.png>

                iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
                --000000000000d4e5f6--
                --000000000000a1b2c3
                Content-Type: message/delivery-status

                Reporting-MTA: dns; googlemail.com
                Received-From-MTA: dns; mail-sor-f41.google.com
                Arrival-Date: Mon, 23 Nov 2026 06:00:03 -0800 (PST)
                X-Original-Message-ID: %3$s

                Final-Recipient: rfc822; %2$s
                Action: %4$s
                Status: %5$s
                Remote-MTA: dns; mx.example.com. (203.0.113.5, the server for the domain example.com.)
                Diagnostic-Code: smtp; 550-%5$s The email account that you tried to reach does not exist.
                 Please try double-checking the recipient's email address for typos.
                Last-Attempt-Date: Mon, 23 Nov 2026 06:00:05 -0800 (PST)

                --000000000000a1b2c3
                Content-Type: message/rfc822

                From: Acme Reports <%1$s>
                To: %2$s
                Subject: Weekly queue status 2026-W48
                Message-ID: %3$s
                Date: Mon, 23 Nov 2026 06:00:02 -0800
                MIME-Version: 1.0
                Content-Type: text/plain; charset=UTF-8

                The queue status pack for 2026-W48 is attached.

                --000000000000a1b2c3--
                """.formatted(sender, recipient, messageIdHeader, action, status, System.nanoTime()));
    }

    /** A Postfix bounce to {@code sender} with only the original's headers (text/rfc822-headers). */
    public static byte[] postfix(String sender, String recipient, String messageIdHeader, String action, String status) {
        return crlf("""
                Return-Path: <>
                Received: by mail.acme.example (Postfix)
                        id 4Vq6eN4b3Vz5; Mon, 23 Nov 2026 09:12:02 +0100 (CET)
                From: MAILER-DAEMON@mail.acme.example (Mail Delivery System)
                To: %1$s
                Subject: Undelivered Mail Returned to Sender
                Date: Mon, 23 Nov 2026 09:12:02 +0100 (CET)
                Message-Id: <%6$d.4Vq6eN4b3Vz5@mail.acme.example>
                Auto-Submitted: auto-replied
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status;
                \tboundary="4Vq6eN4b3Vz5.1795421522/mail.acme.example"

                This is a MIME-encapsulated message.

                --4Vq6eN4b3Vz5.1795421522/mail.acme.example
                Content-Description: Notification
                Content-Type: text/plain; charset=us-ascii

                This is the mail system at host mail.acme.example.

                I'm sorry to have to inform you that your message could not
                be delivered to one or more recipients.

                --4Vq6eN4b3Vz5.1795421522/mail.acme.example
                Content-Description: Delivery report
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mail.acme.example
                X-Postfix-Queue-ID: 4Vq6eN4b3Vz5
                Arrival-Date: Mon, 23 Nov 2026 09:12:01 +0100 (CET)

                Final-Recipient: rfc822; %2$s
                Original-Recipient: rfc822;%2$s
                Action: %4$s
                Status: %5$s
                Remote-MTA: dns; mx.hooli.example
                Diagnostic-Code: smtp; 550 %5$s <%2$s>: Recipient address
                    rejected: User unknown

                --4Vq6eN4b3Vz5.1795421522/mail.acme.example
                Content-Description: Undelivered Message Headers
                Content-Type: text/rfc822-headers

                Return-Path: <%1$s>
                From: Acme Reports <%1$s>
                To: %2$s
                Subject: Weekly queue status 2026-W48
                Date: Mon, 23 Nov 2026 09:12:00 +0100
                Message-ID: %3$s

                --4Vq6eN4b3Vz5.1795421522/mail.acme.example--
                """.formatted(sender, recipient, messageIdHeader, action, status, System.nanoTime()));
    }

    private static byte[] crlf(String lf) {
        return lf.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }
}

package io.mailroute.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Real RFC 822 bytes for tests: CRLF line ends, base64 attachments, as a mail server sends them. */
public final class TestMail {

    private TestMail() {
    }

    /** A vendor message with a short text part and one attachment of {@code size} zero bytes. */
    public static byte[] withAttachment(String subject, String filename, String contentType, int size) {
        return withAttachment("support@acme.example", subject, filename, contentType, new byte[size]);
    }

    /** A vendor message to {@code to} with a short text part and one attachment of the given content. */
    public static byte[] withAttachment(String to, String subject, String filename, String contentType, byte[] content) {
        String rfc822 = """
                From: vendor@initech.example
                To: %6$s
                Subject: %1$s
                Message-ID: <%2$d@initech.example>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b1"

                --b1
                Content-Type: text/plain

                see attached
                --b1
                Content-Type: %3$s; name="%4$s"
                Content-Disposition: attachment; filename="%4$s"
                Content-Transfer-Encoding: base64

                %5$s
                --b1--
                """.formatted(subject, System.nanoTime(), contentType, filename,
                Base64.getMimeEncoder().encodeToString(content), to);
        return rfc822.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A message whose multiparts nest {@code depth} levels deep, each the only part of the one around it, closed
     * properly: the shape that exhausts the stack of a parser that recurses once per level.
     */
    public static byte[] nestedMultiparts(int depth) {
        StringBuilder raw = new StringBuilder("""
                From: fuzzer@attacker.example
                To: support@acme.example
                Subject: %d nested multiparts
                Message-ID: <nested-%d.%d@attacker.example>
                MIME-Version: 1.0
                """.formatted(depth, depth, System.nanoTime()));
        for (int i = 0; i < depth; i++) {
            raw.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\n\n--b").append(i).append('\n');
        }
        raw.append("Content-Type: text/plain\n\nthe bottom\n");
        for (int i = depth - 1; i >= 0; i--) {
            raw.append("--b").append(i).append("--\n");
        }
        return raw.toString().replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The first text/plain part of a message (depth first), or "" when it has none. */
    public static String textOf(jakarta.mail.Part part) throws Exception {
        if (part.isMimeType("text/plain")) {
            return (String) part.getContent();
        }
        if (part.isMimeType("multipart/*")) {
            jakarta.mail.Multipart multipart = (jakarta.mail.Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                String text = textOf(multipart.getBodyPart(i));
                if (!text.isEmpty()) {
                    return text;
                }
            }
        }
        return "";
    }
}

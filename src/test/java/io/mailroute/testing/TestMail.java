package io.mailroute.testing;

import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

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

    /** The content of the first part of this MIME type (depth first), transfer encoding undone. */
    public static Optional<byte[]> part(Part part, String type) throws Exception {
        if (part.isMimeType(type)) {
            try (InputStream in = part.getInputStream()) {
                return Optional.of(in.readAllBytes());
            }
        }
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                Optional<byte[]> found = part(multipart.getBodyPart(i), type);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** The first part of this text type as UTF-8 text with LF line ends; an AssertionError when there is none. */
    public static String text(Part part, String type) throws Exception {
        return new String(part(part, type).orElseThrow(() -> new AssertionError("no " + type + " part")),
                StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    /** The messages in a sandbox account's INBOX, as MIME messages from their raw bytes. */
    public static List<MimeMessage> inbox(Gmail gmail) {
        try {
            List<MimeMessage> mails = new ArrayList<>();
            var list = gmail.users().messages().list("me").setLabelIds(List.of("INBOX")).execute();
            if (list.getMessages() == null) {
                return mails;
            }
            for (Message ref : list.getMessages()) {
                Message raw = gmail.users().messages().get("me", ref.getId()).setFormat("raw").execute();
                mails.add(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw.decodeRaw())));
            }
            return mails;
        } catch (IOException | jakarta.mail.MessagingException e) {
            throw new AssertionError("reading the sandbox inbox failed: " + e, e);
        }
    }
}

package io.mailroute.delivery.email;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * Builds the RFC 822 bytes of an outbound message: text and HTML alternatives, our origin header
 * (so intake never ingests our own mail), our Message-ID (recorded first, so a retry can ask Gmail
 * whether the message already went), and reply threading headers when answering a thread.
 * Header values can never carry CR or LF: they are refused, whatever a template or an email put in them.
 */
public final class MailComposer {

    public static final String ORIGIN_HEADER = "X-Mailroute-Origin";
    public static final String DELIVERY_HEADER = "X-Mailroute-Delivery";

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Session session = Session.getInstance(new Properties());

    /**
     * @param inReplyTo  Message-ID (without brackets) this answers, or null
     * @param references Message-IDs of the thread, oldest first (without brackets)
     */
    public record Outbound(String fromAddress, String fromName, String to, String subject, String text, String html,
            String messageId, String inReplyTo, List<String> references, String deliveryId, List<Attachment> attachments,
            String replyTo) {

        public Outbound(String fromAddress, String fromName, String to, String subject, String text, String html,
                String messageId, String inReplyTo, List<String> references, String deliveryId) {
            this(fromAddress, fromName, to, subject, text, html, messageId, inReplyTo, references, deliveryId, List.of(), null);
        }

        /** The same message with replies directed elsewhere (mail from a fallback sender: replies reach the mailbox it stands in for). */
        public Outbound withReplyTo(String address) {
            return new Outbound(fromAddress, fromName, to, subject, text, html, messageId, inReplyTo, references, deliveryId,
                    attachments, address);
        }
    }

    /** A file to attach, streamed from disk (e.g. the attachment store or a generated report). */
    public record Attachment(String filename, String contentType, java.nio.file.Path file) {
    }

    /** A fresh Message-ID (without brackets) in the sender's domain. */
    public static String newMessageId(String deliveryId, String senderAddress) {
        String domain = senderAddress.substring(senderAddress.indexOf('@') + 1);
        return "mailroute." + safe(deliveryId) + "." + HexFormat.of().formatHex(randomBytes(8)) + "@" + safe(domain);
    }

    public byte[] compose(Outbound mail) throws MessagingException {
        for (String header : new String[] {mail.to(), mail.messageId(), mail.inReplyTo(), mail.deliveryId()}) {
            refuseLineBreaks(header);
        }
        mail.references().forEach(MailComposer::refuseLineBreaks);
        MimeMessage message = new FixedIdMessage(session, "<" + mail.messageId() + ">");
        try {
            message.setFrom(new InternetAddress(mail.fromAddress(), oneLine(mail.fromName()), "UTF-8"));
        } catch (UnsupportedEncodingException e) {
            throw new MessagingException("UTF-8 is not available", e);
        }
        message.setRecipients(jakarta.mail.Message.RecipientType.TO, single(mail.to()));
        if (mail.replyTo() != null) {
            message.setReplyTo(single(mail.replyTo()));
        }
        // Subjects carry text from emails (an RFC 2047 word can decode to CR LF): flatten, never refuse.
        message.setSubject(oneLine(mail.subject()), "UTF-8");
        message.setHeader(ORIGIN_HEADER, "mailroute");
        message.setHeader(DELIVERY_HEADER, mail.deliveryId());
        message.setHeader("Auto-Submitted", "auto-generated");
        if (mail.inReplyTo() != null) {
            message.setHeader("In-Reply-To", "<" + mail.inReplyTo() + ">");
        }
        if (!mail.references().isEmpty()) {
            message.setHeader("References", String.join(" ", mail.references().stream().map(r -> "<" + r + ">").toList()));
        }
        MimeMultipart alternative = new MimeMultipart("alternative");
        MimeBodyPart text = new MimeBodyPart();
        text.setText(mail.text(), "UTF-8", "plain");
        alternative.addBodyPart(text);
        if (mail.html() != null) {
            MimeBodyPart html = new MimeBodyPart();
            html.setText(mail.html(), "UTF-8", "html");
            alternative.addBodyPart(html);
        }
        if (mail.attachments().isEmpty()) {
            message.setContent(alternative);
        } else {
            MimeMultipart mixed = new MimeMultipart("mixed");
            MimeBodyPart body = new MimeBodyPart();
            body.setContent(alternative);
            mixed.addBodyPart(body);
            for (Attachment attachment : mail.attachments()) {
                MimeBodyPart part = new MimeBodyPart();
                part.setDataHandler(new jakarta.activation.DataHandler(new jakarta.activation.FileDataSource(attachment.file().toFile()) {
                    @Override
                    public String getContentType() {
                        return attachment.contentType();
                    }
                }));
                try {
                    part.setFileName(jakarta.mail.internet.MimeUtility.encodeText(oneLine(attachment.filename()), "UTF-8", null));
                } catch (UnsupportedEncodingException e) {
                    throw new MessagingException("UTF-8 is not available", e);
                }
                part.setDisposition(jakarta.mail.Part.ATTACHMENT);
                mixed.addBodyPart(part);
            }
            message.setContent(mixed);
        }
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new MessagingException("cannot write the message", e);
        }
        return out.toByteArray();
    }

    /** One address only: "a@x, b@y" or an address with a display-name trick is refused. */
    private static InternetAddress[] single(String to) throws AddressException {
        InternetAddress[] parsed = InternetAddress.parse(to, true);
        if (parsed.length != 1) {
            throw new AddressException("exactly one recipient expected", to);
        }
        parsed[0].validate();
        return parsed;
    }

    static String oneLine(String value) {
        return value == null ? null : value.replaceAll("[\\r\\n\\u0085\\u2028\\u2029]+", " ").strip();
    }

    static void refuseLineBreaks(String value) {
        if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException("a header value contains a line break (header injection refused): "
                    + value.replace("\r", "\\r").replace("\n", "\\n"));
        }
    }

    private static String safe(String text) {
        return text.replaceAll("[^A-Za-z0-9.-]", "");
    }

    /** The composed bytes as a message SMTP can send, its Message-ID kept (camel-mail sends a MimeMessage body as it is). */
    public MimeMessage parse(byte[] raw) throws MessagingException {
        MimeMessage parsed = new MimeMessage(session, new java.io.ByteArrayInputStream(raw)) {
            @Override
            protected void updateMessageID() {
                // keep the Message-ID recorded before sending
            }
        };
        return parsed;
    }

    /** Keeps our Message-ID: Jakarta Mail would otherwise replace it on saveChanges(). */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }

    /** Random bytes for a Message-ID: nextBytes (generateSeed is for seeding, and may block waiting for entropy). */
    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}

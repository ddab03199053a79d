package io.mailroute.gmail.mime;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;
import jakarta.mail.internet.SharedInputStream;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.util.BASE64DecoderStream;
import org.eclipse.angus.mail.util.QPDecoderStream;

/**
 * Parses a raw Gmail message (messages.get format=RAW) into a {@link ParsedMail}, streaming attachments
 * into an {@link AttachmentStore}. Lenient like a mail client wherever the message is merely sloppy
 * (bad charsets, missing end boundary, broken base64); strict only when there is no message at all.
 * Thread-safe.
 */
public final class MimeParser {

    /** Headers copied to {@link ParsedMail#extraHeaders()} when present, first value only. */
    static final List<String> EXTRA_HEADERS = List.of("X-Mailroute-Origin", "Auto-Submitted", "List-Id", "Precedence", "Return-Path");

    private static final int MAX_NESTING = 32;
    private static final int MAX_MESSAGE_ID_CHARS = 998;
    private static final String TEXT_PLAIN = "text/plain";
    private static final String MESSAGE_RFC822 = "message/rfc822";
    private static final Pattern MESSAGE_ID = Pattern.compile("<([^<>]*)>");
    private static final Pattern FIELD_NAME_LINE = Pattern.compile("^[!-9;-~]+[ \\t]*:");
    private static final Pattern HTML_META_CHARSET = Pattern.compile("(?i)<meta[^>]+charset\\s*=\\s*[\"']?([A-Za-z0-9_.:-]+)");
    private static final Set<String> ORIGINATION_HEADERS = Set.of("from", "sender", "to", "cc", "subject", "date", "message-id",
            "received", "return-path", "delivered-to", "mime-version", "content-type");

    /**
     * Angus Mail's stream provider. jakarta.mail finds its {@code StreamProvider} anew for every message, body part,
     * multipart and header block it makes ({@code StreamProvider.provider()} in their constructors): a ServiceLoader
     * scan of the classpath each time, unless the system property of that name names the class, which is then made
     * directly. {@link #nameStreamProvider()} sets it (the service at start, and this class when loaded).
     */
    public static final String STREAM_PROVIDER = "org.eclipse.angus.mail.util.MailStreamProvider";

    static {
        nameStreamProvider();
    }

    private static final Session SESSION = Session.getInstance(sessionProperties());

    /** Names Angus Mail's stream provider to jakarta.mail (see {@link #STREAM_PROVIDER}), unless one is named already. */
    public static void nameStreamProvider() {
        if (System.getProperty(jakarta.mail.util.StreamProvider.class.getName()) == null) {
            System.setProperty(jakarta.mail.util.StreamProvider.class.getName(), STREAM_PROVIDER);
        }
    }

    private final AttachmentStore store;

    public MimeParser(AttachmentStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Parses RFC 822 bytes as returned by Gmail messages.get(format=RAW). Never returns null. */
    public ParsedMail parse(byte[] rfc822) throws MalformedMailException {
        return parse(rfc822 == null ? null : new SharedByteArrayInputStream(rfc822), rfc822 == null ? 0 : rfc822.length);
    }

    /**
     * Parses an RFC 822 message of {@code size} bytes. A {@link SharedInputStream} (jakarta.mail's over an array or
     * a file) is read in place: every part is a window onto it, so a message in a file is never copied into the heap;
     * any other stream is read into memory first. The caller closes the stream. Never returns null.
     */
    public ParsedMail parse(InputStream rfc822, long size) throws MalformedMailException {
        if (rfc822 == null || size == 0) {
            throw new MalformedMailException("the message is empty");
        }
        SharedInputStream shared;
        try {
            shared = rfc822 instanceof SharedInputStream s ? s : new SharedByteArrayInputStream(rfc822.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the message: " + e.getMessage(), e); // not the message's fault
        }
        requireHeaderSection(shared, size);
        MimeMessage message;
        try {
            message = new MimeMessage(SESSION, shared.newStream(0, -1));
        } catch (MessagingException | RuntimeException e) {
            throw new MalformedMailException("the message header section cannot be read: " + e.getMessage(), e);
        }
        try {
            Bodies bodies = new Bodies();
            walk(message, TEXT_PLAIN, bodies, false, 0);
            List<MailAddress> from = MailAddresses.parse(header(message, "From"));
            return new ParsedMail(
                    firstMessageId(header(message, "Message-ID")),
                    HeaderText.text(first(header(message, "Subject"))),
                    from.isEmpty() ? null : from.get(0),
                    from.isEmpty() ? List.of() : from.subList(1, from.size()),
                    MailAddresses.parse(header(message, "To")),
                    MailAddresses.parse(header(message, "Cc")),
                    MailAddresses.parse(header(message, "Reply-To")),
                    sentDate(message),
                    firstMessageId(header(message, "In-Reply-To")),
                    messageIds(header(message, "References")),
                    bodies.text,
                    bodies.html,
                    bodies.attachments,
                    AuthenticationResultsReader.read(header(message, "Authentication-Results")),
                    extraHeaders(message),
                    size);
        } catch (MessagingException | RuntimeException e) {
            if (e instanceof UncheckedIOException) {
                throw (UncheckedIOException) e; // the attachment store failed: not the message's fault
            }
            throw new MalformedMailException("the MIME structure cannot be read: " + e, e);
        }
    }

    // ---- structure ----------------------------------------------------------------------------------

    private static final class Bodies {
        String text;
        String html;
        final List<AttachmentRef> attachments = new ArrayList<>();
    }

    /**
     * @param defaultType the type of a part without Content-Type: text/plain, but message/rfc822 inside a
     *     multipart/digest (RFC 2046 section 5.1.5)
     */
    private void walk(MimePart part, String defaultType, Bodies bodies, boolean inAlternative, int depth)
            throws MessagingException, MalformedMailException {
        if (depth > MAX_NESTING) {
            throw new MalformedMailException("MIME parts are nested more than " + MAX_NESTING + " levels deep");
        }
        ContentType type = contentType(part, defaultType);
        if (type.getPrimaryType().equals("multipart")) {
            MimeMultipart multipart = new MimeMultipart(new MimePartDataSource(part));
            int count;
            try {
                count = multipart.getCount();
            } catch (MessagingException noBoundaryFound) {
                // Declared multipart but no boundary line anywhere: show it as text, as clients do.
                leaf(part, new ContentType("text", "plain", null), bodies, inAlternative);
                return;
            }
            boolean alternative = inAlternative || type.getSubType().equals("alternative");
            String childDefault = type.getSubType().equals("digest") ? MESSAGE_RFC822 : TEXT_PLAIN;
            for (int i = 0; i < count; i++) {
                walk((MimeBodyPart) multipart.getBodyPart(i), childDefault, bodies, alternative, depth + 1);
            }
            return;
        }
        leaf(part, type, bodies, inAlternative);
    }

    private void leaf(MimePart part, ContentType type, Bodies bodies, boolean inAlternative) throws MessagingException, MalformedMailException {
        String baseType = type.getBaseType().toLowerCase(Locale.ROOT);
        String disposition = disposition(part);
        String filename = filename(part, type);
        boolean bodyType = baseType.equals("text/plain") || baseType.equals("text/html");
        if (bodyType && !"attachment".equals(disposition) && filename == null) {
            if (baseType.equals("text/plain") && bodies.text == null) {
                bodies.text = readText(part, type, false);
                if (bodies.text != null) {
                    return;
                }
            } else if (baseType.equals("text/html") && bodies.html == null) {
                bodies.html = readText(part, type, true);
                if (bodies.html != null) {
                    return;
                }
            } else if (inAlternative) {
                return; // another rendering of a body we already have
            }
            // A further inline text part in a mixed message (a list footer, a split body), or a body whose
            // transfer encoding cannot be undone: keep it as an attachment.
        }
        String contentId = HeaderText.clean(first(header(part, "Content-ID")));
        boolean inline = "inline".equals(disposition) || (disposition == null && contentId != null && !contentId.isEmpty());
        if (baseType.equals("message/rfc822") && filename == null) {
            filename = attachedMessageName(part);
        }
        if (filename == null) {
            filename = defaultName(baseType);
        }
        AttachmentRef stored;
        try (InputStream content = new MailContentStream(decodedContent(part))) {
            stored = store.store(content, filename, baseType, inline, contentId);
        } catch (MailContentException e) {
            stored = storeAsSent(part, filename, baseType, inline, contentId, e);
        } catch (IOException e) {
            throw storeFailure(e);
        }
        bodies.attachments.add(stored);
    }

    /**
     * One damaged part must not cost the whole message (an empty x-uuencode part, a truncated one): its bytes as
     * they came, marked with why they could not be decoded.
     */
    private AttachmentRef storeAsSent(MimePart part, String filename, String baseType, boolean inline, String contentId,
            MailContentException decodingFailure) throws MessagingException, MalformedMailException {
        String reason = "its " + transferEncoding(part) + " content cannot be decoded (" + decodingFailure.getMessage()
                + "); kept as sent, still encoded";
        try (InputStream asSent = rawContent(part)) {
            return store.store(asSent, filename, baseType, inline, contentId).asUndecodable(reason);
        } catch (IOException e) {
            throw storeFailure(e);
        }
    }

    private UncheckedIOException storeFailure(IOException e) {
        return new UncheckedIOException("cannot write attachment to " + store.root() + ": " + e.getMessage(), e);
    }

    private static String attachedMessageName(MimePart part) throws MessagingException {
        try (InputStream in = decodedContent(part)) {
            String subject = HeaderText.text(first(new InternetHeaders(in).getHeader("Subject")));
            // A subject is not a path: "Re: A/B test" must not lose "Re: A" to the sanitiser's path stripping.
            return subject == null || subject.isEmpty() ? "attached.eml" : subject.replace('/', '_').replace('\\', '_') + ".eml";
        } catch (IOException | MessagingException e) {
            return "attached.eml";
        }
    }

    private static String defaultName(String baseType) {
        return switch (baseType) {
            case "message/delivery-status" -> "delivery-status.txt";
            case "text/rfc822-headers" -> "headers.txt";
            case "message/rfc822" -> "attached.eml";
            case "text/plain" -> "attachment.txt";
            case "text/html" -> "attachment.html";
            case "text/calendar" -> "invite.ics";
            default -> AttachmentFilenames.FALLBACK;
        };
    }

    // ---- content ------------------------------------------------------------------------------------

    /**
     * The part's bytes with the transfer encoding removed. Decoding is lenient (bad base64 characters are
     * skipped), as a mail client shows a damaged attachment rather than refusing the whole message.
     */
    private static InputStream decodedContent(MimePart part) throws MessagingException {
        InputStream raw = rawContent(part);
        String encoding = transferEncoding(part);
        if (encoding == null) {
            return raw;
        }
        switch (encoding) {
            case "base64":
                return new BASE64DecoderStream(raw, true);
            case "quoted-printable":
                return new QPDecoderStream(raw);
            case "7bit", "8bit", "binary":
                return raw;
            default:
                try {
                    return MimeUtility.decode(raw, encoding); // uuencode and friends
                } catch (MessagingException unknownEncoding) {
                    return raw; // "Content-Transfer-Encoding: 8-bit" and other inventions
                }
        }
    }

    private static InputStream rawContent(MimePart part) throws MessagingException {
        return part instanceof MimeMessage m ? m.getRawInputStream() : ((MimeBodyPart) part).getRawInputStream();
    }

    private static String transferEncoding(MimePart part) {
        String value = HeaderText.clean(first(header(part, "Content-Transfer-Encoding")));
        if (value == null || value.isEmpty()) {
            return null;
        }
        int end = value.indexOf(';');
        return (end >= 0 ? value.substring(0, end) : value).strip().toLowerCase(Locale.ROOT);
    }

    /** The body's text, or null when its transfer encoding cannot be undone. */
    private static String readText(MimePart part, ContentType type, boolean html) throws MessagingException {
        byte[] bytes;
        try (InputStream in = new MailContentStream(decodedContent(part))) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
        String charset = type.getParameter("charset");
        if (charset == null && html) {
            charset = htmlMetaCharset(bytes);
        }
        return MailCharsets.decode(bytes, charset);
    }

    private static String htmlMetaCharset(byte[] html) {
        String head = new String(html, 0, Math.min(html.length, 2048), StandardCharsets.ISO_8859_1);
        Matcher m = HTML_META_CHARSET.matcher(head);
        return m.find() ? m.group(1) : null;
    }

    /** Marks read failures as the message's fault, so they are not mistaken for attachment-store failures. */
    private static final class MailContentStream extends FilterInputStream {
        MailContentStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new MailContentException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new MailContentException(e);
            }
        }
    }

    private static final class MailContentException extends IOException {
        private static final long serialVersionUID = 1L;

        MailContentException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    // ---- headers ------------------------------------------------------------------------------------

    private static String[] header(MimePart part, String name) {
        try {
            return part.getHeader(name);
        } catch (MessagingException e) {
            return null;
        }
    }

    private static String first(String[] values) {
        return values == null || values.length == 0 ? null : values[0];
    }

    private static ContentType contentType(MimePart part, String defaultType) {
        String raw = HeaderText.raw(first(header(part, "Content-Type")));
        if (raw == null || raw.isBlank()) {
            String[] typeAndSub = defaultType.split("/");
            return new ContentType(typeAndSub[0], typeAndSub[1], null);
        }
        try {
            ContentType parsed = new ContentType(raw);
            parsed.setPrimaryType(parsed.getPrimaryType().toLowerCase(Locale.ROOT));
            parsed.setSubType(parsed.getSubType().toLowerCase(Locale.ROOT));
            return parsed;
        } catch (ParseException e) {
            return lenientContentType(raw);
        }
    }

    /** For Content-Type values Jakarta rejects (unquoted spaces, stray semicolons): the type plus charset and name. */
    private static ContentType lenientContentType(String raw) {
        String base = raw.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        String[] typeAndSub = base.split("/", 2);
        ContentType type = typeAndSub.length == 2 && !typeAndSub[0].isBlank() && !typeAndSub[1].isBlank()
                ? new ContentType(typeAndSub[0].strip(), typeAndSub[1].strip(), null)
                : base.equals("text") ? new ContentType("text", "plain", null) : new ContentType("application", "octet-stream", null);
        for (String name : List.of("charset", "name")) {
            String value = lenientParameter(raw, name);
            if (value != null) {
                type.setParameter(name, value);
            }
        }
        return type;
    }

    private static String lenientParameter(String raw, String name) {
        Matcher m = Pattern.compile("(?i)(?:^|;)\\s*" + Pattern.quote(name) + "\\s*=\\s*(\"([^\"]*)\"?|[^;]*)").matcher(raw);
        if (!m.find()) {
            return null;
        }
        String value = m.group(2) != null ? m.group(2) : m.group(1);
        return value.strip();
    }

    /** "inline", "attachment", another lower-cased token, or null when there is no Content-Disposition. */
    private static String disposition(MimePart part) {
        String raw = HeaderText.raw(first(header(part, "Content-Disposition")));
        if (raw == null || raw.isBlank()) {
            return null;
        }
        return raw.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    /** The sender's filename, RFC 2231 and RFC 2047 decoded, before sanitising; null when there is none. */
    private static String filename(MimePart part, ContentType type) {
        String name = null;
        String raw = HeaderText.raw(first(header(part, "Content-Disposition")));
        if (raw != null && !raw.isBlank()) {
            try {
                name = new ContentDisposition(raw).getParameter("filename"); // RFC 2231, continuations included
            } catch (ParseException e) {
                name = lenientParameter(raw, "filename");
            }
        }
        if (name == null || name.isBlank()) {
            name = type.getParameter("name");
        }
        if (name == null || name.isBlank()) {
            return null;
        }
        return EncodedWords.decode(name);
    }

    private static Instant sentDate(MimeMessage message) {
        try {
            Date date = message.getSentDate();
            return date == null ? null : date.toInstant();
        } catch (MessagingException | RuntimeException unparseable) {
            return null;
        }
    }

    /**
     * A Message-ID as this parser reads it into {@link ParsedMail#messageId()}, {@link ParsedMail#inReplyTo()} and
     * {@link ParsedMail#references()}: comments and angle brackets removed, no whitespace; null when there is none.
     * Code that compares a stored Message-ID with those of a parsed mail normalises it here first.
     */
    public static String messageId(String headerValue) {
        return headerValue == null ? null : firstMessageId(new String[] {headerValue});
    }

    private static String firstMessageId(String[] values) {
        List<String> ids = messageIds(values);
        return ids.isEmpty() ? null : ids.get(0);
    }

    /**
     * Message ids in order, brackets removed; bare ids (no brackets at all) are accepted word by word. An id longer
     * than a header line may be (998 characters, the width of the columns that hold one) is no id: stored, it would
     * fail the message's insert on every poll and stop its mailbox.
     */
    private static List<String> messageIds(String[] values) {
        Set<String> ids = new LinkedHashSet<>();
        if (values != null) {
            for (String value : values) {
                String raw = HeaderText.clean(HeaderText.withoutComments(HeaderText.raw(value)));
                Matcher m = MESSAGE_ID.matcher(raw);
                boolean bracketed = false;
                while (m.find()) {
                    bracketed = true;
                    String id = m.group(1).replaceAll("\\s+", "");
                    if (!id.isEmpty() && id.length() <= MAX_MESSAGE_ID_CHARS) {
                        ids.add(id);
                    }
                }
                if (!bracketed) {
                    for (String word : raw.split("[\\s,]+")) {
                        if (word.contains("@") && word.length() <= MAX_MESSAGE_ID_CHARS) {
                            ids.add(word);
                        }
                    }
                }
            }
        }
        return List.copyOf(ids);
    }

    private static Map<String, String> extraHeaders(MimeMessage message) {
        Map<String, String> extra = new LinkedHashMap<>();
        for (String name : EXTRA_HEADERS) {
            String value = HeaderText.text(first(header(message, name)));
            if (value != null) {
                extra.put(name, value);
            }
        }
        return extra;
    }

    /**
     * Jakarta reads any bytes as "headers"; a message must start with a header field and carry at least
     * one header a real message has, or it is not a message.
     */
    private static void requireHeaderSection(SharedInputStream rfc822, long size) throws MalformedMailException {
        String firstLine;
        InternetHeaders headers;
        try (InputStream start = rfc822.newStream(0, Math.min(1000, size))) {
            byte[] head = start.readAllBytes();
            int lineEnd = 0;
            while (lineEnd < head.length && head[lineEnd] != '\n' && head[lineEnd] != '\r') {
                lineEnd++;
            }
            firstLine = new String(head, 0, lineEnd, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the message: " + e.getMessage(), e); // not the message's fault
        }
        if (!FIELD_NAME_LINE.matcher(firstLine).find()) {
            throw new MalformedMailException("the message does not start with a header field (first line: \""
                    + HeaderText.clean(firstLine.length() > 60 ? firstLine.substring(0, 60) + "..." : firstLine) + "\")");
        }
        try {
            headers = new InternetHeaders(rfc822.newStream(0, -1));
        } catch (MessagingException e) {
            throw new MalformedMailException("the message header section cannot be read: " + e.getMessage(), e);
        }
        var all = headers.getAllHeaders();
        while (all.hasMoreElements()) {
            if (ORIGINATION_HEADERS.contains(all.nextElement().getName().toLowerCase(Locale.ROOT))) {
                return;
            }
        }
        throw new MalformedMailException("the message has none of the headers every mail has (From, To, Date, Message-ID, Received, ...)");
    }

    private static Properties sessionProperties() {
        Properties p = new Properties();
        p.setProperty("mail.mime.address.strict", "false");
        p.setProperty("mail.mime.allowutf8", "false"); // header bytes are re-decoded by MailCharsets
        p.setProperty("mail.mime.multipart.ignoremissingendboundary", "true");
        p.setProperty("mail.mime.multipart.ignoremissingboundaryparameter", "true");
        p.setProperty("mail.mime.multipart.allowempty", "true");
        return p;
    }
}

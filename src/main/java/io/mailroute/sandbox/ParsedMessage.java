package io.mailroute.sandbox;

import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * What the sandbox needs to know about a stored RFC 822 message: Gmail's payload tree, the searchable
 * text and the headers used for threading. Parsed once, when the message is stored.
 */
final class ParsedMessage {

    record HeaderField(String name, String value) {
    }

    /** One node of Gmail's {@code payload} tree; {@code body} is the decoded content of a leaf, null for a container. */
    record PartNode(String partId, String mimeType, String filename, List<HeaderField> headers,
            byte[] body, List<PartNode> parts) {

        boolean isAttachment() {
            return !filename.isEmpty();
        }
    }

    private static final Session SESSION = session();
    private static final int SNIPPET_LENGTH = 200;
    /**
     * Multipart levels a message may nest. Gmail publishes no limit; this one keeps every walk over the part tree
     * (text, filenames, rendering) far from the stack's end, where 5,000 levels used to overflow it.
     */
    static final int MAX_NESTING = 100;

    private final PartNode root;
    private final String plainText;
    private final Instant dateHeader;

    private ParsedMessage(PartNode root, String plainText, Instant dateHeader) {
        this.root = root;
        this.plainText = plainText;
        this.dateHeader = dateHeader;
    }

    /** Parses leniently: Gmail accepts almost anything, so a malformed part becomes an opaque leaf. */
    static ParsedMessage parse(byte[] raw) {
        try {
            MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
            PartNode root = node(message, "", 0);
            StringBuilder text = new StringBuilder();
            collectText(root, text);
            Instant date = null;
            try {
                date = message.getSentDate() == null ? null : message.getSentDate().toInstant();
            } catch (MessagingException ignored) {
                // an unparsable Date header is simply no date
            }
            return new ParsedMessage(root, text.toString(), date);
        } catch (MessagingException | IOException e) {
            throw GmailErrors.invalidArgument("Invalid raw message: " + e.getMessage());
        }
    }

    PartNode root() {
        return root;
    }

    List<HeaderField> headers() {
        return root.headers();
    }

    Optional<String> header(String name) {
        return root.headers().stream().filter(h -> h.name().equalsIgnoreCase(name)).map(HeaderField::value).findFirst();
    }

    String headerOrEmpty(String name) {
        return header(name).orElse("");
    }

    String subject() {
        return headerOrEmpty("Subject");
    }

    Optional<Instant> dateHeader() {
        return Optional.ofNullable(dateHeader);
    }

    /** Message-IDs named by In-Reply-To and References, nearest ancestor first. */
    List<String> referencedMessageIds() {
        List<String> ids = new ArrayList<>();
        header("In-Reply-To").ifPresent(v -> ids.addAll(messageIds(v)));
        List<String> refs = new ArrayList<>(messageIds(headerOrEmpty("References")));
        Collections.reverse(refs);
        ids.addAll(refs);
        return ids;
    }

    static List<String> messageIds(String headerValue) {
        List<String> ids = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<[^<>\\s]+>").matcher(headerValue);
        while (m.find()) {
            ids.add(m.group());
        }
        return ids;
    }

    String plainText() {
        return plainText;
    }

    /** Gmail's snippet: the start of the text, whitespace collapsed, HTML-escaped as Gmail does. */
    String snippet() {
        String collapsed = plainText.replaceAll("\\s+", " ").trim();
        if (collapsed.length() > SNIPPET_LENGTH) {
            collapsed = collapsed.substring(0, SNIPPET_LENGTH);
        }
        return HttpExchanges.escapeHtml(collapsed);
    }

    boolean hasAttachment() {
        return !filenames().isEmpty();
    }

    List<String> filenames() {
        List<String> names = new ArrayList<>();
        collectFilenames(root, names);
        return names;
    }

    Optional<PartNode> part(String partId) {
        return find(root, partId);
    }

    private static Optional<PartNode> find(PartNode node, String partId) {
        if (node.partId().equals(partId)) {
            return Optional.of(node);
        }
        for (PartNode child : node.parts()) {
            Optional<PartNode> found = find(child, partId);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static void collectFilenames(PartNode node, List<String> names) {
        if (node.isAttachment()) {
            names.add(node.filename());
        }
        node.parts().forEach(child -> collectFilenames(child, names));
    }

    private static PartNode node(Part part, String partId, int depth) throws MessagingException, IOException {
        if (depth > MAX_NESTING) {
            throw GmailErrors.invalidArgument("Invalid raw message: MIME parts are nested more than " + MAX_NESTING + " levels deep");
        }
        String mimeType = baseType(part);
        List<HeaderField> headers = new ArrayList<>();
        for (Enumeration<Header> e = part.getAllHeaders(); e.hasMoreElements(); ) {
            Header h = e.nextElement();
            headers.add(new HeaderField(h.getName(), decodeHeader(h.getValue())));
        }
        String filename = filename(part);
        if (mimeType.startsWith("multipart/")) {
            Object content = safeContent(part);
            if (content instanceof Multipart multipart) {
                List<PartNode> children = new ArrayList<>();
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart child = multipart.getBodyPart(i);
                    children.add(node(child, partId.isEmpty() ? Integer.toString(i) : partId + "." + i, depth + 1));
                }
                return new PartNode(partId, mimeType, filename, headers, null, children);
            }
        }
        byte[] body;
        try {
            body = part.getInputStream().readAllBytes();
        } catch (IOException | MessagingException e) {
            body = new byte[0];
        }
        return new PartNode(partId, mimeType, filename, headers, body, List.of());
    }

    private static Object safeContent(Part part) {
        try {
            return part.getContent();
        } catch (IOException | MessagingException e) {
            return null;
        }
    }

    private static String baseType(Part part) {
        try {
            String contentType = part.getContentType();
            return contentType == null ? "text/plain" : new ContentType(contentType).getBaseType().toLowerCase(Locale.ROOT);
        } catch (MessagingException e) {
            return "text/plain";
        }
    }

    private static String filename(Part part) {
        try {
            String name = part.getFileName();
            return name == null ? "" : MimeUtility.decodeText(name);
        } catch (MessagingException | UnsupportedEncodingException e) {
            return "";
        }
    }

    private static String decodeHeader(String value) {
        if (value == null) {
            return "";
        }
        String unfolded = MimeUtility.unfold(value).trim();
        try {
            // Header bytes are UTF-8 when not encoded-words (RFC 6532); jakarta hands them over as Latin-1.
            String utf8 = new String(unfolded.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            return MimeUtility.decodeText(utf8.contains("\uFFFD") ? unfolded : utf8);
        } catch (UnsupportedEncodingException e) {
            return unfolded;
        }
    }

    /** Searchable text: text/plain leaves, or text/html with tags dropped where there is no plain text. */
    private static void collectText(PartNode node, StringBuilder out) {
        if (node.body() == null) {
            boolean alternative = node.mimeType().equals("multipart/alternative");
            PartNode plain = alternative ? node.parts().stream()
                    .filter(p -> p.mimeType().equals("text/plain")).findFirst().orElse(null) : null;
            if (plain != null) {
                collectText(plain, out);
            } else {
                node.parts().forEach(child -> collectText(child, out));
            }
            return;
        }
        if (node.isAttachment()) {
            return;
        }
        if (node.mimeType().equals("text/plain")) {
            out.append(decodeText(node)).append('\n');
        } else if (node.mimeType().equals("text/html")) {
            out.append(decodeText(node).replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", " ")
                    .replaceAll("<[^>]+>", " ")
                    .replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
                    .append('\n');
        }
    }

    private static String decodeText(PartNode node) {
        Charset charset = StandardCharsets.UTF_8;
        String contentType = node.headers().stream().filter(h -> h.name().equalsIgnoreCase("Content-Type"))
                .map(HeaderField::value).findFirst().orElse(null);
        if (contentType != null) {
            try {
                String name = new ContentType(contentType).getParameter("charset");
                if (name != null) {
                    charset = Charset.forName(MimeUtility.javaCharset(name));
                }
            } catch (MessagingException | RuntimeException ignored) {
                // unknown charset: read as UTF-8
            }
        }
        return new String(node.body(), charset);
    }

    private static Session session() {
        Properties props = new Properties();
        props.setProperty("mail.mime.address.strict", "false");
        props.setProperty("mail.mime.decodefilename", "true");
        props.setProperty("mail.mime.decodeparameters", "true");
        props.setProperty("mail.mime.multipart.ignoreexistingboundaryparameter", "false");
        props.setProperty("mail.mime.multipart.allowempty", "true");
        return Session.getInstance(props);
    }
}

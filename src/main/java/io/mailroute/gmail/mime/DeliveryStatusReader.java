package io.mailroute.gmail.mime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a delivery status notification (RFC 3464) from the parts of a received message as {@link MimeParser} stored
 * them: a {@code message/delivery-status} part (or RFC 6533's {@code message/global-delivery-status}) with at least one
 * per-recipient block, and the returned message after it ({@code message/rfc822}, {@code text/rfc822-headers} or their
 * {@code global} forms) whose Message-ID says which of our messages it is about. Gmail's own bounces ("Mail Delivery
 * Subsystem" &lt;mailer-daemon@googlemail.com&gt;), Postfix, Exim and Exchange all send this shape.
 *
 * <p>The enclosing {@code multipart/report} is not checked: intake keeps a message's parts, not its raw bytes, and a
 * delivery-status part is defined only inside one (RFC 3464 section 2). Not read: bounces without a delivery-status
 * part (qmail's plain text, some old servers): nothing in them says failed or delayed, and a forwarded copy of our
 * email would look the same.
 *
 * <p>Everything in a DSN is untrusted: only the first {@value #MAX_PART_BYTES} bytes of each part are read, at most
 * {@value #MAX_RECIPIENTS} recipient blocks and {@value #MAX_FIELD_CHARS} characters per field are kept, and anything
 * that does not read as a DSN is none ({@link Optional#empty()}), never an exception. Thread-safe.
 */
public final class DeliveryStatusReader {

    /** How much of each part is read: a real delivery-status part or header section is a few kilobytes. */
    public static final int MAX_PART_BYTES = 64 * 1024;
    public static final int MAX_RECIPIENTS = 100;
    public static final int MAX_FIELD_CHARS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryStatusReader.class);
    private static final Set<String> STATUS_TYPES = Set.of("message/delivery-status", "message/global-delivery-status");
    private static final Set<String> RETURNED_TYPES = Set.of("message/rfc822", "text/rfc822-headers", "message/global",
            "message/global-headers");
    private static final Pattern LINE_BREAK = Pattern.compile("\\r\\n|\\r|\\n");
    private static final Pattern FIELD_NAME = Pattern.compile("[!-9;-~]+");

    private final AttachmentStore store;

    public DeliveryStatusReader(AttachmentStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** The content types a DSN is read from: a caller loading a stored message's parts needs only parts of these. */
    public static Set<String> partTypes() {
        Set<String> types = new java.util.HashSet<>(STATUS_TYPES);
        types.addAll(RETURNED_TYPES);
        return Set.copyOf(types);
    }

    /**
     * @param parts a received message's attachments in MIME order ({@link ParsedMail#attachments()}, or as stored)
     * @return the DSN, or empty when the message is none (or its stored parts cannot be read: then logged)
     */
    public Optional<DeliveryStatus> read(List<AttachmentRef> parts) {
        int status = -1;
        for (int i = 0; i < parts.size() && status < 0; i++) {
            if (STATUS_TYPES.contains(parts.get(i).contentType())) {
                status = i;
            }
        }
        if (status < 0) {
            return Optional.empty();
        }
        AttachmentRef returned = null;
        for (int i = status + 1; i < parts.size() && returned == null; i++) {
            if (RETURNED_TYPES.contains(parts.get(i).contentType())) {
                returned = parts.get(i);
            }
        }
        try {
            return parse(head(parts.get(status)), returned == null ? null : head(returned));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("A delivery status notification's stored part cannot be read from {} ({}): it is taken as no DSN",
                    store.root(), e.getMessage());
            return Optional.empty();
        }
    }

    private byte[] head(AttachmentRef part) throws IOException {
        try (InputStream in = Files.newInputStream(store.pathOf(part.sha256()))) {
            return in.readNBytes(MAX_PART_BYTES);
        }
    }

    /**
     * @param deliveryStatus the delivery-status part's content (bounded by the caller)
     * @param returned       the returned message or its headers (bounded by the caller), or null when there is none
     */
    static Optional<DeliveryStatus> parse(byte[] deliveryStatus, byte[] returned) {
        try {
            List<Map<String, String>> blocks = fieldBlocks(text(deliveryStatus), MAX_RECIPIENTS + 1);
            List<DeliveryStatus.Recipient> recipients = new ArrayList<>();
            String gmailOriginal = null;
            for (Map<String, String> block : blocks) {
                if (gmailOriginal == null) {
                    gmailOriginal = block.get("x-original-message-id");
                }
                if ((block.containsKey("action") || block.containsKey("final-recipient")) && recipients.size() < MAX_RECIPIENTS) {
                    recipients.add(new DeliveryStatus.Recipient(address(block.get("final-recipient")),
                            address(block.get("original-recipient")), firstWord(block.get("action")),
                            firstWord(block.get("status")), block.get("diagnostic-code")));
                }
            }
            if (recipients.isEmpty()) {
                return Optional.empty();
            }
            String original = null;
            if (returned != null) {
                List<Map<String, String>> header = fieldBlocks(text(returned), 1);
                original = header.isEmpty() ? null : MimeParser.messageId(header.get(0).get("message-id"));
            }
            if (original == null) {
                original = MimeParser.messageId(gmailOriginal);
            }
            return Optional.of(new DeliveryStatus(original, recipients));
        } catch (RuntimeException garbage) {
            LOG.debug("Not a delivery status notification: {}", garbage.toString());
            return Optional.empty();
        }
    }

    private static String text(byte[] bytes) {
        int length = Math.min(bytes.length, MAX_PART_BYTES);
        return new String(bytes, 0, length, StandardCharsets.UTF_8); // US-ASCII, or UTF-8 for the global types
    }

    /**
     * Header-style field blocks separated by blank lines (RFC 3464 section 2.1: the per-message fields, then one block
     * per recipient), folded lines unfolded; field names in lower case, the first value of each kept. Lines that are no
     * field are skipped. At most {@code maxBlocks} blocks.
     */
    static List<Map<String, String>> fieldBlocks(String text, int maxBlocks) {
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, StringBuilder> block = new LinkedHashMap<>();
        StringBuilder last = null;
        for (String line : LINE_BREAK.split(text, -1)) {
            if (line.isBlank()) {
                if (!block.isEmpty()) {
                    blocks.add(values(block));
                    if (blocks.size() == maxBlocks) {
                        return blocks;
                    }
                    block = new LinkedHashMap<>();
                }
                last = null;
            } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (last != null && last.length() < MAX_FIELD_CHARS) {
                    last.append(' ').append(line.strip());
                }
            } else {
                int colon = line.indexOf(':');
                String name = colon > 0 ? line.substring(0, colon).strip() : "";
                if (FIELD_NAME.matcher(name).matches()) {
                    String key = name.toLowerCase(Locale.ROOT);
                    last = block.containsKey(key) ? null : new StringBuilder(bounded(line.substring(colon + 1).strip()));
                    if (last != null) {
                        block.put(key, last);
                    }
                } else {
                    last = null;
                }
            }
        }
        if (!block.isEmpty()) {
            blocks.add(values(block));
        }
        return blocks;
    }

    private static Map<String, String> values(Map<String, StringBuilder> block) {
        Map<String, String> values = new LinkedHashMap<>();
        block.forEach((name, value) -> {
            String clean = HeaderText.clean(bounded(value.toString()));
            if (!clean.isEmpty()) {
                values.put(name, clean);
            }
        });
        return values;
    }

    private static String bounded(String value) {
        return value.length() <= MAX_FIELD_CHARS ? value : value.substring(0, MAX_FIELD_CHARS);
    }

    /** "rfc822; Ann@Example.com" → "Ann@Example.com" (the address type before the semicolon, and any brackets, removed). */
    private static String address(String field) {
        if (field == null) {
            return null;
        }
        int semicolon = field.indexOf(';');
        String address = (semicolon >= 0 ? field.substring(semicolon + 1) : field).strip();
        if (address.startsWith("<") && address.endsWith(">")) {
            address = address.substring(1, address.length() - 1).strip();
        }
        return address.isEmpty() ? null : address;
    }

    private static String firstWord(String field) {
        if (field == null) {
            return null;
        }
        String word = field.strip().split("[\\s(;]", 2)[0].toLowerCase(Locale.ROOT);
        return word.isEmpty() ? null : word;
    }
}

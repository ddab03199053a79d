package io.mailroute.console.work;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * How an email's attachment goes to a browser: always as a download ({@code Content-Disposition: attachment}), under a
 * filename that cannot break the header or name a path (RFC 6266: an ASCII {@code filename} and, for any other name,
 * {@code filename*} in UTF-8), with a content type from a short list of harmless ones (anything else is
 * {@code application/octet-stream}; never HTML, SVG or XML, which a browser would run), and with {@code nosniff} and a
 * sandboxing Content-Security-Policy set by the page that serves it.
 */
public final class AttachmentDownload {

    /** The content types an attachment is served as; the sender's claim counts only when it is one of these. */
    static final Set<String> ALLOWED_TYPES = Set.of("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
            "text/plain", "text/csv", "application/zip", "application/msword", "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation");
    static final String FALLBACK_NAME = "attachment";
    private static final int MAX_NAME = 150;

    private AttachmentDownload() {
    }

    /** The stored content type when it is allowed, else {@code application/octet-stream}. */
    public static String contentType(String stored) {
        String type = stored == null ? "" : stored.strip().toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        if (semicolon >= 0) {
            type = type.substring(0, semicolon).strip();
        }
        return ALLOWED_TYPES.contains(type) ? type : "application/octet-stream";
    }

    /** {@code attachment; filename="invoice.pdf"}, plus {@code filename*=UTF-8''...} when the name is not plain ASCII. */
    public static String contentDisposition(String filename) {
        String name = safeName(filename);
        String ascii = asciiOf(name);
        String header = "attachment; filename=\"" + ascii + "\"";
        return ascii.equals(name) ? header : header + "; filename*=UTF-8''" + rfc5987(name);
    }

    /**
     * The name without any directory, control or format character (CR, LF, NUL, bidi overrides), quote, backslash or
     * slash, without leading dots, at most {@value #MAX_NAME} characters; {@value #FALLBACK_NAME} when nothing is left.
     */
    static String safeName(String filename) {
        String name = filename == null ? "" : filename;
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        StringBuilder out = new StringBuilder();
        name.codePoints().forEach(c -> {
            int type = Character.getType(c);
            boolean invisible = type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.PRIVATE_USE
                    || type == Character.UNASSIGNED;
            if (invisible || c == '"' || c == '\\' || c == '/') {
                return;
            }
            out.appendCodePoint(Character.isWhitespace(c) ? ' ' : c);
        });
        String cleaned = out.toString().strip().replaceFirst("^\\.+", "").strip();
        if (cleaned.codePointCount(0, cleaned.length()) > MAX_NAME) {
            cleaned = cleaned.substring(0, cleaned.offsetByCodePoints(0, MAX_NAME));
        }
        return cleaned.isEmpty() ? FALLBACK_NAME : cleaned;
    }

    /** The name in printable ASCII for browsers that ignore {@code filename*}: anything else becomes '_'. */
    private static String asciiOf(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f && c != '%' && c != ';' ? (char) c : '_'));
        return out.toString();
    }

    /** RFC 5987 value-chars: attr-chars as they are, every other UTF-8 byte %-encoded. */
    private static String rfc5987(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "!#$&+-.^_`|~".indexOf(c) >= 0)) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }
}

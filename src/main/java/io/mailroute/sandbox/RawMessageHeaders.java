package io.mailroute.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Edits the header section of RFC 822 bytes without reformatting anything else, so a stored message
 * is byte-for-byte what was given plus exactly the headers Gmail itself would add or drop.
 */
final class RawMessageHeaders {

    private RawMessageHeaders() {
    }

    /** CRLF unless the header section uses bare LF. */
    static String lineEnding(byte[] raw) {
        String text = latin1(raw);
        int firstLf = text.indexOf('\n');
        return firstLf > 0 && text.charAt(firstLf - 1) == '\r' ? "\r\n" : firstLf < 0 ? "\r\n" : "\n";
    }

    static byte[] prepend(byte[] raw, List<String> headerLines) {
        String eol = lineEnding(raw);
        StringBuilder added = new StringBuilder();
        for (String line : headerLines) {
            added.append(line).append(eol);
        }
        byte[] head = added.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + raw.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(raw, 0, out, head.length, raw.length);
        return out;
    }

    /** The unfolded value of the first header with this name, looking only at the header section. */
    static Optional<String> first(byte[] raw, String name) {
        String text = latin1(raw);
        int end = headerSectionEnd(text);
        int pos = 0;
        while (pos < end) {
            int lineEnd = endOfHeaderField(text, pos, end);
            String field = text.substring(pos, lineEnd);
            if (isNamed(field, name)) {
                String value = field.substring(field.indexOf(':') + 1).replaceAll("\r?\n[ \t]", " ").trim();
                return Optional.of(new String(value.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            }
            pos = lineEnd;
        }
        return Optional.empty();
    }

    /** Removes every occurrence of the header (with its folded continuation lines). */
    static byte[] remove(byte[] raw, String name) {
        String text = latin1(raw);
        int end = headerSectionEnd(text);
        StringBuilder kept = new StringBuilder(text.length());
        int pos = 0;
        boolean removed = false;
        while (pos < end) {
            int fieldEnd = endOfHeaderField(text, pos, end);
            String field = text.substring(pos, fieldEnd);
            if (isNamed(field, name)) {
                removed = true;
            } else {
                kept.append(field);
            }
            pos = fieldEnd;
        }
        if (!removed) {
            return raw;
        }
        kept.append(text, end, text.length());
        return kept.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean isNamed(String field, String name) {
        int colon = field.indexOf(':');
        return colon > 0 && field.substring(0, colon).trim().equalsIgnoreCase(name);
    }

    /** Index just past the header section's last field line (before the blank line), or the end. */
    private static int headerSectionEnd(String text) {
        if (text.startsWith("\r\n") || text.startsWith("\n")) {
            return 0;
        }
        int crlf = text.indexOf("\r\n\r\n");
        int lf = text.indexOf("\n\n");
        if (crlf < 0 && lf < 0) {
            return text.length();
        }
        if (crlf >= 0 && (lf < 0 || crlf + 1 <= lf)) {
            return crlf + 2;
        }
        return lf + 1;
    }

    /** End (exclusive, after its line break) of the header field starting at {@code start}. */
    private static int endOfHeaderField(String text, int start, int limit) {
        int pos = start;
        while (true) {
            int nl = text.indexOf('\n', pos);
            if (nl < 0 || nl + 1 >= limit) {
                return nl < 0 ? limit : Math.min(nl + 1, limit);
            }
            char next = text.charAt(nl + 1);
            if (next != ' ' && next != '\t') {
                return nl + 1;
            }
            pos = nl + 1;
        }
    }

    private static String latin1(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }
}

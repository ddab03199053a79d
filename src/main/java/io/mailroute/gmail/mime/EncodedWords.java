package io.mailroute.gmail.mime;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RFC 2047 encoded-word decoding, lenient like mail clients: words glued to text are decoded, adjacent
 * words in the same charset are joined at the byte level before decoding (senders split multi-byte
 * characters across words, notably in Japanese), and unknown charsets fall back instead of failing.
 */
final class EncodedWords {

    private static final Pattern WORD = Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");

    private EncodedWords() {
    }

    static String decode(String text) {
        if (text == null || !text.contains("=?")) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        String pendingCharset = null;
        Matcher m = WORD.matcher(text);
        int last = 0;
        while (m.find()) {
            String gap = text.substring(last, m.start());
            String charset = stripLanguage(m.group(1));
            boolean adjacent = pendingCharset != null && gap.isBlank();
            if (!adjacent || !charset.equalsIgnoreCase(pendingCharset)) {
                flush(out, pending, pendingCharset);
                pendingCharset = null;
                if (!adjacent) {
                    out.append(gap); // whitespace between two encoded words is not part of the text
                }
            }
            byte[] bytes = m.group(2).equalsIgnoreCase("B") ? base64(m.group(3)) : qEncoding(m.group(3));
            pending.writeBytes(bytes);
            pendingCharset = charset;
            last = m.end();
        }
        flush(out, pending, pendingCharset);
        out.append(text, last, text.length());
        return out.toString();
    }

    private static void flush(StringBuilder out, ByteArrayOutputStream pending, String charset) {
        if (pending.size() > 0) {
            byte[] bytes = pending.toByteArray();
            out.append(MailCharsets.decode(bytes, charset));
        }
        pending.reset();
    }

    private static String stripLanguage(String charset) {
        int star = charset.indexOf('*'); // RFC 2231 language suffix: =?UTF-8*en?Q?...?=
        return star >= 0 ? charset.substring(0, star) : charset;
    }

    private static byte[] base64(String encoded) {
        StringBuilder clean = new StringBuilder(encoded.length() + 3);
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') {
                clean.append(c);
            }
        }
        // Drop a dangling sixth-bit group, then pad: senders truncate and mis-pad.
        if (clean.length() % 4 == 1) {
            clean.setLength(clean.length() - 1);
        }
        while (clean.length() % 4 != 0) {
            clean.append('=');
        }
        return Base64.getDecoder().decode(clean.toString());
    }

    private static byte[] qEncoding(String encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < encoded.length() && isHex(encoded.charAt(i + 1)) && isHex(encoded.charAt(i + 2))) {
                out.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c & 0xFF);
            }
        }
        return out.toByteArray();
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}

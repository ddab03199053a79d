package io.mailroute.gmail.mime;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Turns bytes from an email into text the way mail clients do: the declared charset wins, labels that
 * mail software uses loosely are widened to the superset senders really meant (WHATWG encoding rules),
 * and an unknown or missing label falls back to UTF-8 when the bytes are valid UTF-8, else windows-1252.
 * Never throws for bad input.
 */
final class MailCharsets {

    static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    /** Labels whose real-world use is a superset encoding. */
    private static final Map<String, String> SUPERSETS = Map.ofEntries(
            Map.entry("iso-8859-1", "windows-1252"),
            Map.entry("iso8859-1", "windows-1252"),
            Map.entry("iso_8859-1", "windows-1252"),
            Map.entry("latin1", "windows-1252"),
            Map.entry("l1", "windows-1252"),
            Map.entry("cp1252", "windows-1252"),
            Map.entry("iso-8859-9", "windows-1254"),
            Map.entry("iso-8859-11", "x-windows-874"),
            Map.entry("tis-620", "x-windows-874"),
            Map.entry("shift_jis", "windows-31j"),
            Map.entry("shift-jis", "windows-31j"),
            Map.entry("sjis", "windows-31j"),
            Map.entry("x-sjis", "windows-31j"),
            Map.entry("ms_kanji", "windows-31j"),
            Map.entry("cp932", "windows-31j"),
            Map.entry("gb2312", "GBK"),
            Map.entry("x-gbk", "GBK"),
            Map.entry("euc-kr", "x-windows-949"),
            Map.entry("ks_c_5601-1987", "x-windows-949"),
            Map.entry("utf8", "UTF-8"));

    private MailCharsets() {
    }

    /** The charset to use for a declared label, or null when the label is missing or unknown to this JVM. */
    static Charset forLabel(String label) {
        if (label == null) {
            return null;
        }
        String key = label.trim().replace("\"", "").replace("'", "").toLowerCase(Locale.ROOT);
        if (key.isEmpty()) {
            return null;
        }
        String name = SUPERSETS.getOrDefault(key, key);
        try {
            return Charset.isSupported(name) ? Charset.forName(name) : null;
        } catch (IllegalArgumentException e) { // illegal charset name
            return null;
        }
    }

    static String decode(byte[] bytes, String declaredLabel) {
        return decode(bytes, 0, bytes.length, declaredLabel);
    }

    static String decode(byte[] bytes, int offset, int length, String declaredLabel) {
        Charset declared = forLabel(declaredLabel);
        String text;
        if (declared == null || (isAsciiLabel(declared) && hasHighBytes(bytes, offset, length))) {
            // No usable label, or "us-ascii" with 8-bit bytes, which is always a mislabel.
            text = guess(bytes, offset, length);
        } else {
            text = new String(bytes, offset, length, declared); // replaces malformed input, never throws
        }
        return stripBom(text);
    }

    /** UTF-8 if the bytes are valid UTF-8, else windows-1252 (which maps every byte to something readable). */
    static String guess(byte[] bytes, int offset, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length))
                    .toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, offset, length, WINDOWS_1252);
        }
    }

    /**
     * Header lines are read byte-per-char (ISO-8859-1); raw 8-bit header text is almost always UTF-8
     * today, so re-decode it as UTF-8 when valid and as windows-1252 otherwise.
     */
    static String redecodeRawHeader(String latin1) {
        if (latin1 == null) {
            return null;
        }
        boolean high = false;
        for (int i = 0; i < latin1.length(); i++) {
            char c = latin1.charAt(i);
            if (c > 0xFF) {
                return latin1; // already real text, not a byte string
            }
            high |= c >= 0x80;
        }
        if (!high) {
            return latin1;
        }
        byte[] bytes = latin1.getBytes(StandardCharsets.ISO_8859_1);
        return guess(bytes, 0, bytes.length);
    }

    private static boolean isAsciiLabel(Charset cs) {
        return cs.equals(StandardCharsets.US_ASCII);
    }

    private static boolean hasHighBytes(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] < 0) {
                return true;
            }
        }
        return false;
    }

    private static String stripBom(String s) {
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }
}

package io.mailroute.text;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML character references mail bodies use: numeric ones, the markup five, spaces and dashes, and the
 * accented Latin letters ({@code &eacute;}, {@code &Auml;}, {@code &ccedil;} ...) that HTML mail from
 * non-English clients is full of. Not the whole HTML5 table; enough to read the words of a mail.
 */
public final class HtmlEntities {

    /** The longest entity name worth looking for (between {@code &} and {@code ;}). */
    public static final int MAX_NAME_CHARS = 10;

    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("ensp", " "), Map.entry("emsp", " "),
            Map.entry("thinsp", " "), Map.entry("ndash", "\u2013"), Map.entry("mdash", "\u2014"),
            Map.entry("hellip", "\u2026"), Map.entry("lsquo", "\u2018"), Map.entry("rsquo", "\u2019"),
            Map.entry("ldquo", "\u201C"), Map.entry("rdquo", "\u201D"), Map.entry("laquo", "\u00AB"),
            Map.entry("raquo", "\u00BB"), Map.entry("iexcl", "\u00A1"), Map.entry("iquest", "\u00BF"),
            Map.entry("szlig", "\u00DF"), Map.entry("euro", "\u20AC"), Map.entry("shy", "\u00AD"),
            Map.entry("zwnj", "\u200C"), Map.entry("zwj", "\u200D"));

    /** Accent entity suffixes and the combining mark each adds to its letter. */
    private static final Map<String, String> ACCENTS = Map.of(
            "acute", "\u0301", "grave", "\u0300", "circ", "\u0302", "uml", "\u0308",
            "tilde", "\u0303", "cedil", "\u0327", "ring", "\u030A");

    private HtmlEntities() {
    }

    /**
     * The text of the entity named {@code name} (what stands between {@code &} and {@code ;}), or null when it is
     * none this class knows. Named entities are case-sensitive only where HTML's are: {@code &Eacute;} is É.
     */
    public static String decode(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_CHARS) {
            return null;
        }
        if (name.charAt(0) == '#') {
            return numeric(name);
        }
        String named = NAMED.get(name.toLowerCase(Locale.ROOT));
        if (named != null) {
            return named;
        }
        char letter = name.charAt(0);
        String mark = ACCENTS.get(name.substring(1));
        if (mark == null || !(letter >= 'a' && letter <= 'z' || letter >= 'A' && letter <= 'Z')) {
            return null;
        }
        return Normalizer.normalize(letter + mark, Normalizer.Form.NFC);
    }

    /**
     * The index of the {@code ;} that ends a reference whose {@code &} is at {@code amp}, looked for no further than
     * a name can be long nor at or past {@code end}; -1 when there is none. Bounded, so that text full of ampersands
     * is still read in linear time.
     */
    public static int referenceEnd(CharSequence s, int amp, int end) {
        int limit = Math.min(end, amp + MAX_NAME_CHARS + 2);
        for (int j = amp + 1; j < limit; j++) {
            if (s.charAt(j) == ';') {
                return j;
            }
        }
        return -1;
    }

    private static String numeric(String name) {
        try {
            boolean hex = name.length() > 1 && (name.charAt(1) == 'x' || name.charAt(1) == 'X');
            int code = hex ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
            return code > 0 && Character.isValidCodePoint(code) ? new String(Character.toChars(code)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

package io.mailroute.gmail.mime;

import java.util.regex.Pattern;

/** Turns a raw header value into safe display text: unfolded, 8-bit repaired, RFC 2047 decoded, no controls. */
final class HeaderText {

    private static final Pattern FOLD = Pattern.compile("\\r?\\n(?=[ \\t])|\\r(?=[ \\t])");
    private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n]+");

    private HeaderText() {
    }

    /** Unfolded and 8-bit repaired, still encoded: for structured headers that are parsed further. */
    static String raw(String value) {
        if (value == null) {
            return null;
        }
        return MailCharsets.redecodeRawHeader(FOLD.matcher(value).replaceAll(""));
    }

    /** Decoded display text with every line break and control character gone; trimmed. */
    static String text(String value) {
        if (value == null) {
            return null;
        }
        return clean(EncodedWords.decode(raw(value)));
    }

    /**
     * Line breaks become one space (a decoded "=0D=0A" must not start a new header anywhere we write it),
     * tabs become spaces, other control characters are dropped.
     */
    static String clean(String s) {
        if (s == null) {
            return null;
        }
        String oneLine = LINE_BREAKS.matcher(s).replaceAll(" ");
        StringBuilder out = new StringBuilder(oneLine.length());
        for (int i = 0; i < oneLine.length(); i++) {
            char c = oneLine.charAt(i);
            if (c == '\t') {
                out.append(' ');
            } else if (!isControl(c)) {
                out.append(c);
            }
        }
        return out.toString().strip();
    }

    /**
     * The value without its RFC 5322 comments ({@code <1234 @ local(blah) .machine .example>}): comments nest and
     * take backslash escapes, quoted strings are left alone. One pass, whatever the nesting.
     */
    static String withoutComments(String value) {
        if (value == null || value.indexOf('(') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && (quoted || depth > 0) && i + 1 < value.length()) {
                if (depth == 0) {
                    out.append(c).append(value.charAt(i + 1));
                }
                i++;
            } else if (depth == 0 && c == '"') {
                quoted = !quoted;
                out.append(c);
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F);
    }
}

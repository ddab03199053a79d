package io.mailroute.triage;

/**
 * The readable text of an HTML body, for keyword rules on mail that has no text/plain part: tags become
 * spaces, script and style content is dropped, the common entities are decoded. Not an HTML parser; good
 * enough to find words, and linear in the input.
 */
final class HtmlText {

    private HtmlText() {
    }

    /** Reads at most {@code maxHtmlChars} of the HTML and returns at most {@code maxTextChars} of text. */
    static String strip(String html, int maxHtmlChars, int maxTextChars) {
        if (html == null) {
            return "";
        }
        int end = Math.min(html.length(), maxHtmlChars);
        StringBuilder out = new StringBuilder(Math.min(end, maxTextChars));
        int i = 0;
        while (i < end && out.length() < maxTextChars) {
            char c = html.charAt(i);
            if (c == '<') {
                int close = html.indexOf('>', i);
                if (close < 0 || close >= end) {
                    break;
                }
                String tag = html.substring(i + 1, Math.min(close, i + 8)).toLowerCase(java.util.Locale.ROOT);
                i = close + 1;
                if (tag.startsWith("script") || tag.startsWith("style")) {
                    String name = tag.startsWith("script") ? "</script" : "</style";
                    int stop = indexOfIgnoreCase(html, name, i, end);
                    i = stop < 0 ? end : stop;
                }
                out.append(' ');
            } else if (c == '&') {
                int semi = html.indexOf(';', i);
                if (semi > i && semi - i <= 10 && semi < end) {
                    String decoded = entity(html.substring(i + 1, semi));
                    if (decoded != null) {
                        out.append(decoded);
                        i = semi + 1;
                        continue;
                    }
                }
                out.append(c);
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.length() > maxTextChars ? out.substring(0, maxTextChars) : out.toString();
    }

    private static String entity(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "amp": return "&";
            case "lt": return "<";
            case "gt": return ">";
            case "quot": return "\"";
            case "apos": return "'";
            case "nbsp": return " ";
            default:
                break;
        }
        try {
            int code;
            if (name.startsWith("#x") || name.startsWith("#X")) {
                code = Integer.parseInt(name.substring(2), 16);
            } else if (name.startsWith("#")) {
                code = Integer.parseInt(name.substring(1));
            } else {
                return null;
            }
            return Character.isValidCodePoint(code) ? new String(Character.toChars(code)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int indexOfIgnoreCase(String s, String needle, int from, int end) {
        for (int i = from; i + needle.length() <= end; i++) {
            if (s.regionMatches(true, i, needle, 0, needle.length())) {
                return i;
            }
        }
        return -1;
    }
}

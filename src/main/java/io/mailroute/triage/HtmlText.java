package io.mailroute.triage;

import io.mailroute.text.HtmlEntities;

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
                int semi = HtmlEntities.referenceEnd(html, i, end);
                if (semi > i + 1) {
                    String decoded = HtmlEntities.decode(html.substring(i + 1, semi));
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

    private static int indexOfIgnoreCase(String s, String needle, int from, int end) {
        for (int i = from; i + needle.length() <= end; i++) {
            if (s.regionMatches(true, i, needle, 0, needle.length())) {
                return i;
            }
        }
        return -1;
    }
}

package io.mailroute.approvals;

import io.mailroute.text.HtmlEntities;
import java.util.Locale;
import java.util.Set;

/**
 * The text of an HTML reply as lines, without what the replying client quoted: {@code <blockquote>}, Gmail's
 * {@code gmail_quote} and {@code gmail_attr}, Thunderbird's {@code moz-cite-prefix} and the signatures Gmail and
 * Thunderbird mark ({@code gmail_signature}, {@code moz-signature}) are dropped with everything inside them; at
 * Outlook's reply header ({@code id="divRplyFwdMsg"}, {@code id="appendonsend"}, {@code id="stopSpelling"}) the
 * rest is the original message and is not read. Block elements and {@code <br>} end lines; the markup's own line
 * breaks are spaces, as a browser shows them.
 *
 * <p>Not an HTML parser: one pass, no backtracking, linear in the input whatever the markup (a tag that never
 * closes ends the reading). The plain-text rules of {@link ReplyDecisionReader} run on the result too, so a quote
 * an HTML client marks in no way this class knows (Outlook's "From: … Sent: …" block) is still found.
 */
final class ReplyHtmlText {

    private static final Set<String> LINE_BREAKING = Set.of("br", "p", "div", "li", "tr", "table", "ul", "ol", "pre",
            "h1", "h2", "h3", "h4", "h5", "h6", "hr", "blockquote", "section", "article", "header", "footer");
    private static final Set<String> INVISIBLE = Set.of("script", "style", "head", "title");
    /** Class or id values whose element, with all inside it, is quoted text or a signature. */
    private static final String[] QUOTE_MARKERS = {"gmail_quote", "gmail_attr", "moz-cite-prefix", "gmail_signature", "moz-signature"};
    /** Ids after which an Outlook reply holds only the original message. */
    private static final String[] ORIGINAL_MESSAGE_MARKERS = {"divrplyfwdmsg", "appendonsend", "stopspelling"};

    private ReplyHtmlText() {
    }

    static String of(String html) {
        if (html == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(html.length(), 64 * 1024));
        String skipping = null; // the name of the element whose content is being dropped
        int depth = 0;
        int i = 0;
        int n = html.length();
        while (i < n) {
            char c = html.charAt(i);
            if (c == '<' && html.startsWith("<!--", i)) {
                int end = html.indexOf("-->", i + 4);
                i = end < 0 ? n : end + 3;
                continue;
            }
            if (c == '<' && i + 1 < n && isTagStart(html.charAt(i + 1))) {
                int end = tagEnd(html, i + 1);
                if (end < 0) {
                    break; // a tag that never closes: nothing after it can be read as the sender meant
                }
                String tag = html.substring(i + 1, end);
                i = end + 1;
                boolean closing = tag.startsWith("/");
                String name = tagName(tag, closing ? 1 : 0);
                boolean selfClosing = tag.endsWith("/");
                if (skipping != null) {
                    if (name.equals(skipping) && !selfClosing) {
                        depth += closing ? -1 : 1;
                        if (depth == 0) {
                            skipping = null;
                            out.append('\n');
                        }
                    }
                    continue;
                }
                if (closing) {
                    if (LINE_BREAKING.contains(name)) {
                        out.append('\n');
                    }
                    continue;
                }
                String lowerTag = tag.toLowerCase(Locale.ROOT);
                if (containsAny(lowerTag, ORIGINAL_MESSAGE_MARKERS)) {
                    break;
                }
                if (INVISIBLE.contains(name)) {
                    i = afterClosingTag(html, name, i);
                    continue;
                }
                if (!selfClosing && (name.equals("blockquote") || containsAny(lowerTag, QUOTE_MARKERS))) {
                    skipping = name;
                    depth = 1;
                    out.append('\n');
                    continue;
                }
                if (LINE_BREAKING.contains(name)) {
                    out.append('\n');
                } else if (name.equals("td") || name.equals("th")) {
                    out.append(' ');
                }
                continue;
            }
            if (skipping != null) {
                i++;
                continue;
            }
            if (c == '&') {
                int semi = HtmlEntities.referenceEnd(html, i, n);
                if (semi > i + 1) {
                    String decoded = HtmlEntities.decode(html.substring(i + 1, semi));
                    if (decoded != null) {
                        out.append(decoded);
                        i = semi + 1;
                        continue;
                    }
                }
            }
            out.append(c == '\r' || c == '\n' || c == '\t' ? ' ' : c);
            i++;
        }
        return out.toString();
    }

    private static boolean isTagStart(char c) {
        return c == '/' || c == '!' || c == '?' || (c < 0x80 && Character.isLetter(c));
    }

    /** The index of the '>' that ends the tag whose name starts at {@code from}, quotes respected; -1 when none does. */
    private static int tagEnd(String html, int from) {
        char quote = 0;
        for (int j = from; j < html.length(); j++) {
            char c = html.charAt(j);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return j;
            }
        }
        return -1;
    }

    private static String tagName(String tag, int from) {
        int end = from;
        while (end < tag.length() && (Character.isLetterOrDigit(tag.charAt(end)) || tag.charAt(end) == '-')) {
            end++;
        }
        return tag.substring(from, end).toLowerCase(Locale.ROOT);
    }

    /** Past the end tag of an element whose content is never shown (script, style); the end of the input without one. */
    private static int afterClosingTag(String html, String name, int from) {
        String endTag = "</" + name;
        for (int j = from; j + endTag.length() <= html.length(); j++) {
            if (html.regionMatches(true, j, endTag, 0, endTag.length())) {
                int close = html.indexOf('>', j);
                return close < 0 ? html.length() : close + 1;
            }
        }
        return html.length();
    }

    private static boolean containsAny(String s, String[] needles) {
        for (String needle : needles) {
            if (s.contains(needle)) {
                return true;
            }
        }
        return false;
    }
}

package io.mailroute.console.work;

import org.jsoup.Jsoup;
import org.jsoup.safety.Safelist;

/**
 * An email's HTML body made safe to show in a console page, with jsoup's {@link Safelist}: text formatting, lists,
 * quotes and links to http, https and mailto only ({@code rel="nofollow noopener noreferrer"}); no script, no style,
 * no event handler attributes, no images, no forms, no frames, no {@code javascript:} links. What it returns is the
 * only HTML a console template puts out unescaped ({@code {{{body.html}}}}).
 */
public final class MessageHtml {

    /** HTML a sanitizer produced: the one value a template may put out unescaped. */
    public record Sanitized(String html) {
    }

    private static final Safelist SAFELIST = Safelist.basic()
            .removeProtocols("a", "href", "ftp")
            .addEnforcedAttribute("a", "rel", "nofollow noopener noreferrer")
            .addTags("h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr", "div");

    private MessageHtml() {
    }

    /** The body's safe HTML; null for none. */
    public static Sanitized sanitize(String html) {
        if (html == null || html.isBlank()) {
            return null;
        }
        return new Sanitized(Jsoup.clean(html, SAFELIST));
    }
}

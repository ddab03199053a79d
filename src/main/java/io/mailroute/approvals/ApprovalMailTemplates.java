package io.mailroute.approvals;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The approval emails' Mustache templates in {@code config/templates} ({@code approval-request.*},
 * {@code approval-decided.*}), with mustache.java as camel-mustache renders the other emails: {@code {{value}}} is
 * HTML-escaped, which is why the HTML templates never use {@code {{{value}}}}; the text and subject templates do.
 */
final class ApprovalMailTemplates {

    static final String REQUEST = "approval-request";
    static final String DECIDED = "approval-decided";
    static final String REPLY_REFUSED = "approval-reply-refused";

    private final MustacheFactory factory;

    ApprovalMailTemplates(File templatesDir) {
        this.factory = new DefaultMustacheFactory(templatesDir); // compiled once per name, cached, thread-safe
    }

    /** The subject (one line: line breaks become spaces), text and HTML of one template set. */
    Rendered render(String name, Map<String, ?> model) {
        return new Rendered(oneLine(file(name + ".subject.mustache", model)), file(name + ".txt.mustache", model),
                file(name + ".html.mustache", model));
    }

    record Rendered(String subject, String text, String html) {
    }

    private String file(String file, Map<String, ?> model) {
        Mustache mustache;
        try {
            mustache = factory.compile(file);
        } catch (RuntimeException e) {
            throw new IllegalStateException("email template " + file + " cannot be read from the templates directory "
                    + "(mailroute.delivery.templates-dir): " + e.getMessage(), e);
        }
        StringWriter out = new StringWriter();
        try {
            mustache.execute(out, model).flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Header text never carries a line break, whatever a field or template put in it. */
    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n\\u0085\\u2028\\u2029\\t]+", " ").strip();
    }
}

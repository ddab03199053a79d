package io.mailroute.pages;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The pages' Mustache templates, read from the jar ({@code src/main/resources/pages/<name>.mustache}) with
 * mustache.java, the engine camel-mustache uses for the email templates. {@code {{value}}} escapes HTML
 * ({@code & < > " ' ` =}), which is why the page templates never use {@code {{{value}}}}: every value a page shows may
 * come from an email or a request. Each page extends {@code layout.mustache} ({@code {{<layout}}}) and fills its
 * blocks {@code {{$title}}} and {@code {{$content}}}, so no page's HTML is ever passed in as a value.
 */
public final class PageTemplates {

    /** Where the templates are in the jar. */
    static final String ROOT = "pages";

    private final MustacheFactory factory;

    public PageTemplates() {
        this.factory = new DefaultMustacheFactory(ROOT); // compiled once per name, cached, thread-safe
    }

    /**
     * Renders {@code pages/<template>.mustache}.
     *
     * @param model the page's values; the layout's ({@link PageLayout}) are added under {@code layout}
     * @throws IllegalArgumentException when the jar has no such template (a bug: template names are constants)
     */
    public String render(String template, PageLayout layout, Map<String, ?> model) {
        Mustache mustache;
        try {
            mustache = factory.compile(template + ".mustache");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("no page template " + ROOT + "/" + template + ".mustache in the jar: " + e.getMessage(), e);
        }
        Map<String, Object> scope = new HashMap<>(model);
        scope.put("layout", layout);
        StringWriter out = new StringWriter();
        try {
            mustache.execute(out, scope).flush();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}

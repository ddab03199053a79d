package io.mailroute.text;

import com.github.mustachejava.DefaultMustacheFactory;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Mustache for text/plain parts: {@code {{value}}} is written as it is, not HTML-escaped (a title with "&" stays
 * "&"). The HTML parts use Mustache's own escaping.
 */
public final class PlainTextMustache {

    private PlainTextMustache() {
    }

    /** A factory reading templates from {@code templatesDir} (compiled once per name, cached) that escapes nothing. */
    public static DefaultMustacheFactory in(File templatesDir) {
        return new DefaultMustacheFactory(templatesDir) {
            @Override
            public void encode(String value, Writer writer) {
                try {
                    writer.write(value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}

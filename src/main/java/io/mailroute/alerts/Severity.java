package io.mailroute.alerts;

import java.util.Arrays;
import java.util.Locale;

/** How bad an alert from another system is; decides how soon its one reminder goes out. */
public enum Severity {
    CRITICAL, HIGH, NORMAL, LOW;

    /** @throws IllegalArgumentException naming the field and the accepted values */
    public static Severity parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("severity must be one of " + names() + ", got '" + text + "'");
        }
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static String names() {
        return String.join(", ", Arrays.stream(values()).map(Severity::configName).toList());
    }
}

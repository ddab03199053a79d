package io.mailroute.app;

import io.mailroute.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * What the service and the commands that work on its data ({@code audit}, {@code triage}) share:
 * reading {@code application.properties} through Camel's properties component (placeholders,
 * {@code -D} and environment overrides alike) and opening the database it names.
 */
public final class Configs {

    private Configs() {
    }

    /** A context that only resolves properties; nothing is started. Close it when done. */
    public static CamelContext propertiesOnly(Path configDir) {
        Path properties = configDir.resolve("application.properties");
        if (!Files.isRegularFile(properties)) {
            throw new IllegalStateException(properties + " not found: run from the project root or pass --config DIR");
        }
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("file:" + properties.toAbsolutePath());
        return context;
    }

    public static Database openDatabase(Settings settings) {
        return Database.open(
                settings.text("mailroute.db.url",
                        "jdbc:h2:file:./data/db/mailroute;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE"),
                settings.text("mailroute.db.user", "sa"),
                settings.text("mailroute.db.password", ""),
                (int) settings.number("mailroute.db.pool-size", 8));
    }
}

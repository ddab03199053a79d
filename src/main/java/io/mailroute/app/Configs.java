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
        return Database.open(databaseUrl(settings),
                settings.text("mailroute.db.user", "sa"),
                settings.text("mailroute.db.password", ""),
                (int) settings.number("mailroute.db.pool-size", 8));
    }

    /**
     * {@code mailroute.db.url}, or else an H2 file under the data directory. DB_CLOSE_ON_EXIT=FALSE: the
     * service closes the database after its routes stop, not H2's shutdown hook; WRITE_DELAY=0: every
     * commit reaches the file at once, so a killed process loses no committed work.
     */
    static String databaseUrl(Settings settings) {
        String url = settings.text("mailroute.db.url", null);
        if (url != null) {
            return url;
        }
        Path file = settings.path("mailroute.data-dir", "data", false).toAbsolutePath().resolve("db").resolve("mailroute");
        return "jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }
}

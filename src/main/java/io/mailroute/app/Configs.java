package io.mailroute.app;

import io.mailroute.db.Database;
import io.mailroute.files.OwnerOnly;
import java.io.IOException;
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

    /** Opens the database; the default H2 file (every mail body) is created readable by its owner only. */
    public static Database openDatabase(Settings settings) {
        Path h2Directory = settings.text("mailroute.db.url", null) == null ? defaultH2File(settings).getParent() : null;
        if (h2Directory != null) {
            ownerOnlyDirectory(dataDirectory(settings));
            ownerOnlyDirectory(h2Directory);
        }
        Database db = Database.open(databaseUrl(settings),
                settings.text("mailroute.db.user", "sa"),
                settings.text("mailroute.db.password", ""),
                (int) settings.number("mailroute.db.pool-size", 8));
        if (h2Directory != null) {
            try {
                OwnerOnly.restrictFiles(h2Directory); // H2 creates its files with the umask's permissions
            } catch (IOException e) {
                db.close();
                throw new IllegalStateException("Cannot make the database files in " + h2Directory + " readable by their owner"
                        + " only: " + reason(e) + ". Check who owns them.", e);
            }
        }
        return db;
    }

    /** {@code mailroute.data-dir}: the database file, attachments, quarantined mail, the demo sandbox's state. */
    static Path dataDirectory(Settings settings) {
        return settings.path("mailroute.data-dir", "data", false);
    }

    /** Creates the directory owner-only (0700), or makes an existing one so. */
    static Path ownerOnlyDirectory(Path dir) {
        try {
            return OwnerOnly.directory(dir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create " + dir.toAbsolutePath() + " readable by its owner only (mailroute.data-dir): "
                    + reason(e) + ". Check who owns it, or choose another mailroute.data-dir.", e);
        }
    }

    /**
     * {@code mailroute.db.url}, or else an H2 file under the data directory. DB_CLOSE_ON_EXIT=FALSE: the
     * service closes the database after its routes stop, not H2's shutdown hook; WRITE_DELAY=0: every
     * commit reaches the file at once, so a killed process loses no committed work; QUERY_CACHE_SIZE=64: each
     * connection keeps the plans of the 64 statements it ran last, where with H2's 8 it parsed and planned most of the
     * service's statements anew each time (13 % of the Java samples of the benchmark's throughput run; 8 % with 64).
     */
    static String databaseUrl(Settings settings) {
        String url = settings.text("mailroute.db.url", null);
        if (url != null) {
            return url;
        }
        return "jdbc:h2:file:" + defaultH2File(settings) + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;QUERY_CACHE_SIZE=64";
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied on " + e.getMessage() : e.getMessage();
    }

    /** data/db/mailroute: H2 adds .mv.db. */
    private static Path defaultH2File(Settings settings) {
        return dataDirectory(settings).toAbsolutePath().resolve("db").resolve("mailroute");
    }
}

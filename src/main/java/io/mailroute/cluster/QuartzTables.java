package io.mailroute.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Migration 28: Quartz's own tables ({@code QRTZ_*}) for its clustered JDBC JobStore, from
 * {@code db/quartz/tables_postgres.sql} (Quartz 2.5.2's script without its DROPs and COMMIT). On PostgreSQL
 * only: H2 runs one instance with Quartz in memory, and still records the migration, so both databases keep
 * one version history (as {@link io.mailroute.audit.AuditAppendOnlyGuard} does). Every PostgreSQL database
 * gets the tables, clustered or not, so turning {@code mailroute.cluster.enabled} on later needs no migration.
 */
public final class QuartzTables extends io.mailroute.db.PostgresOnlyMigration {

    static final String SCRIPT = "db/quartz/tables_postgres.sql";

    /** The script's statements: comment lines dropped, split on the semicolons that end them (it has no functions). */
    @Override
    protected List<String> statements() {
        try (InputStream in = QuartzTables.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the class path");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.stripLeading().startsWith("--"))
                    .collect(Collectors.joining("\n"));
            return Arrays.stream(text.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public QuartzTables() {
        super("28", "quartz tables");
    }
}

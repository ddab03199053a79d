package io.mailroute.db;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.zip.CRC32;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * A Java migration whose statements run on PostgreSQL only; on other databases (H2) it does nothing and is still
 * recorded, so both keep one version history. Its checksum changes when the statements do, so Flyway's validation
 * notices an edited migration.
 */
public abstract class PostgresOnlyMigration implements JavaMigration {

    private final MigrationVersion version;
    private final String description;

    protected PostgresOnlyMigration(String version, String description) {
        this.version = MigrationVersion.fromVersion(version);
        this.description = description;
    }

    /** The statements, in order. */
    protected abstract List<String> statements();

    @Override
    public final MigrationVersion getVersion() {
        return version;
    }

    @Override
    public final String getDescription() {
        return description;
    }

    @Override
    public final Integer getChecksum() {
        CRC32 crc = new CRC32();
        statements().forEach(sql -> crc.update(sql.getBytes(StandardCharsets.UTF_8)));
        return (int) crc.getValue();
    }

    @Override
    public final boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public final void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        if (!"PostgreSQL".equals(connection.getMetaData().getDatabaseProductName())) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements()) {
                statement.execute(sql);
            }
        }
    }
}

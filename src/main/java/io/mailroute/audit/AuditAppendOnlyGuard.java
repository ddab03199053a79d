package io.mailroute.audit;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.zip.CRC32;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Migration 3.1: on PostgreSQL, triggers that make the audit trail append-only for anyone who is
 * not allowed to alter the tables themselves. Rejected: UPDATE, DELETE and TRUNCATE of
 * {@code audit_log}; an INSERT that is not the next link after {@code audit_head}; any change of
 * {@code audit_head} other than moving it forward by one record. On other databases (H2) it does
 * nothing and is still recorded, so both keep one version history.
 *
 * <p>Triggers do not stop the tables' owner, who can disable or drop them; the hash chain and
 * {@code audit verify} catch what the owner changes. Run the service as a role that does not own
 * the tables to make the guard binding. Register it with
 * {@code Flyway.configure().javaMigrations(new AuditAppendOnlyGuard())}.
 */
public final class AuditAppendOnlyGuard implements JavaMigration {

    static final List<String> POSTGRESQL = List.of(
            """
            CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'integrity_constraint_violation',
                          HINT = 'Audit records are never changed or removed; append a new record instead.';
            END $$""",
            """
            CREATE FUNCTION audit_log_check_insert() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
            DECLARE
                head audit_head%ROWTYPE;
            BEGIN
                SELECT * INTO head FROM audit_head WHERE id = 1;
                IF NOT FOUND OR NEW.seq <> head.last_seq + 1 OR NEW.prev_hash <> head.last_hash THEN
                    RAISE EXCEPTION 'audit_log record % is not the next link after the audit head', NEW.seq
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END $$""",
            """
            CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.last_seq = OLD.last_seq + 1 THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'audit_head only moves forward by one record: % is not allowed', TG_OP
                    USING ERRCODE = 'integrity_constraint_violation';
            END $$""",
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
                    + " FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change()",
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
                    + " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change()",
            "CREATE TRIGGER audit_log_next_link BEFORE INSERT ON audit_log"
                    + " FOR EACH ROW EXECUTE FUNCTION audit_log_check_insert()",
            "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head"
                    + " FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()",
            "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head"
                    + " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change()");

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("3.1");
    }

    @Override
    public String getDescription() {
        return "audit append only guard";
    }

    /** Changes when the statements do, so Flyway's validation notices an edited guard. */
    @Override
    public Integer getChecksum() {
        CRC32 crc = new CRC32();
        POSTGRESQL.forEach(sql -> crc.update(sql.getBytes(StandardCharsets.UTF_8)));
        return (int) crc.getValue();
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        if (!"PostgreSQL".equals(connection.getMetaData().getDatabaseProductName())) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            for (String sql : POSTGRESQL) {
                statement.execute(sql);
            }
        }
    }
}

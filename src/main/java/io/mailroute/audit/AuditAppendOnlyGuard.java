package io.mailroute.audit;

import java.util.List;

/**
 * Migration 3.1: on PostgreSQL, triggers that make the audit trail append-only for anyone who is
 * not allowed to alter the tables themselves. Rejected: UPDATE, DELETE and TRUNCATE of
 * {@code audit_log}; an INSERT that is not the next link after {@code audit_head}; any change of
 * {@code audit_head} other than moving it forward by one record. On other databases (H2) it does
 * nothing and is still recorded, so both keep one version history.
 *
 * <p>Triggers do not stop the tables' owner, who can disable or drop them; the hash chain and
 * {@code audit verify} catch what the owner changes. Run the service as a role that does not own
 * the tables to make the guard binding. Registered in
 * {@code META-INF/services/org.flywaydb.core.api.migration.JavaMigration}, which {@code Database.open} migrates; a bare
 * Flyway takes it with {@code Flyway.configure().javaMigrations(new AuditAppendOnlyGuard())}.
 */
public final class AuditAppendOnlyGuard extends io.mailroute.db.PostgresOnlyMigration {

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

    public AuditAppendOnlyGuard() {
        super("3.1", "audit append only guard");
    }

    @Override
    protected List<String> statements() {
        return POSTGRESQL;
    }
}

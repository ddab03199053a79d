package io.mailroute.ops;

import io.mailroute.db.Database;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** DOWN when no valid connection can be had from the pool within two seconds. */
public final class DatabaseHealthCheck extends AbstractHealthCheck {

    private final Database db;

    public DatabaseHealthCheck(Database db) {
        super("mailroute", "database");
        this.db = db;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (db.isReachable()) {
            builder.up();
        } else {
            builder.message("the database does not answer (mailroute.db.url)").down();
        }
    }
}

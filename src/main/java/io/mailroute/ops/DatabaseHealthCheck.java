package io.mailroute.ops;

import io.mailroute.db.Database;
import io.mailroute.db.Outage;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * DOWN when a statement cannot run within two seconds; while the database is closed and being
 * reopened (a full disk), DOWN saying so and what to do. A readiness check only: the service
 * reopens the database by itself, so a restart would not bring it back sooner (a restart on a
 * full disk would not even start).
 */
public final class DatabaseHealthCheck extends AbstractHealthCheck {

    private final Database db;

    public DatabaseHealthCheck(Database db) {
        super("mailroute", "database");
        this.db = db;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (db.isReachable()) {
            builder.up();
            return;
        }
        Optional<Outage> outage = db.outage();
        if (outage.isPresent()) {
            Outage o = outage.get();
            builder.message(o.summary())
                    .detail("since", o.since().toString())
                    .detail("disk.full", o.diskFull())
                    .detail("reopen.attempts", o.attempts());
            if (o.freeBytes() >= 0) {
                builder.detail("disk.free.bytes", o.freeBytes());
            }
        } else {
            builder.message("the database does not answer (mailroute.db.url)");
        }
        builder.down();
    }
}

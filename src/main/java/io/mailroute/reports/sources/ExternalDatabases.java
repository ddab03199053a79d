package io.mailroute.reports.sources;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mailroute.db.Database;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportsConfig.Datasource;
import java.util.Map;
import java.util.Optional;
import java.util.HashMap;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The external databases of reports.yaml's {@code datasources:}: one small read-only pool each (at most two
 * connections, none kept when idle), opened when a report first reads it, closed by {@link #close()}. The password
 * (and the user, when the file says env:VAR) is read from the environment when the pool opens.
 */
final class ExternalDatabases implements AutoCloseable {

    private static final int MAX_CONNECTIONS = 2;
    private static final long CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final long IDLE_TIMEOUT_MILLIS = 60_000;

    private final Map<String, Datasource> configured;
    private final Function<String, String> environment;
    private final String file;
    private final Map<String, HikariDataSource> pools = new HashMap<>();
    private volatile boolean closed;

    ExternalDatabases(Map<String, Datasource> configured, Function<String, String> environment, String file) {
        this.configured = Map.copyOf(configured);
        this.environment = environment;
        this.file = file;
    }

    /** The pool of the datasource {@code name}, opened on first use; an error the report's owner can act on if not. */
    synchronized DataSource pool(ReportDefinition report, String name) throws SourceException {
        if (closed) {
            throw new IllegalStateException("the report sources are closed");
        }
        HikariDataSource pool = pools.get(name);
        if (pool != null) {
            return pool;
        }
        Datasource datasource = configured.get(name);
        if (datasource == null) {
            throw new SourceException("report '" + report.id() + "': datasource '" + name + "' is not in datasources: of "
                    + file + ". Add it there or correct source.datasource (" + report.where("source.datasource") + ")");
        }
        String where = file + " line " + datasource.line() + ", datasources." + name;
        Optional<String> user = datasource.user(environment);
        if (datasource.userVariable() != null && user.isEmpty()) {
            throw unset(report, name, datasource.userVariable(), "user", where);
        }
        Optional<String> password = datasource.password(environment);
        if (datasource.passwordVariable() != null && password.isEmpty()) {
            throw unset(report, name, datasource.passwordVariable(), "password", where);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("report-datasource-" + name);
        config.setJdbcUrl(datasource.url());
        user.ifPresent(config::setUsername);
        password.ifPresent(config::setPassword);
        config.setReadOnly(true);
        config.setMaximumPoolSize(MAX_CONNECTIONS);
        config.setMinimumIdle(0);
        config.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        try {
            pool = new HikariDataSource(config); // connects once now: a wrong URL or password fails here, and is not kept
        } catch (RuntimeException e) {
            throw new SourceException("report '" + report.id() + "': could not connect to datasource '" + name + "' ("
                    + Database.redact(datasource.url()) + ", " + where + "): " + rootMessage(e)
                    + ". Check the URL, that the database is running and reachable, and its user and password", e);
        }
        pools.put(name, pool);
        return pool;
    }

    private static SourceException unset(ReportDefinition report, String name, String variable, String what, String where) {
        return new SourceException("report '" + report.id() + "': the " + what + " of datasource '" + name + "' comes from "
                + "the environment variable " + variable + ", which is not set (" + where + "." + what + "). Export "
                + variable + " for the service and restart it");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    @Override
    public synchronized void close() {
        closed = true;
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}

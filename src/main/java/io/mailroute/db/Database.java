package io.mailroute.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import io.mailroute.audit.AuditAppendOnlyGuard;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The service's one connection pool, migrated to the current schema when opened.
 * H2 (a file under {@code data/}) by default; PostgreSQL with the same migrations.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Opens the pool and applies pending migrations; a database it cannot reach is a clear error. */
    public static Database open(String url, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("mailroute-db");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(10_000);
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            String cause = rootMessage(e);
            if (isInUse(e)) {
                throw new InUseException("The database " + redact(url) + " is open in another process: a running Mailroute "
                        + "(perhaps still starting, before its API answers). An H2 file has one user at a time: wait until the "
                        + "service answers (commands then go through it) or stop it first; PostgreSQL (mailroute.db.url) "
                        + "has no such limit.", e);
            }
            throw new IllegalStateException("Cannot open the database " + redact(url) + " (mailroute.db.url): "
                    + cause + ". Check the URL, that the server is running and the credentials.", e);
        }
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                    .javaMigrations(new AuditAppendOnlyGuard()).load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw new IllegalStateException("Cannot migrate the database " + redact(url) + ": " + rootMessage(e), e);
        }
        return new Database(dataSource);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public NamedParameterJdbcTemplate jdbc() {
        return jdbc;
    }

    public TransactionTemplate transactions() {
        return transactions;
    }

    /** True when a connection can be taken and is valid within two seconds. */
    public boolean isReachable() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** JDBC URLs may carry passwords (PostgreSQL's ?password=): never print those. */
    static String redact(String url) {
        return url == null ? "" : url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    /**
     * The database is held by another process (H2's file lock). Its message is complete: the JDBC
     * driver's own words add nothing a person can act on.
     */
    public static final class InUseException extends IllegalStateException {
        InUseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** H2's DATABASE_ALREADY_OPEN (90020) anywhere in the chain. */
    private static boolean isInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() == 90020) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}

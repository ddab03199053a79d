package io.mailroute.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import org.quartz.utils.ConnectionProvider;

/**
 * Quartz's connections when clustered: a small pool of its own on the service's PostgreSQL, so that a
 * main pool busy with intake never delays a check-in (a node whose check-in is late is declared dead).
 * Registered by name in Quartz's {@code DBConnectionManager} ({@link QuartzSetup}).
 */
final class QuartzConnections implements ConnectionProvider {

    private final HikariDataSource pool;

    QuartzConnections(String url, String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("mailroute-quartz");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(10_000);
        config.setAutoCommit(false); // Quartz's JobStoreTX commits itself
        this.pool = new HikariDataSource(config);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void shutdown() {
        pool.close();
    }

    @Override
    public void initialize() {
        // the pool is open from the constructor
    }
}

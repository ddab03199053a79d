package io.mailroute.console.overview;

import io.mailroute.db.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;

/**
 * {@link OverviewQueriesTest} on a real PostgreSQL, each test in a schema of its own (the queries count every row).
 * {@code .ci/run} starts one on loopback and sets MAILROUTE_TEST_POSTGRES_URL; without it these tests are skipped,
 * saying so.
 */
class OverviewQueriesPostgresIT extends OverviewQueriesTest {

    @Override
    Database database() {
        String url = System.getenv("MAILROUTE_TEST_POSTGRES_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(),
                "MAILROUTE_TEST_POSTGRES_URL is not set (.ci/run sets it when PostgreSQL is available)");
        String schema = "overview_" + System.nanoTime();
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema); // a name made here, not from input
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema " + schema + " on " + url + ": " + e.getMessage(), e);
        }
        return Database.open(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, null, null, 2);
    }
}

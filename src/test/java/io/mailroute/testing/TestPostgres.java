package io.mailroute.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL database of a test's own, on the server {@code .ci/run} starts (MAILROUTE_TEST_POSTGRES_URL,
 * whose database {@code postgres} other tests share). Without that variable the test is skipped, saying so.
 */
public final class TestPostgres implements AutoCloseable {

    public static final String VARIABLE = "MAILROUTE_TEST_POSTGRES_URL";

    private final String baseUrl;
    private final String name;

    private TestPostgres(String baseUrl, String name) {
        this.baseUrl = baseUrl;
        this.name = name;
    }

    /** Creates database {@code <prefix>_<nanos>}; skips the test when there is no PostgreSQL. */
    public static TestPostgres create(String prefix) throws SQLException {
        String baseUrl = System.getenv(VARIABLE);
        Assumptions.assumeTrue(baseUrl != null && !baseUrl.isBlank(),
                VARIABLE + " is not set (.ci/run sets it when PostgreSQL is available)");
        String name = prefix + "_" + System.nanoTime();
        try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new TestPostgres(baseUrl, name);
    }

    /** The JDBC URL of this database (the base URL's user and options). */
    public String url() {
        return baseUrl.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    }

    public String name() {
        return name;
    }

    /** Drops the database, ending the sessions still on it. */
    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}

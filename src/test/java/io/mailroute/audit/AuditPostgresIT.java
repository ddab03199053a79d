package io.mailroute.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The audit trail on a real PostgreSQL, in a schema of its own (dropped afterwards), migrated with
 * the append-only guard: two "service instances" (pools) appending at once, the guard refusing
 * changes, and verification catching every kind of tampering by the tables' owner, who can switch
 * the guard off. {@code .ci/run} sets MAILROUTE_TEST_POSTGRES_URL; without it this test is skipped.
 */
class AuditPostgresIT {

    private static String serverUrl;
    private static String schema;
    private static Database instanceA;
    private static Database instanceB;

    @BeforeAll
    static void migrateAFreshSchema() throws Exception {
        serverUrl = System.getenv("MAILROUTE_TEST_POSTGRES_URL");
        if (serverUrl == null || serverUrl.isBlank()) {
            return; // each test then reports itself skipped, saying why
        }
        schema = "audit_it_" + System.currentTimeMillis() + "_" + ProcessHandle.current().pid();
        execute(serverUrl, "CREATE SCHEMA " + schema);
        String url = serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        // Migrated with the guard here, so this test does not depend on Database.open registering it.
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
                .javaMigrations(new AuditAppendOnlyGuard()).load().migrate();
        instanceA = Database.open(url, null, null, 4);
        instanceB = Database.open(url, null, null, 4);
    }

    @AfterAll
    static void dropTheSchema() throws Exception {
        if (instanceA != null) {
            instanceA.close();
        }
        if (instanceB != null) {
            instanceB.close();
        }
        if (schema != null) {
            execute(serverUrl, "DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @BeforeEach
    void emptyTrail() {
        Assumptions.assumeTrue(instanceA != null,
                "MAILROUTE_TEST_POSTGRES_URL is not set (.ci/run sets it when PostgreSQL is available)");
        withGuardOff(sql -> {
            sql.update("DELETE FROM audit_log", new MapSqlParameterSource());
            sql.update("DELETE FROM audit_head", new MapSqlParameterSource());
            sql.update("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, :genesis)",
                    new MapSqlParameterSource("genesis", AuditHashing.GENESIS_HASH));
        });
    }

    @Test
    void twoInstancesAppendingAtOnceKeepOneContiguousChain() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> appenders = new ArrayList<>();
            for (Database instance : List.of(instanceA, instanceB)) {
                AuditLog audit = new AuditLog(instance, Json.newMapper(), Clock.systemUTC());
                for (int t = 0; t < 2; t++) {
                    appenders.add(() -> {
                        for (int i = 0; i < 25; i++) {
                            int n = i;
                            instance.transactions().executeWithoutResult(tx -> {
                                audit.append("item.changed", "support", "item:" + n, null);
                                if (n % 10 == 0) {
                                    tx.setRollbackOnly();
                                }
                            });
                        }
                        return null;
                    });
                }
            }
            for (Future<Void> done : threads.invokeAll(appenders)) {
                done.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(LongStream.rangeClosed(1, 88).boxed().toList(), AuditFixture.seqs(instanceA));
        AuditVerifier.Result result = new AuditVerifier(instanceB).verify();
        assertTrue(result.intact(), result::toString);
        assertEquals(88, result.recordsChecked());
    }

    @Test
    void theGuardRefusesEveryChangeThatBypassesTheAppender() {
        AuditFixture.appendSample(instanceA, new AuditLog(instanceA, Json.newMapper(), Clock.systemUTC()), 5);
        NamedParameterJdbcTemplate sql = instanceA.jdbc();
        MapSqlParameterSource none = new MapSqlParameterSource();

        assertRefused("append-only", () -> sql.update("UPDATE audit_log SET details = '{}' WHERE seq = 3", none));
        assertRefused("append-only", () -> sql.update("DELETE FROM audit_log WHERE seq = 5", none));
        assertRefused("append-only", () -> sql.update("TRUNCATE audit_log", none));
        assertRefused("not the next link", () -> sql.update("INSERT INTO audit_log (seq, occurred_at, action, subject_ref,"
                + " details, prev_hash, hash) SELECT 6, 0, 'x', 'x', '{}', hash, hash FROM audit_log WHERE seq = 4", none));
        assertRefused("only moves forward", () -> sql.update("UPDATE audit_head SET last_seq = 4", none));
        assertRefused("only moves forward", () -> sql.update("DELETE FROM audit_head", none));

        assertTrue(new AuditVerifier(instanceB).verify().intact());
    }

    @ParameterizedTest
    @EnumSource(Tampering.class)
    void verifyCatchesWhatTheOwnerChangesBehindTheGuard(Tampering tampering) {
        AuditFixture.appendSample(instanceA, new AuditLog(instanceA, Json.newMapper(),
                new AuditFixture.TickingClock(AuditFixture.T0)), Tampering.RECORDS);
        assertTrue(new AuditVerifier(instanceB).verify().intact());

        withGuardOff(tampering::apply);

        AuditLogTest.assertTampered(tampering, new AuditVerifier(instanceB).verify());
    }

    private static void withGuardOff(java.util.function.Consumer<NamedParameterJdbcTemplate> change) {
        NamedParameterJdbcTemplate sql = instanceA.jdbc();
        sql.update("ALTER TABLE audit_log DISABLE TRIGGER USER", new MapSqlParameterSource());
        sql.update("ALTER TABLE audit_head DISABLE TRIGGER USER", new MapSqlParameterSource());
        try {
            change.accept(sql);
        } finally {
            sql.update("ALTER TABLE audit_log ENABLE TRIGGER USER", new MapSqlParameterSource());
            sql.update("ALTER TABLE audit_head ENABLE TRIGGER USER", new MapSqlParameterSource());
        }
    }

    private static void assertRefused(String reason, Executable change) {
        DataAccessException e = assertThrows(DataAccessException.class, change);
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private static void execute(String url, String ddl) throws Exception {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.execute(ddl);
        }
    }
}

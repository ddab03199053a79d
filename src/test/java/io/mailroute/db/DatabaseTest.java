package io.mailroute.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.testing.SmallDisk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataAccessException;

class DatabaseTest {

    @Test
    void migratesAFreshDatabaseAndIsIdempotentOnReopen() {
        String url = "jdbc:h2:mem:migrate-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        try (Database db = Database.open(url, "sa", "", 2)) {
            List<String> tables = db.jdbc().getJdbcTemplate().queryForList(
                    "SELECT LOWER(table_name) FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1", String.class);
            assertTrue(tables.containsAll(List.of("mailbox", "mail_message", "attachment", "workflow_event",
                    "flyway_schema_history")), tables.toString());
        }
        try (Database again = Database.open(url, "sa", "", 2)) {
            assertTrue(again.isReachable());
        }
    }

    @Test
    void aDatabaseAnEarlierBuildMigratedGetsAMigrationNumberedBelowItsNewest(@TempDir Path dir) throws Exception {
        // the build that landed before the console had V24 as its newest and no V21: copy its migrations
        Path earlier = java.nio.file.Files.createDirectories(dir.resolve("earlier"));
        Path shipped = Path.of("src", "main", "resources", "db", "migration");
        try (var files = java.nio.file.Files.list(shipped)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().startsWith("V21__")).toList()) {
                java.nio.file.Files.copy(file, earlier.resolve(file.getFileName()));
            }
        }
        String url = "jdbc:h2:mem:upgrade-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        try (var pool = new com.zaxxer.hikari.HikariDataSource()) {
            pool.setJdbcUrl(url);
            pool.setUsername("sa");
            org.flywaydb.core.Flyway.configure().dataSource(pool).locations("filesystem:" + earlier)
                    .javaMigrations(new io.mailroute.audit.AuditAppendOnlyGuard()).load().migrate();
        }
        try (Database db = Database.open(url, "sa", "", 2)) {
            assertEquals(1, db.jdbc().getJdbcTemplate().queryForObject(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE LOWER(table_name) = 'console_user'", Integer.class),
                    "the lower-numbered migration was applied after the newer ones");
        }
    }

    @Test
    void theJavaMigrationsOfOtherPackagesAreAppliedWithTheSqlOnesWithoutTheDatabaseNamingThem() {
        String url = "jdbc:h2:mem:java-migrations-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        try (Database db = Database.open(url, "sa", "", 2)) {
            // recorded on H2 too (they do nothing there), so both databases keep one version history
            assertEquals(java.util.List.of("audit append only guard", "quartz tables"), db.jdbc().getJdbcTemplate().queryForList(
                    "SELECT description FROM \"flyway_schema_history\" WHERE version IN ('3.1', '28') ORDER BY installed_rank",
                    String.class));
        }
        assertEquals(java.util.Set.of(io.mailroute.audit.AuditAppendOnlyGuard.class, io.mailroute.cluster.QuartzTables.class),
                java.util.Arrays.stream(Database.javaMigrations()).map(Object::getClass).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void anUnreachableDatabaseIsAClearErrorWithoutThePassword() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Database.open("jdbc:postgresql://127.0.0.1:1/x?password=hunter2", "u", "p", 1));
        assertTrue(e.getMessage().contains("mailroute.db.url"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void aFullDiskClosesH2AndTheDatabaseReopensByItselfOnceThereIsRoomKeepingEveryCommit(@TempDir Path work) throws Exception {
        try (SmallDisk disk = SmallDisk.mount(work.resolve("disk"), 16);
                Database db = Database.open(fileUrl(disk.dir()), "sa", "", 4)) {
            db.jdbc().getJdbcTemplate().execute("CREATE TABLE note (id INT PRIMARY KEY, body VARCHAR)");
            for (int id = 1; id <= 10; id++) {
                insert(db, id, "committed before the disk filled");
            }

            disk.fill();
            assertThrows(DataAccessException.class, () -> insert(db, 11, "x".repeat(256 * 1024)), "the disk is full");
            assertThrows(DataAccessException.class, () -> count(db), "H2 has closed the database after the failed write");

            disk.free();
            await("a statement to run again", () -> {
                try {
                    return count(db) >= 0;
                } catch (DataAccessException stillClosed) {
                    return false;
                }
            });
            assertEquals(10, count(db), "every commit before the failure is there, the failed one is not");
            insert(db, 12, "written after the disk had room again");
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12), db.jdbc().getJdbcTemplate()
                    .queryForList("SELECT id FROM note ORDER BY id", Integer.class));
            assertTrue(db.isReachable());
        }
    }

    @Test
    void whileTheDiskIsFullTheDatabaseSaysDiskFullAndWaitsForRoomInsteadOfReopeningAtOnce(@TempDir Path work)
            throws Exception {
        try (SmallDisk disk = SmallDisk.mount(work.resolve("disk"), 16);
                Database db = Database.open(fileUrl(disk.dir()), "sa", "", 4)) {
            db.jdbc().getJdbcTemplate().execute("CREATE TABLE note (id INT PRIMARY KEY, body VARCHAR)");
            assertTrue(db.isAvailable());

            disk.fill();
            assertEquals("closed", db.unlessClosed("closed", () -> {
                insert(db, 1, "x".repeat(256 * 1024));
                return "written";
            }), "work that meets the closing answers as closed instead of failing");

            assertFalse(db.isAvailable(), "the failed write itself starts the outage");
            assertEquals(-1, db.unlessClosed(-1, () -> count(db)), "while closed, work is not even tried");
            Outage outage = db.outage().orElseThrow();
            assertTrue(outage.diskFull(), outage.toString());
            assertTrue(outage.summary().startsWith("disk full: the database under " + disk.dir().resolve("db")),
                    outage.summary());
            assertTrue(outage.summary().contains("Free space on that disk"), outage.summary());
            assertFalse(db.isReachable());
            await("three reopen attempts", () -> db.outage().map(Outage::attempts).orElse(0) >= 3);
            assertFalse(db.isAvailable(), "no room yet: still closed after three attempts");

            disk.free();
            await("the database to be reopened", db::isAvailable);
            assertTrue(db.outage().isEmpty());
            insert(db, 2, "after");
            assertEquals(1, count(db));
            assertThrows(DataAccessException.class, () -> db.unlessClosed(0, () -> {
                insert(db, 2, "again");
                return 1;
            }), "with the database open, a failure is the caller's to see");
        }
    }

    @Test
    void theDirectoryOfAnH2FileIsKnownAndAServerHasNone() {
        assertEquals(Path.of("/srv/data/db"), Database.h2Directory("jdbc:h2:file:/srv/data/db/mailroute;MODE=PostgreSQL"));
        assertEquals(Path.of("/srv/data/db"), Database.h2Directory("jdbc:h2:/srv/data/db/mailroute"));
        assertEquals(null, Database.h2Directory("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1"));
        assertEquals(null, Database.h2Directory("jdbc:h2:tcp://localhost/~/test"));
        assertEquals(null, Database.h2Directory("jdbc:postgresql://db.internal:5432/mailroute"));
    }

    /** The service's own H2 settings (Configs.databaseUrl), on the small disk. */
    private static String fileUrl(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("db").resolve("test") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE"
                + ";DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;QUERY_CACHE_SIZE=64";
    }

    private static void insert(Database db, int id, String body) {
        db.jdbc().update("INSERT INTO note (id, body) VALUES (:id, :body)", Map.of("id", id, "body", body));
    }

    private static int count(Database db) {
        return db.jdbc().getJdbcTemplate().queryForObject("SELECT COUNT(*) FROM note", Integer.class);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}

package io.mailroute.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

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
    void anUnreachableDatabaseIsAClearErrorWithoutThePassword() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Database.open("jdbc:postgresql://127.0.0.1:1/x?password=hunter2", "u", "p", 1));
        assertTrue(e.getMessage().contains("mailroute.db.url"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
    }
}

package io.mailroute.events;

import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.testing.TestPostgres;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * {@link EventLog#page}'s SQL on PostgreSQL 15 (MAILROUTE_TEST_POSTGRES_URL; skipped, saying so, without it): a page
 * of several types (one part per type, merged by seq) holds what the same page holds on H2.
 */
class EventLogPagePostgresIT {

    @Test
    void aPageHoldsItsTypesAndMailboxInSeqOrderUpToItsLimitOnPostgres() throws Exception {
        try (TestPostgres pg = TestPostgres.create("eventpage"); Database db = Database.open(pg.url(), null, null, 2)) {
            EventLogPageTest.assertPagesHoldTheRightEvents(db, new EventLog(db, Json.newMapper(), Clock.systemUTC()));
        }
    }
}

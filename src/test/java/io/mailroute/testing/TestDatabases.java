package io.mailroute.testing;

import io.mailroute.db.Database;
import io.mailroute.retry.Backoff;
import io.mailroute.gmail.MailboxStates;
import java.time.Clock;
import java.time.Duration;

/** Databases for tests that need nothing running: a fresh in-memory H2 per call, migrated like the service's. */
public final class TestDatabases {

    private TestDatabases() {
    }

    /** @param name a prefix for the database's name, to tell tests apart in a stack trace */
    public static Database h2(String name) {
        return Database.open("jdbc:h2:mem:" + name + "-" + System.nanoTime()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "", 2);
    }

    /** Adds a mailbox row ({@code <id>@acme.example}), which tables such as {@code mailbox_token} refer to. */
    public static void addMailbox(Database db, String id) {
        new MailboxStates(db, Clock.systemUTC(), new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5))
                .register(TestMailboxes.sandbox(id, id + "@acme.example", "in:inbox", 10, 50));
    }
}

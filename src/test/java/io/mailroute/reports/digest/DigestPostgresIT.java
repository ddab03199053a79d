package io.mailroute.reports.digest;

import io.mailroute.db.Database;
import io.mailroute.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;

/**
 * {@link DigestTest} on a real PostgreSQL (a database of its own, {@link TestPostgres}): the digest's queries give the
 * figures the independent SQL gives there too. Without MAILROUTE_TEST_POSTGRES_URL it is skipped, saying so.
 */
class DigestPostgresIT extends DigestTest {

    private TestPostgres postgres;

    @Override
    Database database() throws Exception {
        postgres = TestPostgres.create("mr_digest");
        return DigestFixture.seed(Database.open(postgres.url(), null, null, 2));
    }

    @AfterEach
    @Override
    void close() throws Exception {
        super.close(); // its pool first, then the database
        if (postgres != null) {
            postgres.close();
        }
    }
}

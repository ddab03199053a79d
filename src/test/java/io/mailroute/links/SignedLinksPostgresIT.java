package io.mailroute.links;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Single use on a real PostgreSQL (V17's link_use), where a failed insert would abort the caller's transaction:
 * a second use inside a transaction answers false and the transaction goes on; two service instances (pools)
 * using one link at once, each in its own transaction, give exactly one success. {@code .ci/run} sets
 * MAILROUTE_TEST_POSTGRES_URL; without it this test is skipped, saying so.
 */
class SignedLinksPostgresIT {

    private static final String URL = System.getenv("MAILROUTE_TEST_POSTGRES_URL");
    private static Database instanceA;
    private static Database instanceB;

    @BeforeAll
    static void open() {
        if (URL != null && !URL.isBlank()) {
            instanceA = Database.open(URL, null, null, 2);
            instanceB = Database.open(URL, null, null, 2);
        }
    }

    @AfterAll
    static void close() {
        if (instanceA != null) {
            instanceA.close();
            instanceB.close();
        }
    }

    @BeforeEach
    void needsPostgres() {
        Assumptions.assumeTrue(instanceA != null,
                "MAILROUTE_TEST_POSTGRES_URL is not set (.ci/run sets it when PostgreSQL is available)");
    }

    private static final String KEY = LinkKeys.generate();

    private static SignedLinks on(Database db) {
        return new SignedLinks(LinkKeys.of(KEY), LinkBaseUrl.loopback(8080), db, Clock.systemUTC());
    }

    private static SignedLink issued(SignedLinks links) {
        String token = links.issue("approval.decide", "apr-" + System.nanoTime(), "anna@acme.example",
                Clock.systemUTC().instant().plus(Duration.ofHours(1)), true);
        return assertInstanceOf(LinkCheck.Valid.class, links.verify(token, "approval.decide")).link();
    }

    @Test
    void aSecondUseInsideATransactionAnswersFalseAndTheTransactionCommits() {
        SignedLinks links = on(instanceA);
        SignedLink used = issued(links);
        SignedLink fresh = issued(links);
        assertTrue(links.consume(used));
        instanceA.transactions().executeWithoutResult(tx -> {
            assertFalse(links.consume(used));
            assertTrue(links.consume(fresh), "the transaction was not aborted by the conflict");
        });
        assertTrue(links.usedAt(fresh).isPresent());
    }

    @Test
    void ofTwoInstancesUsingALinkAtOnceExactlyOneWins() throws Exception {
        SignedLinks a = on(instanceA);
        SignedLinks b = on(instanceB);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                SignedLink link = issued(a);
                CyclicBarrier together = new CyclicBarrier(2);
                List<Callable<Boolean>> uses = List.of(
                        () -> {
                            together.await(10, TimeUnit.SECONDS);
                            return instanceA.transactions().execute(tx -> a.consume(link));
                        },
                        () -> {
                            together.await(10, TimeUnit.SECONDS);
                            return instanceB.transactions().execute(tx -> b.consume(link));
                        });
                int won = 0;
                for (Future<Boolean> answer : pool.invokeAll(uses)) {
                    won += answer.get() ? 1 : 0;
                }
                assertEquals(1, won, "round " + round);
                assertInstanceOf(LinkCheck.Refused.class, b.verify(a.issue("x", "y", "z@acme.example",
                        Clock.systemUTC().instant().plusSeconds(60), true), "approval.decide"));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

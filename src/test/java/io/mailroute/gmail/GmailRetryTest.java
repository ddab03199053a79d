package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.retry.Backoff;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Retrying one Gmail call in place, on a clock and a sleeper the test moves: what is retried, how long it waits, when it gives up. */
class GmailRetryTest {

    private static final String MAILBOX = "support";

    private long nanos;
    private final List<Duration> sleeps = new ArrayList<>();
    private final GmailErrorCounts counts = new GmailErrorCounts();
    /** Jitter in the middle of its band: exponential waits are exactly base × 2^n, a Retry-After wait is it plus a tenth. */
    private final GmailRetry retry = new GmailRetry(
            new GmailRetry.Policy(5, Duration.ofSeconds(30), new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.5)),
            duration -> {
                sleeps.add(duration);
                nanos += duration.toNanos();
            },
            () -> nanos).countingIn(counts);

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aServerErrorIsRetriedInPlaceWithExponentialBackoff() throws IOException {
        Script call = new Script(error(500, null), error(503, null), "the message");

        assertEquals("the message", retry.call(MAILBOX, call));

        assertEquals(3, call.tries);
        assertEquals(List.of(Duration.ofMillis(500), Duration.ofMillis(1000)), sleeps);
        assertEquals(new GmailErrorCounts.Tally(0, 2, 2), counts.of(MAILBOX));
    }

    @Test
    void aRateLimitWaitsWhatRetryAfterSaysNotAnExponentialInterval() throws IOException {
        Script call = new Script(error(429, "3"), error(429, "3"), error(429, "3"), "the page");

        assertEquals("the page", retry.call(MAILBOX, call));

        Duration asked = Duration.ofMillis(3300); // 3 s and a tenth of jitter, each time: no doubling
        assertEquals(List.of(asked, asked, asked), sleeps);
        assertEquals(new GmailErrorCounts.Tally(3, 0, 3), counts.of(MAILBOX));
    }

    @Test
    void aRateLimit403IsRetriedLikeA429() throws IOException {
        Script call = new Script(GmailFailureTest.gmailError(403, "userRateLimitExceeded", "1"), "ok");
        assertEquals("ok", retry.call(MAILBOX, call));
        assertEquals(List.of(Duration.ofMillis(1100)), sleeps);
    }

    @Test
    void afterTheLastAttemptTheLastFailureGoesToThePoll() {
        IOException last = error(503, null);
        Script call = new Script(error(500, null), error(500, null), error(500, null), error(500, null), last);

        assertSame(last, assertThrows(IOException.class, () -> retry.call(MAILBOX, call)));

        assertEquals(5, call.tries);
        assertEquals(4, sleeps.size());
        assertEquals(new GmailErrorCounts.Tally(0, 5, 4), counts.of(MAILBOX));
    }

    @Test
    void aRetryAfterLongerThanTheBudgetIsWaitedOutBetweenPollsNotInsideOne() {
        Script call = new Script(error(429, "60"), "never asked for");

        assertThrows(IOException.class, () -> retry.call(MAILBOX, call));

        assertEquals(1, call.tries);
        assertEquals(List.of(), sleeps);
    }

    @Test
    void theBudgetBoundsTheWholeCallSlowTriesIncluded() {
        // Each try takes 10 s to time out: after the third (31.5 s in) a 2 s wait would end past the 30 s budget.
        Script call = new Script(timeout(), timeout(), timeout(), timeout(), "never asked for");
        call.takes = Duration.ofSeconds(10);

        assertThrows(SocketTimeoutException.class, () -> retry.call(MAILBOX, call));

        assertEquals(3, call.tries);
        assertEquals(List.of(Duration.ofMillis(500), Duration.ofMillis(1000)), sleeps);
    }

    static Stream<Exception> failuresThatDoNotPass() {
        return Stream.of(error(404, null), GmailFailureTest.gmailError(401, "authError", null),
                GmailFailureTest.gmailError(403, "insufficientPermissions", null), error(400, null),
                new IllegalStateException("a bug"), new NoGrantException(MAILBOX));
    }

    @ParameterizedTest
    @MethodSource("failuresThatDoNotPass")
    void whatRetryingCannotFixIsThrownAtOnce(Exception failure) {
        Script call = new Script(failure, "never asked for");

        assertSame(failure, assertThrows(Exception.class, () -> retry.call(MAILBOX, call)));

        assertEquals(1, call.tries);
        assertEquals(List.of(), sleeps);
        assertEquals(GmailErrorCounts.Tally.NONE, counts.of(MAILBOX), "only rate limits and transient errors are counted");
    }

    @Test
    void aMailboxPausedOrDisconnectedMeanwhileIsNotTriedAgain() {
        List<String> asked = new ArrayList<>();
        retry.retryingWhile(mailbox -> {
            asked.add(mailbox);
            return false;
        });
        Script call = new Script(error(500, null), "never asked for");

        assertThrows(IOException.class, () -> retry.call(MAILBOX, call));

        assertEquals(1, call.tries);
        assertEquals(List.of(MAILBOX), asked);
    }

    @Test
    void whenItCannotBeToldWhetherTheMailboxMayStillBePolledTheGmailFailureGoesToThePoll() {
        retry.retryingWhile(mailbox -> {
            throw new IllegalStateException("the database is closed");
        });
        IOException failure = error(500, null);
        Script call = new Script(failure, "never asked for");

        assertSame(failure, assertThrows(IOException.class, () -> retry.call(MAILBOX, call)));
        assertEquals(1, call.tries);
    }

    @Test
    void aMailboxPausedDuringTheWaitIsNotTriedAgain() {
        boolean[] paused = {false};
        GmailRetry pausing = new GmailRetry(new GmailRetry.Policy(5, Duration.ofSeconds(30),
                new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.5)),
                duration -> paused[0] = true, () -> 0L).retryingWhile(mailbox -> !paused[0]);
        Script call = new Script(error(500, null), "never asked for");

        assertThrows(IOException.class, () -> pausing.call(MAILBOX, call));
        assertEquals(1, call.tries);
    }

    @Test
    void anInterruptedWaitGivesUpAndKeepsTheInterrupt() {
        GmailRetry interrupted = new GmailRetry(new GmailRetry.Policy(5, Duration.ofSeconds(30),
                new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.5)),
                duration -> {
                    throw new InterruptedException("stopping");
                }, () -> 0L);
        Script call = new Script(error(500, null), "never asked for");

        assertThrows(IOException.class, () -> interrupted.call(MAILBOX, call));
        assertEquals(1, call.tries);
        assertTrue(Thread.currentThread().isInterrupted());
    }

    @Test
    void theShutdownSleeperWakesAsSoonAsTheServiceStops() throws InterruptedException {
        int[] asked = {0};
        // Stopping from the third look on: a minute's wait ends after two slices of at most 100 ms.
        GmailRetry.sleeperUntil(() -> ++asked[0] > 2).sleep(Duration.ofMinutes(1));
        assertEquals(3, asked[0]);
    }

    private static IOException error(int status, String retryAfter) {
        return GmailFailureTest.gmailError(status, status == 429 ? "rateLimitExceeded" : "backendError", retryAfter);
    }

    private static IOException timeout() {
        return new SocketTimeoutException("Read timed out");
    }

    /** A Gmail call that answers the given outcomes in turn: an exception is thrown, anything else returned. */
    private final class Script implements GmailRetry.Call<Object> {
        private final Deque<Object> outcomes;
        private int tries;
        private Duration takes = Duration.ZERO;

        Script(Object... outcomes) {
            this.outcomes = new ArrayDeque<>(List.of(outcomes));
        }

        @Override
        public Object execute() throws IOException {
            tries++;
            nanos += takes.toNanos();
            Object next = outcomes.removeFirst();
            if (next instanceof IOException io) {
                throw io;
            }
            if (next instanceof RuntimeException runtime) {
                throw runtime;
            }
            return next;
        }
    }
}

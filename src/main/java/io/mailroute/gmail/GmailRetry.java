package io.mailroute.gmail;

import io.mailroute.retry.Backoff;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries one of intake's Gmail calls in place when it failed for a reason that passes: a 5xx, a
 * network error or timeout, a 429 or a rate-limit 403. That is Google's guidance, and failing the
 * whole poll instead let a 10 % error rate stall intake (one failed {@code messages.get} in a hundred
 * messages sent the mailbox into backoff). A rate limit with Retry-After waits what it says; anything
 * else backs off exponentially with jitter. Bounded by {@link Policy}, so one call cannot hold its poll
 * for ever: then the failure goes to the poll, as before. Every try is paced by the mailbox's client
 * ({@link GmailClientFactory#pacedBy}: Gmail counts each request), and a mailbox paused or disconnected
 * meanwhile is not tried again.
 */
public final class GmailRetry {

    private static final Logger LOG = LoggerFactory.getLogger(GmailRetry.class);

    /**
     * How far a call is retried.
     *
     * @param attempts tries of one call at most, the first included
     * @param budget   time from the first try within which another try must start (waits and calls included)
     * @param backoff  the wait after each failed try ({@link GmailFailure#waitAfter})
     */
    public record Policy(int attempts, Duration budget, Backoff backoff) {

        public Policy {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
            }
        }

        /**
         * After {@code tries} failed tries, the last with {@code failure}, {@code elapsed} after the first
         * began: how long to wait before the next, or null to give up (not retryable, out of tries, or
         * the wait would end past the budget: a long Retry-After is waited out between polls, not inside one).
         */
        public Duration nextWait(int tries, GmailFailure failure, Duration elapsed) {
            if (!failure.isRetryable() || tries >= attempts) {
                return null;
            }
            Duration wait = failure.waitAfter(tries, backoff);
            return elapsed.plus(wait).compareTo(budget) > 0 ? null : wait;
        }
    }

    /** One Gmail request, made again on each try. */
    @FunctionalInterface
    public interface Call<T> {
        T execute() throws IOException;
    }

    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Policy policy;
    private final Sleeper sleeper;
    private final LongSupplier nanoTime;
    private Predicate<String> keepTrying = mailboxId -> true;
    private GmailErrorCounts counts = new GmailErrorCounts();

    public GmailRetry(Policy policy, Sleeper sleeper, LongSupplier nanoTime) {
        this.policy = policy;
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
    }

    /** Asked before each retry: false (the mailbox was paused or disconnected, the service is stopping) gives up. */
    public GmailRetry retryingWhile(Predicate<String> mayRetry) {
        this.keepTrying = mayRetry;
        return this;
    }

    /** Where each rate limit, transient error and retry is counted. */
    public GmailRetry countingIn(GmailErrorCounts errorCounts) {
        this.counts = errorCounts;
        return this;
    }

    /** Makes the call; retries it as the policy allows and otherwise throws what the last try threw. */
    public <T> T call(String mailboxId, Call<T> call) throws IOException {
        long start = nanoTime.getAsLong();
        for (int tries = 1; ; tries++) {
            try {
                return call.execute();
            } catch (IOException | RuntimeException e) {
                GmailFailure failure = GmailFailure.of(e);
                counts.failed(mailboxId, failure);
                Duration wait = policy.nextWait(tries, failure, Duration.ofNanos(nanoTime.getAsLong() - start));
                if (wait == null || !mayRetry(mailboxId)) {
                    throw e;
                }
                LOG.debug("Mailbox {}: Gmail call failed ({}), try {} of {} in {} ms", mailboxId, failure.message(),
                        tries + 1, policy.attempts(), wait.toMillis());
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                if (!mayRetry(mailboxId)) {
                    throw e;
                }
                counts.retried(mailboxId);
            }
        }
    }

    /** A check that cannot answer (the database is closing, say) means stop: the poll ends with the Gmail failure. */
    private boolean mayRetry(String mailboxId) {
        try {
            return keepTrying.test(mailboxId);
        } catch (RuntimeException unanswerable) {
            LOG.debug("Mailbox {}: not retrying, whether it may be polled is unknown: {}", mailboxId, unanswerable.toString());
            return false;
        }
    }

    /**
     * Sleeps in slices of at most 100 ms and wakes early once {@code stopping} says so, so a retry
     * never holds up the service's shutdown by a whole wait.
     */
    public static Sleeper sleeperUntil(BooleanSupplier stopping) {
        return duration -> {
            long deadline = System.nanoTime() + duration.toNanos();
            for (long left = duration.toNanos(); left > 0 && !stopping.getAsBoolean(); left = deadline - System.nanoTime()) {
                Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
            }
        };
    }
}

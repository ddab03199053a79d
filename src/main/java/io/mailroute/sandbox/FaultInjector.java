package io.mailroute.sandbox;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the Gmail API misbehave on purpose: random errors, added latency and deterministic 429 storms.
 * Only Gmail API requests pass through here; the token and admin endpoints stay reliable.
 */
final class FaultInjector {

    private volatile double errorRate;
    private volatile int errorStatus = 500;
    private volatile int latencyMillis;
    private final AtomicInteger rateLimitedRemaining = new AtomicInteger();
    private volatile int retryAfterSeconds = 1;

    FaultInjector(double errorRate, int latencyMillis) {
        setFaults(errorRate, 500, latencyMillis);
    }

    void setFaults(double rate, int status, int latency) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("errorRate must be in [0,1], was " + rate);
        }
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("errorStatus must be an HTTP error status 400..599, was " + status);
        }
        if (latency < 0) {
            throw new IllegalArgumentException("latencyMillis must be >= 0, was " + latency);
        }
        this.errorRate = rate;
        this.errorStatus = status;
        this.latencyMillis = latency;
    }

    /** The next {@code requests} Gmail API requests answer 429 with {@code Retry-After: retryAfter}. */
    void rateLimitNext(int requests, int retryAfter) {
        if (requests < 0 || retryAfter < 0) {
            throw new IllegalArgumentException("requests and retryAfterSeconds must be >= 0");
        }
        this.retryAfterSeconds = retryAfter;
        rateLimitedRemaining.set(requests);
    }

    void delay() {
        int millis = latencyMillis;
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    Optional<GmailApiException> rateLimitStorm() {
        int left = rateLimitedRemaining.getAndUpdate(n -> n > 0 ? n - 1 : 0);
        return left > 0 ? Optional.of(GmailErrors.rateLimited(retryAfterSeconds)) : Optional.empty();
    }

    Optional<GmailApiException> randomError() {
        double rate = errorRate;
        if (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate) {
            return Optional.of(GmailErrors.injected(errorStatus));
        }
        return Optional.empty();
    }
}

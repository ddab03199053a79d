package io.mailroute.console.overview;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The Overview's time window: the last {@value #HOURS} whole hours of UTC, the current one included, so that every
 * chart has the same {@value #HOURS} hour buckets. Bucket {@code i} holds {@code [start + i h, start + (i + 1) h)}: a
 * row at exactly 10:00:00 is in the 10:00 bucket.
 *
 * @param start the first bucket's start (an hour boundary)
 * @param end   the last bucket's end, {@code start + 24 h}: rows are {@code >= start} and {@code < end}
 */
public record OverviewWindow(Instant start, Instant end) {

    public static final int HOURS = 24;
    static final Duration BUCKET = Duration.ofHours(1);

    public OverviewWindow {
        if (!end.equals(start.plus(BUCKET.multipliedBy(HOURS))) || !start.truncatedTo(ChronoUnit.HOURS).equals(start)) {
            throw new IllegalArgumentException("a window is " + HOURS + " whole hours, was " + start + " to " + end);
        }
    }

    /** The window whose last bucket is the hour {@code now} is in. */
    public static OverviewWindow endingAt(Instant now) {
        Instant start = now.truncatedTo(ChronoUnit.HOURS).minus(BUCKET.multipliedBy(HOURS - 1));
        return new OverviewWindow(start, start.plus(BUCKET.multipliedBy(HOURS)));
    }

    /** Where bucket {@code i} starts. */
    public Instant bucketStart(int i) {
        return start.plus(BUCKET.multipliedBy(i));
    }

    /** The bucket of an instant in the window; -1 outside it. */
    public int bucketOf(Instant at) {
        if (at.isBefore(start) || !at.isBefore(end)) {
            return -1;
        }
        return (int) (Duration.between(start, at).toMillis() / BUCKET.toMillis());
    }
}

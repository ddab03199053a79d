package io.mailroute.console.overview;

import java.util.Arrays;

/** Nearest-rank percentiles: the smallest value that at least p % of the values are no greater than. */
final class Percentiles {

    private Percentiles() {
    }

    /**
     * @param sorted  the values, ascending, at least one
     * @param percent 0 < percent <= 100
     */
    static long nearestRank(long[] sorted, int percent) {
        if (sorted.length == 0 || percent <= 0 || percent > 100) {
            throw new IllegalArgumentException("need values and 0 < percent <= 100, had " + sorted.length + " values and "
                    + percent);
        }
        long rank = ((long) percent * sorted.length + 99) / 100; // 1-based ceil(p/100 * n), in integers: no rounding error
        return sorted[(int) rank - 1];
    }

    static long[] sortedCopy(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }
}

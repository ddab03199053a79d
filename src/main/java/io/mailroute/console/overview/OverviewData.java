package io.mailroute.console.overview;

import java.util.List;
import java.util.Map;

/**
 * What the Overview shows, as {@link OverviewQueries} read it for one {@link OverviewWindow}.
 *
 * @param messagesIn  messages received per mailbox: counts per hour bucket, by mailbox id
 * @param items       items made in the window, by queue (category) and the state they are in now (series)
 * @param deliveries  deliveries planned in the window, by status (category) and channel type (series)
 * @param slaBreaches {@code sla.breached} events per mailbox: counts per hour bucket, by mailbox id
 * @param latency     email→push latency per hour bucket a push went out in; hours without one are left out
 */
public record OverviewData(OverviewWindow window, Map<String, long[]> messagesIn, List<Count> items, List<Count> deliveries,
        Map<String, long[]> slaBreaches, List<LatencyHour> latency) {

    /** A count of rows with this category and series. */
    public record Count(String category, String series, long count) {
    }

    /**
     * The pushes sent in one hour bucket, and how long after their message's receipt (nearest-rank percentiles).
     */
    public record LatencyHour(int bucket, int pushes, long p50Millis, long p95Millis) {
    }
}

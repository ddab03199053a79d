package io.mailroute.cluster;

import java.time.Duration;

/**
 * How this instance takes part in a cluster ({@code mailroute.cluster.*} in application.properties).
 *
 * @param enabled          several instances share one PostgreSQL: Quartz's clustered JDBC JobStore decides which
 *                         node runs each mailbox's poll, each subscription and each scheduled job
 * @param nodeId           this node's name, unique among live nodes (Quartz's instance id); also shown in health,
 *                         {@code status} and the API
 * @param checkinInterval  how often each node tells the others it lives; a node silent for about
 *                         {@code checkinInterval + 7.5 s} is taken over
 * @param subscriptionHold how long one Quartz fire holds an event subscription before it is fired again (on this
 *                         node or another)
 * @param quartzPoolSize   connections of Quartz's own pool (kept apart so a busy main pool never delays a check-in)
 * @param spareThreads     Quartz threads beyond one per quartz route (and, clustered, per subscription)
 */
public record ClusterSettings(boolean enabled, String nodeId, Duration checkinInterval, Duration subscriptionHold,
        int quartzPoolSize, int spareThreads) {

    /** Quartz's scheduler name: the same on every node, it is the cluster's name in Quartz's tables. */
    public static final String SCHEDULER_NAME = "mailroute";

    /** One instance on its own: the default. */
    public static ClusterSettings single(String nodeId) {
        return new ClusterSettings(false, nodeId, Duration.ofSeconds(5), Duration.ofSeconds(10), 6, 2);
    }

    /** {@code <hostname>-<pid>}: unique among live nodes without anybody choosing. */
    public static String defaultNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}

package io.mailroute.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Quartz scheduler of the service, set on Camel's quartz component before the routes start, so that
 * every {@code quartz:} route (each mailbox's poll, the timers' tick, the SLA check) and, when clustered, each
 * event subscription runs on it.
 *
 * <p>Single instance: Quartz's RAMJobStore, as before. Clustered ({@link ClusterSettings#enabled()}):
 * Quartz's {@code JobStoreTX} with its PostgreSQL delegate on the tables of migration 28, one scheduler name
 * for every node and this node's id as the instance id. A job marked non-concurrent (camel-quartz's
 * {@code stateful=true}) then runs on one node at a time cluster-wide, and a dead node's jobs are recovered by
 * another at its next check-in after about {@code checkinInterval + 7.5 s} of silence.
 */
public final class QuartzSetup extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(QuartzSetup.class);
    /** The quartz group of the mailboxes' polls (routes/gmail-intake.camel.yaml: quartz://gmail-intake/<mailbox>). */
    public static final String INTAKE_GROUP = "gmail-intake";
    /** The quartz group of the reports' schedules (routes/reports.camel.yaml: quartz://reports/<report>). */
    public static final String REPORTS_GROUP = "reports";
    private static final AtomicInteger PROVIDERS = new AtomicInteger();
    /** Quartz's own margin on top of the check-in interval before it declares a silent node dead (JobStoreSupport). */
    static final long QUARTZ_FAILURE_MARGIN_MS = 7_500;

    /** Where Quartz's tables are (the service's PostgreSQL). */
    public record Store(String url, String user, String password) {
    }

    private final Supplier<ClusterSettings> settings;
    private final Supplier<Store> store;
    private final Supplier<Set<String>> monitoredMailboxes;
    private Supplier<Set<String>> reports = Set::of;

    public QuartzSetup(Supplier<ClusterSettings> settings, Supplier<Store> store, Supplier<Set<String>> monitoredMailboxes) {
        this.settings = settings;
        this.store = store;
        this.monitoredMailboxes = monitoredMailboxes;
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        ClusterSettings cluster = settings.get();
        int threads = threadsFor(context.getCamelContextExtension().getContextPlugin(Model.class), cluster);
        String dataSource = null;
        if (cluster.enabled()) {
            Store db = store.get();
            QuartzConnections connections = new QuartzConnections(db.url(), db.user(), db.password(), cluster.quartzPoolSize());
            try {
                refuseUnsafeStart(connections, cluster);
            } catch (RuntimeException e) {
                connections.shutdown();
                throw e;
            }
            dataSource = "mailroute-quartz-" + PROVIDERS.incrementAndGet();
            DBConnectionManager.getInstance().addConnectionProvider(dataSource, connections);
        }
        try {
            context.getComponent("quartz", QuartzComponent.class)
                    .setSchedulerFactory(new StdSchedulerFactory(properties(cluster, threads, dataSource, context)));
        } catch (SchedulerException e) {
            throw new IllegalStateException("Cannot set up Quartz: " + e.getMessage(), e);
        }
        LOG.info(cluster.enabled()
                ? "Quartz: clustered on PostgreSQL as node {} ({} threads, check-in every {} s): each poll, subscription and "
                        + "scheduled job runs on one node at a time"
                : "Quartz: in memory, node {} ({} threads, check-in {} s unused: not clustered)",
                cluster.nodeId(), threads, cluster.checkinInterval().toSeconds());
    }

    /** The ids of the reports whose schedules are triggers of group {@value #REPORTS_GROUP}; the others are removed. */
    public QuartzSetup withReports(Supplier<Set<String>> reportIds) {
        this.reports = reportIds;
        return this;
    }

    /**
     * A mailbox removed from mailboxes.yaml (a report removed from reports.yaml) keeps its trigger in a clustered store
     * (camel-quartz deletes nothing there when a route stops, since other nodes may run it): remove the polls of
     * mailboxes, and the schedules of reports, no longer configured.
     */
    @Override
    public void afterStart(BaseMainSupport main) {
        if (!settings.get().enabled()) {
            return;
        }
        Scheduler scheduler = main.getCamelContext().getComponent("quartz", QuartzComponent.class).getScheduler();
        prune(scheduler, INTAKE_GROUP, monitoredMailboxes.get(), "the poll of mailbox", "mailboxes.yaml");
        prune(scheduler, REPORTS_GROUP, reports.get(), "the schedule of report", "reports.yaml");
    }

    static void prune(Scheduler scheduler, String group, Set<String> configured, String what, String file) {
        try {
            for (TriggerKey key : scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(group))) {
                if (!configured.contains(key.getName())) {
                    scheduler.unscheduleJob(key);
                    LOG.info("Quartz: removed {} '{}', which {} no longer has", what, key.getName(), file);
                }
            }
        } catch (SchedulerException e) {
            LOG.warn("Quartz: could not look for {} no longer in {}: {}", what, file, e.getMessage());
        }
    }

    /**
     * One thread per route started by a quartz trigger (and, clustered, per event subscription, each held by a
     * job for as long as its hold lasts), plus the spares: every mailbox and subscription may end up on one node.
     */
    static int threadsFor(Model model, ClusterSettings cluster) {
        int routes = 0;
        for (RouteDefinition route : model.getRouteDefinitions()) {
            String uri = route.getInput() == null ? "" : route.getInput().getEndpointUri();
            if (uri == null) {
                continue;
            }
            if (uri.startsWith("quartz:") || (cluster.enabled() && uri.startsWith("mailroute-events:"))) {
                routes++;
            }
        }
        return Math.max(1, routes + cluster.spareThreads());
    }

    /** Quartz's properties; {@code dataSource} is the registered connection provider when clustered. */
    public static Properties properties(ClusterSettings cluster, int threads, String dataSource, CamelContext context) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "mailroute-quartz");
        // After a takeover, an overdue trigger fires once, not once per missed interval.
        p.setProperty("org.quartz.jobStore.misfireThreshold", "2000");
        if (cluster.enabled()) {
            p.setProperty("org.quartz.scheduler.instanceName", ClusterSettings.SCHEDULER_NAME);
            p.setProperty("org.quartz.scheduler.instanceId", cluster.nodeId());
            p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.setProperty("org.quartz.jobStore.dataSource", dataSource);
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(cluster.checkinInterval().toMillis()));
        } else {
            // Quartz's scheduler registry is per JVM and keyed by name: a name of this context's own.
            p.setProperty("org.quartz.scheduler.instanceName", ClusterSettings.SCHEDULER_NAME + "-"
                    + context.getName() + "-" + Integer.toHexString(System.identityHashCode(context)));
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        return p;
    }

    /**
     * Two live nodes with one id would each "recover" the other's jobs, and nodes whose clocks disagree
     * misjudge each other's check-ins: refuse both. A node restarted at once after it died finds its own last
     * check-in fresh; it goes ahead when that check-in does not move for one interval (nobody else has its id).
     */
    static void refuseUnsafeStart(QuartzConnections connections, ClusterSettings cluster) {
        long interval = cluster.checkinInterval().toMillis();
        try (Connection c = connections.getConnection()) {
            long skew = databaseTimeMillis(c) - System.currentTimeMillis();
            if (Math.abs(skew) > interval) {
                throw new IllegalStateException("This node's clock is " + Math.abs(skew) + " ms " + (skew > 0 ? "behind" : "ahead of")
                        + " the database's: clustered nodes judge each other by their check-in times, so they must agree "
                        + "to well within mailroute.cluster.checkin-interval (" + interval + " ms). Synchronize the clocks (NTP).");
            }
            if (Math.abs(skew) > 1_000) {
                LOG.warn("This node's clock differs from the database's by {} ms: keep the nodes' clocks synchronized (NTP)", skew);
            }
            Long last = lastCheckin(c, cluster.nodeId());
            c.commit();
            if (last == null || System.currentTimeMillis() - last > 2 * interval + QUARTZ_FAILURE_MARGIN_MS) {
                return;
            }
            LOG.info("Node id {} checked in {} ms ago: waiting one check-in interval to see whether that node still lives",
                    cluster.nodeId(), System.currentTimeMillis() - last);
            Thread.sleep(interval + 1_000);
            Long again = lastCheckin(c, cluster.nodeId());
            c.commit();
            if (again != null && again > last) {
                throw new IllegalStateException("Another live node already has node id '" + cluster.nodeId() + "' (it checked in "
                        + (System.currentTimeMillis() - again) + " ms ago): give each node its own mailroute.cluster.node-id "
                        + "(MAILROUTE_CLUSTER_NODE_ID), or leave it unset for <hostname>-<pid>.");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read Quartz's cluster state (table qrtz_scheduler_state, migration 28): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting", e);
        }
    }

    private static long databaseTimeMillis(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Long lastCheckin(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT last_checkin_time FROM qrtz_scheduler_state WHERE sched_name = ? AND instance_name = ?")) {
            s.setString(1, ClusterSettings.SCHEDULER_NAME);
            s.setString(2, nodeId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}

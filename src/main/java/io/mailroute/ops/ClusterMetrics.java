package io.mailroute.ops;

import io.mailroute.cluster.ClusterView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code mailroute_cluster_nodes_alive}: the nodes that checked in lately ({@link ClusterView#nodes()}); 1 for a
 * single instance. Alert when it falls below the number of nodes you run: the others carry a dead node's mailboxes
 * and subscriptions, but also its load. One query per scrape (one series); NaN when the nodes cannot be read.
 * Each mailbox's owner is {@code mailroute_mailbox_owner} ({@link MailboxMetrics}).
 */
public final class ClusterMetrics implements MeterBinder {

    private final Supplier<List<ClusterView.Node>> nodes;

    public ClusterMetrics(Supplier<List<ClusterView.Node>> nodes) {
        this.nodes = nodes;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("mailroute.cluster.nodes.alive", this, ClusterMetrics::alive)
                .description("Nodes whose last check-in is within twice their check-in interval plus 7.5 s")
                .register(registry);
    }

    private double alive() {
        try {
            return nodes.get().stream().filter(ClusterView.Node::alive).count();
        } catch (RuntimeException e) {
            return Double.NaN; // the database check says why; a scrape must not fail
        }
    }
}

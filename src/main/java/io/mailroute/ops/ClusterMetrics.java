package io.mailroute.ops;

import io.mailroute.cluster.ClusterView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code mailroute_cluster_nodes_alive}: the nodes that checked in lately ({@link ClusterView#nodes()}); 1 for a
 * single instance. Alert when it falls below the number of nodes you run: the others carry a dead node's mailboxes
 * and subscriptions, but also its load. One query per scrape (one series); NaN when the nodes cannot be read.
 * Each mailbox's owner is {@code mailroute_mailbox_owner} ({@link MailboxMetrics}); each event subscription's holder is
 * {@code mailroute_subscription_holder{subscription,node} 1}, read with the nodes (subscriptions never held, as on a
 * single instance, have none).
 */
public final class ClusterMetrics implements MeterBinder {

    private final Supplier<List<ClusterView.Node>> nodes;
    private final Supplier<List<ClusterView.SubscriptionHolder>> holders;
    private MultiGauge holderGauge;

    public ClusterMetrics(Supplier<List<ClusterView.Node>> nodes, Supplier<List<ClusterView.SubscriptionHolder>> holders) {
        this.nodes = nodes;
        this.holders = holders;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("mailroute.cluster.nodes.alive", this, ClusterMetrics::alive)
                .description("Nodes whose last check-in is within twice their check-in interval plus 7.5 s")
                .register(registry);
        holderGauge = MultiGauge.builder("mailroute.subscription.holder")
                .description("1 for the node (mailroute.cluster.node-id) that holds the event subscription")
                .register(registry);
    }

    private double alive() {
        try {
            showHolders();
            return nodes.get().stream().filter(ClusterView.Node::alive).count();
        } catch (RuntimeException e) {
            return Double.NaN; // the database check says why; a scrape must not fail
        }
    }

    /** Read at each scrape with the nodes (the gauge above is read first); the series that stay are kept. */
    private void showHolders() {
        MultiGauge gauge = holderGauge;
        List<ClusterView.SubscriptionHolder> held = holders.get();
        if (gauge != null && held != null) {
            gauge.register(held.stream().filter(h -> h.node() != null)
                    .map(h -> MultiGauge.Row.of(Tags.of("subscription", h.subscription(), "node", h.node()), 1)).toList(), false);
        }
    }
}

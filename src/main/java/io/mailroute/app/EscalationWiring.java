package io.mailroute.app;

import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.DeliveryPlanner;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.engagement.DeliveryEngagement;
import io.mailroute.escalation.EscalationFile;
import io.mailroute.escalation.EscalationPolicy;
import io.mailroute.escalation.Escalations;
import io.mailroute.events.EventLog;
import io.mailroute.timers.Timers;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Escalation policies ({@code escalate:} of channels.yaml): bean {@code escalations}, its timer handler and its hooks on
 * the delivery worker and on engagement; after {@code timers}, {@code deliveryWorker}, {@code deliveryPlanner} and
 * {@code deliveryEngagement}.
 */
final class EscalationWiring {

    private static final Logger LOG = LoggerFactory.getLogger(EscalationWiring.class);

    private EscalationWiring() {
    }

    static void bind(CamelContext context, Settings settings, Database db, EventLog events, ChannelsConfig channels,
            Timers timers) {
        Registry registry = context.getRegistry();
        // escalate: without priorities: takes the critical priorities, whose email notices carry the Acknowledge link
        Set<String> critical = Arrays.stream(settings.text(EngagementWiring.PRIORITIES, "URGENT,HIGH").split(","))
                .map(String::strip).filter(p -> !p.isEmpty()).collect(Collectors.toSet());
        Map<String, EscalationPolicy> policies = EscalationFile.load(
                settings.path("mailroute.delivery.channels-file", "channels.yaml", true), channels, critical);
        Escalations escalations = new Escalations(db, events, timers,
                registry.lookupByNameAndType("deliveryPlanner", DeliveryPlanner.class),
                registry.lookupByNameAndType("deliveryEngagement", DeliveryEngagement.class), policies)
                .install(registry.lookupByNameAndType("deliveryWorker", DeliveryWorker.class));
        registry.bind("escalations", escalations);
        policies.values().forEach(p -> LOG.info("Channel {} escalates {} {} after {} to {}", p.channel(),
                p.priorities().contains(EscalationPolicy.ANY) ? "every event" : p.priorities() + " items", p.condition().reason(),
                p.after(), p.to()));
    }
}

package io.mailroute.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.cluster.ClusterView;
import io.mailroute.gmail.MailboxStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Mailroute adds to Camel's management server (port 9876): {@code /observe/health},
 * {@code /live} and {@code /ready} answering UP, DEGRADED or DOWN ({@link ServiceHealth}) in place
 * of Camel's UP/DOWN console ({@code camel.management.healthCheckEnabled=false}), and the mailbox
 * gauges on the registry that Camel serves as {@code /observe/metrics}. Added to the context as a
 * service so that it starts after the management server and camel-micrometer-prometheus, the
 * same way camel-micrometer-prometheus adds its own scrape route.
 */
public final class ObserveEndpoints extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ObserveEndpoints.class);

    private final CamelContext context;
    private final Supplier<List<MailboxStatus>> mailboxes;
    private final List<String> mailboxIds;
    private final ServiceHealth health;
    private final ObjectMapper json;
    private final Clock clock;
    private final List<MeterBinder> moreMetrics = new ArrayList<>();
    private ClusterView cluster;

    /**
     * @param mailboxIds the monitored mailboxes (config/mailboxes.yaml)
     * @param mailboxes  reads their statuses, one query; rows of mailboxes no longer configured are ignored; null
     *                   while the database is closed (its own check says why, so nothing is logged per request)
     */
    public ObserveEndpoints(CamelContext context, List<String> mailboxIds, Supplier<List<MailboxStatus>> mailboxes,
            ObjectMapper json, Clock clock) {
        this.context = context;
        this.mailboxIds = List.copyOf(mailboxIds);
        this.mailboxes = () -> {
            List<MailboxStatus> all = mailboxes.get();
            return all == null ? null : all.stream().filter(m -> this.mailboxIds.contains(m.id())).toList();
        };
        this.health = new ServiceHealth(json);
        this.json = json;
        this.clock = clock;
    }

    /** More gauges for {@code /observe/metrics} (the timers'), bound with the mailbox gauges; call before the start. */
    public ObserveEndpoints alsoMeasuring(MeterBinder metrics) {
        moreMetrics.add(metrics);
        return this;
    }

    /**
     * Shows the cluster in {@code /observe/health} (this node, the nodes, the subscriptions' holders) and
     * {@code mailroute_cluster_nodes_alive} in the metrics; call before the start.
     */
    public ObserveEndpoints showingCluster(ClusterView view) {
        this.cluster = view;
        return alsoMeasuring(new ClusterMetrics(view::nodes, view::subscriptionHolders));
    }

    @Override
    protected void doStart() {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null || server.getRouter() == null) {
            LOG.warn("No management server (camel.management.enabled=false): no /observe/health, no mailbox metrics");
            return;
        }
        String path = server.getHealthPath();
        route(server, path, ServiceHealth.Probe.ALL);
        route(server, path + "/live", ServiceHealth.Probe.LIVENESS);
        route(server, path + "/ready", ServiceHealth.Probe.READINESS);

        // camel-micrometer-prometheus binds the registry it scrapes under this name.
        MeterRegistry metrics = server.isMetricsEnabled() ? context.getRegistry()
                .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class) : null;
        if (metrics != null) {
            new MailboxMetrics(mailboxIds, mailboxes, clock).bindTo(metrics);
            moreMetrics.forEach(binder -> binder.bindTo(metrics));
        } else {
            LOG.info("Metrics are off (camel.metrics.enabled, camel.management.metricsEnabled): no mailbox gauges");
        }
    }

    private void route(ManagementHttpServer server, String path, ServiceHealth.Probe probe) {
        server.getRouter().route(path).method(HttpMethod.GET).produces("application/json")
                .blockingHandler(request -> answer(request, probe)); // checks may query the database
        context.getComponent("platform-http", PlatformHttpComponent.class)
                .addHttpManagementEndpoint(path, "GET", null, "application/json", null);
    }

    private void answer(RoutingContext request, ServiceHealth.Probe probe) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        String level = request.request().getParam("exposureLevel");
        if (level == null) {
            level = registry == null ? "default" : registry.getExposureLevel();
        }
        Collection<HealthCheck.Result> checks = switch (probe) {
            case ALL -> HealthCheckHelper.invoke(context, level);
            case LIVENESS -> HealthCheckHelper.invokeLiveness(context, level);
            case READINESS -> HealthCheckHelper.invokeReadiness(context, level);
        };
        boolean live = probe == ServiceHealth.Probe.LIVENESS;
        ServiceHealth.Answer answer = health.evaluate(probe, checks, live ? List.of() : readMailboxes(),
                live ? null : readCluster(), level);
        try {
            request.response().setStatusCode(answer.httpStatus()).putHeader("content-type", "application/json")
                    .end(json.writeValueAsString(answer.body()));
        } catch (JsonProcessingException e) {
            request.fail(e);
        }
    }

    /** Null without a cluster view or when the database does not answer (the mailboxes say so already). */
    private ClusterView.Snapshot readCluster() {
        if (cluster == null) {
            return null;
        }
        try {
            return cluster.snapshot();
        } catch (RuntimeException e) {
            LOG.debug("Health: cannot read the cluster's nodes and holders: {}", e.getMessage());
            return null;
        }
    }

    /** Null when the database does not answer: the service is then DOWN, not "no broken mailbox". */
    private List<MailboxStatus> readMailboxes() {
        try {
            return mailboxes.get();
        } catch (RuntimeException e) {
            LOG.warn("Health: cannot read the mailbox states: {}", e.getMessage());
            return null;
        }
    }
}

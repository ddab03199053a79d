package io.mailroute.app;

import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportsConfig;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Once {@code routes/} is loaded, makes one route per report of config/reports.yaml from the {@code report-schedule}
 * route template (routes/reports.camel.yaml), with route id {@code report-schedule-<report>}.
 */
public final class ReportRoutesInstaller extends MainListenerSupport {

    public static final String TEMPLATE_ID = "report-schedule";

    private final Supplier<ReportsConfig> reports;

    public ReportRoutesInstaller(Supplier<ReportsConfig> reports) {
        this.reports = reports;
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        install(main.getCamelContext(), reports.get());
    }

    static void install(CamelContext context, ReportsConfig reports) {
        if (reports == null || reports.reports().isEmpty()) {
            return;
        }
        boolean hasTemplate = context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                .getRouteTemplateDefinition(TEMPLATE_ID) != null;
        if (!hasTemplate) {
            throw new IllegalStateException("No route template '" + TEMPLATE_ID + "' was loaded: routes/reports.camel.yaml "
                    + "is missing or does not declare it (check --routes DIR), and " + reports.source() + " has reports");
        }
        for (ReportDefinition report : reports.reports().values()) {
            try {
                context.addRouteFromTemplate(TEMPLATE_ID + "-" + report.id(), TEMPLATE_ID, Map.of(
                        "report", report.id(),
                        "cron", report.schedule().cron().strip().replaceAll("\\s+", "+"),
                        "zone", report.schedule().zone().getId()));
            } catch (Exception e) {
                throw new IllegalStateException("Cannot create the schedule route of report '" + report.id() + "' ("
                        + report.where("schedule") + "): " + e.getMessage(), e);
            }
        }
    }
}

package io.mailroute.app;

import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.Pages;
import io.mailroute.reports.ReportFiles;
import io.mailroute.reports.ReportRuns;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.ReportsFile;
import io.mailroute.reports.links.ReportDownloads;
import io.mailroute.reports.links.ReportLinkRevocations;
import io.mailroute.reports.links.ReportLinks;
import io.mailroute.reports.links.ReportPages;
import io.mailroute.reports.links.ReportRecipientLinks;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * The report download and acknowledgement links and their pages (routes/reports-pages.camel.yaml): beans
 * {@code reportLinks}, {@code reportLinkRevocations}, {@code reportDownloads}, {@code reportRecipientLinks} and
 * {@code reportPages}; after {@code signedLinks} and {@code pages}. The reports themselves ({@code reportsConfig},
 * {@code reportRuns}, {@code reportFiles}) are taken from the registry when bound there, else made here and bound.
 */
final class ReportPagesWiring {

    private ReportPagesWiring() {
    }

    static void bind(CamelContext context, Settings settings, Database db, EventLog events, Clock clock) {
        Registry registry = context.getRegistry();
        SignedLinks links = registry.lookupByNameAndType("signedLinks", SignedLinks.class);
        Pages pages = registry.lookupByNameAndType("pages", Pages.class);
        ReportsConfig reports = registry.lookupByNameAndType("reportsConfig", ReportsConfig.class);
        if (reports == null) {
            reports = ReportsFile.load(settings.path("mailroute.reports.file", "reports.yaml", true),
                    settings.path("mailroute.delivery.templates-dir", "templates", true));
            registry.bind("reportsConfig", reports);
        }
        ReportRuns runs = registry.lookupByNameAndType("reportRuns", ReportRuns.class);
        if (runs == null) {
            runs = new ReportRuns(db, events, clock);
            registry.bind("reportRuns", runs);
        }
        ReportFiles files = registry.lookupByNameAndType("reportFiles", ReportFiles.class);
        if (files == null) {
            files = new ReportFiles(settings.path("mailroute.reports.dir",
                    Configs.dataDirectory(settings).resolve("reports").toString(), false));
            registry.bind("reportFiles", files);
        }
        ReportLinkRevocations revocations = new ReportLinkRevocations(db, clock);
        ReportDownloads downloads = new ReportDownloads(db);
        ReportRecipientLinks recipientLinks = new ReportRecipientLinks(db, clock);
        registry.bind("reportLinks", new ReportLinks(links, clock));
        registry.bind("reportLinkRevocations", revocations);
        registry.bind("reportDownloads", downloads);
        registry.bind("reportRecipientLinks", recipientLinks);
        registry.bind("reportPages", new ReportPages(reports, runs, files, revocations, downloads, recipientLinks, links, db,
                pages, clock));
    }
}

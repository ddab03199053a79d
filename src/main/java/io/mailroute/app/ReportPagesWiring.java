package io.mailroute.app;

import io.mailroute.db.Database;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.Pages;
import io.mailroute.reports.ReportFiles;
import io.mailroute.reports.ReportRuns;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.links.ReportDownloads;
import io.mailroute.reports.links.ReportLinkRevocations;
import io.mailroute.reports.links.ReportLinks;
import io.mailroute.reports.links.ReportPages;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * The report download and acknowledgement links and their pages (routes/reports-pages.camel.yaml): beans
 * {@code reportLinks}, {@code reportLinkRevocations}, {@code reportDownloads} and {@code reportPages}, on the reports'
 * own config, run ledger and document store ({@link ReportsWiring}); after {@code signedLinks} and {@code pages}.
 */
final class ReportPagesWiring {

    private ReportPagesWiring() {
    }

    static void bind(CamelContext context, ReportsConfig reports, ReportRuns runs, ReportFiles files, ReportLinks reportLinks,
            ReportLinkRevocations revocations, Database db, Clock clock) {
        Registry registry = context.getRegistry();
        ReportDownloads downloads = new ReportDownloads(db);
        registry.bind("reportLinks", reportLinks);
        registry.bind("reportLinkRevocations", revocations);
        registry.bind("reportDownloads", downloads);
        registry.bind("reportPages", new ReportPages(reports, runs, files, revocations, downloads,
                registry.lookupByNameAndType("signedLinks", SignedLinks.class), db,
                registry.lookupByNameAndType("pages", Pages.class), clock));
    }
}

package io.mailroute.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.approvals.ApprovalViews;
import io.mailroute.approvals.Approvals;
import io.mailroute.audit.AuditTrail;
import io.mailroute.console.ConsolePages;
import io.mailroute.console.work.ApprovalPages;
import io.mailroute.console.work.DeliveryPages;
import io.mailroute.console.work.ItemPages;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.DeliveryRetry;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.pages.Pages;
import io.mailroute.workflow.Workflow;
import java.time.Clock;
import org.apache.camel.CamelContext;

/**
 * The console's work pages (routes/console-work.camel.yaml): beans {@code consoleItems}, {@code consoleApprovals} and
 * {@code consoleDeliveries}; after {@code consolePages}, {@code pages} and {@code approvals} are bound.
 */
final class ConsoleWorkWiring {

    private ConsoleWorkWiring() {
    }

    static void bind(CamelContext context, Database db, Workflow workflow, AttachmentStore attachments, DeliveryStore deliveries,
            ChannelsConfig channels, AuditTrail audit, ObjectMapper json, Clock clock) {
        Pages pages = context.getRegistry().lookupByNameAndType("pages", Pages.class);
        ConsolePages console = context.getRegistry().lookupByNameAndType("consolePages", ConsolePages.class);
        Approvals approvals = context.getRegistry().lookupByNameAndType("approvals", Approvals.class);
        context.getRegistry().bind("consoleItems", new ItemPages(workflow, db, attachments, pages, console));
        context.getRegistry().bind("consoleApprovals", new ApprovalPages(approvals, new ApprovalViews(approvals, db), pages,
                console, json));
        context.getRegistry().bind("consoleDeliveries", new DeliveryPages(deliveries, new DeliveryRetry(deliveries, audit,
                json, clock), channels.channels().keySet(), pages, console));
    }
}

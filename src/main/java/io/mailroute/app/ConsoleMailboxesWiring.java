package io.mailroute.app;

import io.mailroute.config.MailboxSettings;
import io.mailroute.console.ConsolePages;
import io.mailroute.console.audit.AuditPages;
import io.mailroute.console.mailboxes.MailboxConnect;
import io.mailroute.console.mailboxes.MailboxPages;
import io.mailroute.db.Database;
import io.mailroute.gmail.MailboxQuotas;
import io.mailroute.gmail.MailboxStates;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.Pages;
import java.time.Clock;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's Mailboxes and Audit pages (beans {@code mailboxPages}, {@code auditPages}; routes/console-mailboxes and
 * console-audit.camel.yaml); after the console ({@code consolePages}) and {@code signedLinks} are bound. Google sends a
 * browser that connected a mailbox back to {@code <mailroute.console.public-url>/console/mailboxes/connect/callback}.
 */
final class ConsoleMailboxesWiring {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleMailboxesWiring.class);

    private ConsoleMailboxesWiring() {
    }

    static void bind(CamelContext context, Settings settings, ConnectionWiring wiring, MailboxStates states,
            Map<String, MailboxSettings> mailboxes, MailboxQuotas quotas, Database db, Clock clock) {
        ConsolePages console = context.getRegistry().lookupByNameAndType("consolePages", ConsolePages.class);
        SignedLinks links = context.getRegistry().lookupByNameAndType("signedLinks", SignedLinks.class);
        Pages pages = new Pages();
        MailboxConnect connect = new MailboxConnect(wiring::connectFlow, wiring.endpoints.values().stream()
                .map(io.mailroute.connection.OAuthEndpoints::authorization).toList(), wiring.lifecycle, links,
                ConsoleWiring.publicUrl(settings), clock);
        context.getRegistry().bind("mailboxPages", new MailboxPages(console, pages, connect, wiring.lifecycle, states,
                wiring.tokens::summaries, mailboxes, quotas, clock));
        context.getRegistry().bind("auditPages", new AuditPages(console, pages, db, clock));
        LOG.info("Console: mailboxes connect with Google back to {} (register it as a redirect URI of the OAuth client)",
                connect.redirectUri());
    }
}

package io.mailroute.app;

import io.mailroute.config.MailboxSettings;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Once {@code routes/} is loaded, makes one route per monitored mailbox from the
 * {@code gmail-intake} route template, with route id {@code gmail-intake-<mailbox>}.
 */
public final class IntakeRoutesInstaller extends MainListenerSupport {

    public static final String TEMPLATE_ID = "gmail-intake";

    private final Supplier<Iterable<MailboxSettings>> mailboxes;

    public IntakeRoutesInstaller(Supplier<Iterable<MailboxSettings>> mailboxes) {
        this.mailboxes = mailboxes;
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        install(main.getCamelContext(), mailboxes.get());
    }

    static void install(CamelContext context, Iterable<MailboxSettings> mailboxes) {
        boolean hasTemplate = context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                .getRouteTemplateDefinition(TEMPLATE_ID) != null;
        if (!hasTemplate) {
            throw new IllegalStateException("No route template '" + TEMPLATE_ID + "' was loaded: routes/gmail-intake.camel.yaml "
                    + "is missing or does not declare it (check --routes DIR)");
        }
        for (MailboxSettings mailbox : mailboxes) {
            if (!mailbox.isMonitored()) {
                continue; // send-only: nothing to read
            }
            try {
                context.addRouteFromTemplate(TEMPLATE_ID + "-" + mailbox.id(), TEMPLATE_ID, Map.of(
                        "mailbox", mailbox.id(),
                        "pollInterval", mailbox.pollInterval().toMillis()));
            } catch (Exception e) {
                throw new IllegalStateException("Cannot create the intake route for mailbox '" + mailbox.id() + "': "
                        + e.getMessage(), e);
            }
        }
    }
}

package io.mailroute.app;

import io.mailroute.config.MailboxSettings;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Once {@code routes/} is loaded, makes one route per monitored mailbox from the
 * {@code gmail-intake} route template, with route id {@code gmail-intake-<mailbox>}, and, when
 * {@code routes/triage.camel.yaml} declares it, one from the {@code triage} template ({@code triage-<mailbox>}:
 * the mailbox's own triage subscription).
 */
public final class IntakeRoutesInstaller extends MainListenerSupport {

    public static final String TEMPLATE_ID = "gmail-intake";
    public static final String TRIAGE_TEMPLATE_ID = "triage";

    private final Supplier<Iterable<MailboxSettings>> mailboxes;

    public IntakeRoutesInstaller(Supplier<Iterable<MailboxSettings>> mailboxes) {
        this.mailboxes = mailboxes;
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        install(main.getCamelContext(), mailboxes.get());
    }

    static void install(CamelContext context, Iterable<MailboxSettings> mailboxes) {
        org.apache.camel.model.Model model = context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class);
        if (model.getRouteTemplateDefinition(TEMPLATE_ID) == null) {
            throw new IllegalStateException("No route template '" + TEMPLATE_ID + "' was loaded: routes/gmail-intake.camel.yaml "
                    + "is missing or does not declare it (check --routes DIR)");
        }
        boolean triage = model.getRouteTemplateDefinition(TRIAGE_TEMPLATE_ID) != null;
        for (MailboxSettings mailbox : mailboxes) {
            if (!mailbox.isMonitored()) {
                continue; // send-only: nothing to read
            }
            add(context, TEMPLATE_ID, mailbox, Map.of("mailbox", mailbox.id(), "pollInterval", mailbox.intakePollInterval().toMillis()));
            if (triage) {
                add(context, TRIAGE_TEMPLATE_ID, mailbox, Map.of("mailbox", mailbox.id()));
            }
        }
    }

    private static void add(CamelContext context, String template, MailboxSettings mailbox, Map<String, Object> parameters) {
        String routeId = template + "-" + mailbox.id();
        org.apache.camel.model.Model model = context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class);
        if (model.getRouteDefinition(routeId) != null) {
            // Camel would replace the other route without a word (a mailbox 'rules-reload' would end triage-rules-reload)
            throw new IllegalStateException("Mailbox '" + mailbox.id() + "' would make route '" + routeId + "', but routes/ "
                    + "already has a route with that id: rename the mailbox in mailboxes.yaml (or that route)");
        }
        try {
            context.addRouteFromTemplate(routeId, template, parameters);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create the " + template + " route for mailbox '" + mailbox.id() + "': "
                    + e.getMessage(), e);
        }
    }
}

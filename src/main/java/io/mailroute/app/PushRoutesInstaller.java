package io.mailroute.app;

import io.mailroute.config.MailboxSettings;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Once {@code routes/} is loaded and only when some mailbox has {@code push: pubsub}: the Gmail push routes from the
 * templates of {@code routes/gmail-push.camel.yaml}, the watch check ({@code gmail-push-watches}) and, unless the
 * {@code pubsub:} section has no subscription (Pub/Sub only pushes to {@code /gmail/push}), the pull loop
 * ({@code gmail-push-pull}, whose {@code pushIntake} bean {@link PushWiring} then binds).
 */
public final class PushRoutesInstaller extends MainListenerSupport {

    public static final String PULL_TEMPLATE_ID = "gmail-push-pull";
    public static final String WATCHES_TEMPLATE_ID = "gmail-push-watches";

    private final Supplier<Iterable<MailboxSettings>> mailboxes;

    public PushRoutesInstaller(Supplier<Iterable<MailboxSettings>> mailboxes) {
        this.mailboxes = mailboxes;
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        install(main.getCamelContext(), mailboxes.get());
    }

    static void install(CamelContext context, Iterable<MailboxSettings> mailboxes) {
        if (StreamSupport.stream(mailboxes.spliterator(), false).noneMatch(MailboxSettings::usesPush)) {
            return;
        }
        org.apache.camel.model.Model model = context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class);
        boolean pulls = context.getRegistry().lookupByName("pushIntake") != null;
        for (String template : pulls ? new String[] {PULL_TEMPLATE_ID, WATCHES_TEMPLATE_ID} : new String[] {WATCHES_TEMPLATE_ID}) {
            if (model.getRouteTemplateDefinition(template) == null) {
                throw new IllegalStateException("A mailbox has push: pubsub but no route template '" + template + "' was "
                        + "loaded: routes/gmail-push.camel.yaml is missing or does not declare it (check --routes DIR)");
            }
            try {
                context.addRouteFromTemplate(template, template, Map.of());
            } catch (Exception e) {
                throw new IllegalStateException("Cannot create the " + template + " route: " + e.getMessage(), e);
            }
        }
    }
}

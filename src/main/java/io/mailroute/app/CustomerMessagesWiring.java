package io.mailroute.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.audit.AuditTrail;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.email.FallbackSender;
import io.mailroute.events.EventLog;
import io.mailroute.loop.CustomerMessageApi;
import io.mailroute.loop.CustomerMessages;
import io.mailroute.workflow.ItemCustomers;
import io.mailroute.workflow.Workflow;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;

/**
 * The communication loop (routes/customer-messages.camel.yaml): bean {@code customerMessageApi}, and who an item's
 * customer is ({@link ItemCustomers}: never one of our own addresses), which the planner's {@code $sender} uses too.
 */
final class CustomerMessagesWiring {

    private CustomerMessagesWiring() {
    }

    /** Our mailboxes' addresses and the fallback sender's: nobody we would write to as a customer. */
    static ItemCustomers customers(Database db, Map<String, MailboxSettings> mailboxes, FallbackSender fallback) {
        Set<String> own = new HashSet<>();
        mailboxes.values().forEach(m -> own.add(m.address()));
        if (fallback != null) {
            own.add(fallback.fromAddress());
        }
        return new ItemCustomers(db, own);
    }

    static void bind(CamelContext context, Database db, Workflow workflow, ItemCustomers customers, EventLog events,
            AuditTrail audit, ChannelsConfig channels, ObjectMapper json, java.time.Clock clock) {
        CustomerMessages messages = new CustomerMessages(db, workflow, customers, events, audit, json,
                type -> !channels.routing().getOrDefault(type, java.util.List.of()).isEmpty(), clock);
        context.getRegistry().bind("customerMessageApi", new CustomerMessageApi(messages, json));
    }
}

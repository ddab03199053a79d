package io.mailroute.delivery.email;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.events.EventLog;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.json.Json;
import io.mailroute.retry.Backoff;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.testing.TestMailboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * What the email tests of this package share: the mailbox support@ whose Gmail is played by {@link FakeGmail}, a
 * migrated H2 database with the delivery store and event log, the real transport with the shipped templates, and the
 * real delivery worker. Close it after each test.
 */
final class EmailWorld implements AutoCloseable {

    final ObjectMapper json = Json.newMapper();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T08:00:00Z"));
    final FakeGmail gmail = new FakeGmail();
    final MailboxSettings support = TestMailboxes.sandbox("support", "support@acme.example", "in:inbox", 10, 1_000_000);
    final Database db;
    final DeliveryStore store;
    final EventLog events;
    final CamelContext camel;

    EmailWorld(String name) {
        db = TestDatabases.h2(name);
        String key = TokenKey.generate();
        store = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, key)::get, null, false),
                () -> false));
        events = new EventLog(db, json, clock);
        camel = new DefaultCamelContext();
        camel.addComponent(support.componentName(), gmail.component);
        camel.start();
    }

    /** The transport of support@'s Gmail with the shipped templates, telling {@code audit} what it sent. */
    GmailEmailTransport transport(ChannelsConfig channels, io.mailroute.audit.AuditTrail audit) {
        return new GmailEmailTransport(Map.of("support", support), sendingMailboxes(), camel.createProducerTemplate(), store,
                Path.of("config/templates").toAbsolutePath().toString(), channels, clock, audit);
    }

    /** support@ as a sender: its sandbox client; always connected (no state is kept). */
    private SendingMailboxes sendingMailboxes() {
        return new SendingMailboxes() {
            @Override
            public com.google.api.services.gmail.Gmail client(String mailboxId) {
                return gmail.client();
            }

            @Override
            public String state(String mailboxId) {
                return "ACTIVE";
            }

            @Override
            public void refused(String mailboxId, GmailFailure failure) {
            }

            @Override
            public void sent(String mailboxId) {
            }
        };
    }

    /** The worker over this store, sending email through {@code transport}; retries after 1 s, doubling up to 1 min. */
    DeliveryWorker worker(ChannelsConfig channels, GmailEmailTransport transport, NotificationFactory notifications) {
        return new DeliveryWorker(channels, store, Map.of(), transport, notifications, db, json, clock,
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5), Duration.ofMinutes(1));
    }

    @Override
    public void close() throws Exception {
        camel.close();
        db.close();
    }
}

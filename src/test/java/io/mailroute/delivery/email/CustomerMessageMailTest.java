package io.mailroute.delivery.email;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.ChannelsFile;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.events.EventLog;
import io.mailroute.gmail.Backoff;
import io.mailroute.gmail.MailboxQuotas;
import io.mailroute.json.Json;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.TestMail;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.testing.TestMailboxes;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped customer-reply channel writes each event with its own template (templates: in config/channels.yaml): an
 * agent's request for information and status update by request-info.* and status-update.*, anything else by the
 * channel's template; the agent's text is escaped in the HTML part and kept as written in the text part.
 */
class CustomerMessageMailTest {

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T08:00:00Z"));
    private final FakeGmail gmail = new FakeGmail();
    private final MailboxSettings support = TestMailboxes.sandbox("support", "support@acme.example", "in:inbox", 10, 1_000_000);
    private final ChannelsConfig channels = ChannelsFile.load(Path.of("config", "channels.yaml"));
    private Database db;
    private DeliveryStore store;
    private EventLog events;
    private CamelContext camel;

    @BeforeEach
    void setUp() {
        db = TestDatabases.h2("customer-mail");
        store = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, TokenKey.generate())::get,
                null, false), () -> false));
        events = new EventLog(db, json, clock);
        camel = new DefaultCamelContext();
        camel.addComponent(support.componentName(), gmail.component);
        camel.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        camel.close();
        db.close();
    }

    @Test
    void aRequestForInformationIsWrittenByItsTemplateWithTheAgentsTextEscapedInHtml() throws Exception {
        MimeMessage mail = send("item.info-requested", "Please send <b>order</b> & \"invoice\" numbers.\nThank you!");

        assertEquals("More information needed for case #42", mail.getSubject());
        String text = TestMail.text(mail, "text/plain");
        String html = TestMail.text(mail, "text/html");
        assertTrue(text.contains("to go on with case #42 we need a little more from you:"), text);
        assertTrue(text.contains("Please send <b>order</b> & \"invoice\" numbers.\nThank you!"), "as written: " + text);
        assertTrue(html.contains("Please send &lt;b&gt;order&lt;/b&gt; &amp; &quot;invoice&quot; numbers."), html);
        assertFalse(html.contains("<b>order</b>"), html);
    }

    @Test
    void aStatusUpdateHasItsOwnTemplateAndOtherEventsKeepTheChannelsTemplate() throws Exception {
        MimeMessage update = send("item.status-update", "Fixed in release 4.2.");
        assertEquals("Update on case #42", update.getSubject());
        assertTrue(TestMail.text(update, "text/plain").contains("an update on case #42:"), TestMail.text(update, "text/plain"));
        assertTrue(TestMail.text(update, "text/plain").contains("Fixed in release 4.2."), TestMail.text(update, "text/plain"));

        assertEquals("acknowledgement", channels.channels().get("customer-reply").template("case.created"));
        assertEquals("request-info", channels.channels().get("customer-reply").template("item.info-requested"));
        assertEquals("notification", channels.channels().get("team-hook").template("item.info-requested"));
    }

    private MimeMessage send(String type, String agentText) throws Exception {
        int before = gmail.sent.size();
        String eventId = db.transactions().execute(tx -> events.append(type, "support", 42L, null,
                json.createObjectNode().put("itemId", 42).put("template", type.equals("item.status-update") ? "status-update"
                        : "request-info").put("text", agentText).put("to", "pat@globex.example").put("by", "token:mei")
                        .put("queue", "support")).id());
        assertTrue(store.plan(eventId, type, "support", 42L, "customer-reply", "email", "pat@globex.example",
                "pat@globex.example", null, clock.instant()));
        assertEquals(1, worker().runOnce());
        assertEquals(before + 1, gmail.sent.size());
        return gmail.sent.get(before).message();
    }

    private DeliveryWorker worker() {
        GmailEmailTransport transport = new GmailEmailTransport(Map.of("support", support), mailbox -> gmail.client(),
                new MailboxQuotas(List.of(support)), camel.createProducerTemplate(), store,
                Path.of("config/templates").toAbsolutePath().toString(), channels, clock, (action, mailbox, ref, details) -> { });
        return new DeliveryWorker(channels, store, Map.of(), transport, new NotificationFactory(null), db, json, clock,
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5), Duration.ofMinutes(1));
    }
}

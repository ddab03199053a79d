package io.mailroute.delivery.email;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.ChannelsFile;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.testing.TestMail;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped customer-reply channel writes each event with its own template (templates: in config/channels.yaml): an
 * agent's request for information and status update by request-info.* and status-update.*, anything else by the
 * channel's template; the agent's text is escaped in the HTML part and kept as written in the text part.
 */
class CustomerMessageMailTest {

    private final ChannelsConfig channels = ChannelsFile.load(Path.of("config", "channels.yaml"));

    private EmailWorld world;

    @BeforeEach
    void setUp() {
        world = new EmailWorld("customer-mail");
    }

    @AfterEach
    void tearDown() throws Exception {
        world.close();
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
        int before = world.gmail.sent.size();
        String eventId = world.db.transactions().execute(tx -> world.events.append(type, "support", 42L, null,
                world.json.createObjectNode().put("itemId", 42).put("template", type.equals("item.status-update") ? "status-update"
                        : "request-info").put("text", agentText).put("to", "pat@globex.example").put("by", "token:mei")
                        .put("queue", "support")).id());
        assertTrue(world.store.plan(eventId, type, "support", 42L, "customer-reply", "email", "pat@globex.example",
                "pat@globex.example", null, world.clock.instant()));
        assertEquals(1, worker().runOnce());
        assertEquals(before + 1, world.gmail.sent.size());
        return world.gmail.sent.get(before).message();
    }

    private DeliveryWorker worker() {
        return world.worker(channels, world.transport(channels, (action, mailbox, ref, details) -> { }),
                new NotificationFactory(null));
    }
}

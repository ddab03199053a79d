package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.json.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NotificationFactoryTest {

    private final ObjectMapper json = Json.newMapper();
    private final Delivery delivery = new Delivery(7, "e-1", "connection.broken", "hr", null, "owner-email", "email",
            "owners", "hr-owner@acme.example", Delivery.PENDING, 0, Instant.EPOCH, null, null, null, null, Instant.EPOCH, null, null);

    @Test
    void aBrokenConnectionNoticeLinksToTheMailboxsConsolePage() {
        Notification notice = new NotificationFactory(null).withMailboxPages("https://mailroute.acme.example")
                .from(delivery, event("connection.broken"));
        assertEquals("https://mailroute.acme.example/console/mailboxes/hr", notice.url());
        assertTrue(notice.body().contains("Fix: Re-authorize on its console page, or java -jar target/mailroute.jar connect hr"),
                notice.body());
        assertEquals("https://mailroute.acme.example/console/mailboxes/hr", new NotificationFactory(null)
                .withMailboxPages("https://mailroute.acme.example/").from(delivery, event("connection.revoked")).url());
    }

    @Test
    void otherNoticesAndAFactoryWithoutTheConsoleKeepTheirLinks() {
        assertNull(new NotificationFactory(null).from(delivery, event("connection.broken")).url());
        assertNull(new NotificationFactory(null).withMailboxPages("http://localhost:8080").from(delivery, event("mailbox.failing"))
                .url());
    }

    @Test
    void theAckLinkGoesInTheDataEveryProviderCopiesAndSeesThePriority() {
        ObjectNode sla = event("sla.breached");
        ((ObjectNode) sla.get("data")).put("priority", "URGENT");
        Notification notice = new NotificationFactory(null)
                .withAckLinks((d, data) -> "https://mailroute.acme.example/p/engagement/acknowledge?t=" + d.id() + "-"
                        + data.get("priority"))
                .from(delivery, sla);
        assertEquals("https://mailroute.acme.example/p/engagement/acknowledge?t=7-URGENT", notice.ackUrl());
        assertEquals(notice.ackUrl(), notice.data().get(Notification.ACK_URL));
        Notification none = new NotificationFactory(null).from(delivery, sla);
        assertNull(none.ackUrl());
        assertTrue(!none.data().containsKey(Notification.ACK_URL), none.data().toString());
    }

    private ObjectNode event(String type) {
        ObjectNode event = json.createObjectNode().put("id", "e-1").put("type", type).put("mailbox", "hr");
        event.putObject("data").put("address", "hr@acme.example").put("reconnect", "java -jar target/mailroute.jar connect hr");
        return event;
    }
}

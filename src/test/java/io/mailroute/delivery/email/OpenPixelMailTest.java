package io.mailroute.delivery.email;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.engagement.EngagementLinks;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLink;
import io.mailroute.links.SignedLinks;
import io.mailroute.testing.TestMail;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The open-tracking image in email notices ({@code mailroute.engagement.open-pixel}): on, the HTML part written from
 * the shipped notification template carries one 1x1 image whose address is a signed {@code delivery.pixel} link of
 * the delivery, for its recipient, living as long as the Acknowledge link; the text part has none. Off (the default),
 * no link is issued and the HTML is the notice without it. The real worker, transport, templates and signed links on
 * H2, Gmail played by {@link FakeGmail}.
 */
class OpenPixelMailTest {

    private static final Pattern IMAGE = Pattern.compile(
            "<img src=\"(http://127\\.0\\.0\\.1:8080/p/engagement/pixel\\?t&#61;[A-Za-z0-9_-]+)\" width=\"1\" height=\"1\" alt=\"\">");

    private final ChannelsConfig channels = new ChannelsConfig(
            Map.of("email", new ChannelsConfig.Channel("email", "email", Map.of("sender", "support"), null)),
            Map.of("team", new ChannelsConfig.Recipient("team", "Team", "team@acme.example", List.of())), Map.of(), Map.of());
    private SignedLinks links;

    private EmailWorld world;

    @BeforeEach
    void setUp() {
        world = new EmailWorld("open-pixel-mail");
        links = new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(8080), world.db, world.clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        world.close();
    }

    @Test
    void onTheNoticesHtmlCarriesOneSignedPixelOfItsDeliveryAndTheTextPartNone() throws Exception {
        MimeMessage mail = send(true, "NORMAL");
        String html = TestMail.text(mail, "text/html");
        String text = TestMail.text(mail, "text/plain");

        Matcher image = IMAGE.matcher(html);
        assertTrue(image.find(), html);
        String url = image.group(1);
        assertFalse(image.find(), "one image: " + html);
        String token = url.substring(url.indexOf("&#61;") + 5);
        LinkCheck check = links.verify(token, EngagementLinks.PIXEL);
        assertTrue(check.isValid(), check.toString());
        SignedLink link = ((LinkCheck.Valid) check).link();
        Delivery delivery = world.store.list(null, null, 0, 10).get(0);
        assertEquals(String.valueOf(delivery.id()), link.subjectId());
        assertEquals("team", link.recipient(), "the person, as the Acknowledge link names them");
        assertEquals(world.clock.instant().plus(Duration.ofDays(7)), link.expiresAt(), "the Acknowledge link's lifetime");
        assertFalse(links.verify(token, EngagementLinks.ACKNOWLEDGE).isValid(), "a purpose of its own");

        assertFalse(text.contains("pixel"), text);
        assertFalse(text.contains("<img"), text);
        assertFalse(html.contains("/p/engagement/acknowledge"), "a routine notice has no Acknowledge link: " + html);
    }

    @Test
    void offNoLinkIsIssuedAndTheHtmlIsTheNoticeWithoutTheImage() throws Exception {
        String on = TestMail.text(send(true, "URGENT"), "text/html");
        String off = TestMail.text(send(false, "URGENT"), "text/html");

        assertFalse(off.contains("<img"), off);
        assertFalse(off.contains("/p/engagement/pixel"), off);
        assertTrue(off.contains("/p/engagement/acknowledge"), "the Acknowledge link is not the pixel's: " + off);
        Matcher image = IMAGE.matcher(on);
        assertTrue(image.find(), on);
        // what the pixel adds is its own line and nothing else: off, the notice is as it was without the setting
        assertEquals(withoutAcknowledgeToken(on.replace("  " + image.group() + "\n", "")), withoutAcknowledgeToken(off));
        assertTrue(off.contains("(case.created).</p>\n</body>\n</html>"), "no line where the image would be: " + off);

        Delivery email = world.store.list(null, null, 0, 10).get(0);
        assertNull(links(false).pixelUrl(email), "off: no link issued");
        Delivery push = new Delivery(email.id(), email.eventId(), email.eventType(), email.mailbox(), email.itemId(), "push",
                "fcm", "team", "device-token", Delivery.PENDING, 0, world.clock.instant(), null, null, null, null, world.clock.instant(),
                null, null);
        assertNull(links(true).pixelUrl(push), "a push has no image to load");
    }

    /** One notice of a new case of this priority, sent through the transport with the pixel on or off: what Gmail got. */
    private MimeMessage send(boolean pixelOn, String priority) throws Exception {
        int before = world.gmail.sent.size();
        String eventId = world.db.transactions().execute(tx -> world.events.append("case.created", "support", 42L, null,
                world.json.createObjectNode().put("itemId", 42).put("queue", "support").put("subject", "Printer on fire")
                        .put("priority", priority).put("type", "CASE")).id());
        assertTrue(world.store.plan(eventId, "case.created", "support", 42L, "email", "email", "team", "team@acme.example", null,
                world.clock.instant()));
        EngagementLinks engagementLinks = links(pixelOn);
        GmailEmailTransport transport = world.transport(channels, (action, mailbox, ref, details) -> { })
                .withOpenPixels(engagementLinks);
        DeliveryWorker worker = world.worker(channels, transport, new NotificationFactory(null).withAckLinks(engagementLinks));
        assertEquals(1, worker.runOnce());
        assertEquals(before + 1, world.gmail.sent.size());
        return world.gmail.sent.get(before).message();
    }

    private EngagementLinks links(boolean pixelOn) {
        return new EngagementLinks(links, Duration.ofDays(7), Set.of("URGENT", "HIGH"), pixelOn, world.clock);
    }

    private static String withoutAcknowledgeToken(String html) {
        return html.replaceAll("acknowledge\\?t&#61;[A-Za-z0-9_-]+", "acknowledge?t=TOKEN");
    }
}

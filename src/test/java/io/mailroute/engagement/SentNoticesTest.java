package io.mailroute.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.delivery.Delivery;
import io.mailroute.events.Event;
import io.mailroute.events.EventSchemas;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Matching a message read in a monitored mailbox to our email notice: by our Message-ID, for that mailbox only. */
class SentNoticesTest {

    private static final String OURS = "d17.3f2a9c@support.acme.example";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
    private final EngagementFixture fixture = new EngagementFixture(clock, 8080);
    private final SentNotices notices = new SentNotices(fixture.db);

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void ourNoticeToThisMailboxMatchesByItsMessageIdWhateverTheSpelling() {
        Delivery notice = sent("ops-email", "ops@acme.example", OURS);

        assertEquals(Optional.of(notice.id()), notices.deliveryFor("ops@acme.example", "<" + OURS + ">"));
        assertEquals(Optional.of(notice.id()), notices.deliveryFor("Ops@ACME.example", "  <" + OURS + ">\r\n"));
        assertEquals(Optional.of(notice.id()), notices.deliveryFor("ops@acme.example", OURS), "without brackets");
    }

    @Test
    void aMessageWeNeverSentOrSentToSomeoneElseMatchesNothing() {
        sent("ops-email", "alice@acme.example", OURS);
        sent("ops-push", "ops@acme.example", null);

        assertEquals(Optional.empty(), notices.deliveryFor("ops@acme.example", "<" + OURS + ">"),
                "our notice to alice, forwarded to ops (or its SENT copy), is not ops' notice");
        assertEquals(Optional.empty(), notices.deliveryFor("alice@acme.example", "<someone-else@globex.example>"));
        assertEquals(Optional.empty(), notices.deliveryFor("alice@acme.example", null));
        assertEquals(Optional.empty(), notices.deliveryFor("alice@acme.example", "<>"));
    }

    @Test
    void theMessageIdIsTheFirstBracketedIdAndBounded() {
        assertEquals("a@b", SentNotices.messageId("<a@b>"));
        assertEquals("a@b", SentNotices.messageId(" <a@b> (comment) <c@d>"));
        assertNull(SentNotices.messageId("a b@c"));
        assertNull(SentNotices.messageId("<" + "x".repeat(SentNotices.MAX_MESSAGE_ID) + "@b>"));
    }

    @Test
    void onlyAnUnopenedEmailNoticeToTheAddressIsWorthAskingGmailAbout() throws Exception {
        assertFalse(notices.awaitOpening("ops@acme.example"), "nothing sent to it");
        Delivery notice = sent("ops-email", "ops@acme.example", OURS);
        assertTrue(notices.awaitOpening("Ops@Acme.Example"));

        Optional<Event> opened = fixture.engagement.opened(notice.id(), GmailReadReceipts.SOURCE);
        assertEquals(Optional.empty(), fixture.engagement.opened(notice.id(), GmailReadReceipts.SOURCE), "once");

        assertFalse(notices.awaitOpening("ops@acme.example"), "opened: nothing left to look for");
        assertEquals("OPENED", fixture.engagement.find(notice.id()).orElseThrow().state());
        JsonNode event = Json.newMapper().readTree(opened.orElseThrow().json());
        EventSchemas.assertValid("engagement-events.schema.json", event);
        assertEquals("delivery.opened", event.path("type").asText());
        assertEquals("gmail-read", event.at("/data/source").asText());
        assertEquals(1, fixture.eventCount("delivery.opened"));
    }

    /** A delivery as the email transport leaves it: its Message-ID recorded before the send. */
    private Delivery sent(String channel, String address, String messageId) {
        Delivery d = fixture.plan(channel, messageId == null ? "webpush" : "email", "ops", address);
        fixture.db.jdbc().update("UPDATE delivery SET message_id = :m, status = 'SENT' WHERE id = :id",
                new org.springframework.jdbc.core.namedparam.MapSqlParameterSource("m", messageId).addValue("id", d.id()));
        return d;
    }
}

package io.mailroute.escalation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.engagement.AckSignal;
import io.mailroute.events.Event;
import io.mailroute.events.EventSchemas;
import io.mailroute.testing.MutableClock;
import io.mailroute.timers.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Escalation end to end below the routes, on H2 with an injected clock: scheduled on SENT, decided at fire time. */
class EscalationsTest {

    private static final Instant START = Instant.parse("2026-12-01T09:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final EscalationFixture f = new EscalationFixture(clock);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void theFirstSendSchedulesOneTimerThatEveryDeliveryOfTheEventOnTheChannelShares() throws Exception {
        String eventId = f.caseCreated("URGENT").path("id").asText();
        assertEquals(List.of(), f.timers.pending(Escalations.subject(eventId)), "nothing before a delivery went");

        f.sendDue();

        assertEquals(List.of("email lead", "email team"), f.sent.stream().sorted().toList());
        List<Timer> pending = f.timers.pending(Escalations.subject(eventId));
        assertEquals(1, pending.size(), "two emails went, one timer: " + pending);
        Timer timer = pending.get(0);
        assertEquals(Escalations.KIND, timer.kind());
        assertEquals(Escalations.subject(eventId, "email"), timer.subject());
        assertEquals(START.plus(Duration.ofMinutes(15)), timer.dueAt());
        assertEquals("unopened", timer.data().path("reason").asText());
    }

    @Test
    void nothingOpenedByTheDeadlineIgnoresTheChannelsDeliveriesAndPlansTheAudiencesOnceWithItsEvent() throws Exception {
        JsonNode event = f.caseCreated("URGENT");
        String eventId = event.path("id").asText();
        f.sendDue();

        clock.advance(Duration.ofMinutes(14));
        assertEquals(List.of(), f.fireDue(), "not due yet");
        clock.advance(Duration.ofMinutes(1));
        List<Event> fired = f.fireDue();

        assertEquals(List.of("delivery.ignored", "delivery.ignored", "delivery.escalated"), fired.stream().map(Event::type).toList());
        JsonNode escalated = valid(fired.get(2));
        assertEquals(eventId, escalated.at("/data/eventId").asText());
        assertEquals("case.created", escalated.at("/data/eventType").asText());
        assertEquals(event.path("itemId").asLong(), escalated.at("/data/itemId").asLong());
        assertEquals(event.path("itemId").asLong(), escalated.path("itemId").asLong());
        assertEquals("email", escalated.at("/data/fromChannel").asText());
        assertEquals("primary", escalated.at("/data/to/0").asText());
        assertEquals("unopened", escalated.at("/data/reason").asText());
        assertEquals(2, escalated.at("/data/ignored").asInt());
        assertEquals(1, escalated.at("/data/planned").asInt());
        assertEquals(2, f.count("SELECT COUNT(*) FROM delivery WHERE event_id = :e AND channel = 'email' AND ignored_at IS NOT NULL",
                Map.of("e", eventId)));
        assertEquals(1, f.deliveries(eventId, "oncall-primary").size(), "mei's phone, once");

        clock.advance(Duration.ofHours(1));
        assertEquals(List.of(), f.fireDue(), "fired once");
        f.sendDue();
        assertEquals(1, f.sent.stream().filter(s -> s.equals("oncall-primary mei")).count(), "one push");
        assertEquals(1, f.events.count(Escalations.ESCALATED));
        assertEquals(List.of(Escalations.subject(eventId, "oncall-primary")), f.timers.pending(Escalations.subject(eventId))
                .stream().map(Timer::subject).toList(), "the push went: the next level waits");
    }

    @Test
    void openedBeforeTheDeadlineNothingHappens() throws Exception {
        String eventId = f.caseCreated("URGENT").path("id").asText();
        f.sendDue();
        clock.advance(Duration.ofMinutes(5));
        f.engagement.record(f.deliveries(eventId, "email").get(1), AckSignal.opened());

        clock.advance(Duration.ofMinutes(10));
        assertEquals(List.of(), f.fireDue());

        Timer timer = f.timers.find(Escalations.KIND, Escalations.subject(eventId, "email"), Escalations.SLOT).orElseThrow();
        assertEquals(Timer.State.FIRED, timer.state(), "fired, and found it moot");
        assertEquals(List.of(), f.deliveries(eventId, "oncall-primary"));
        assertEquals(0, f.events.count(Escalations.ESCALATED));
        assertEquals(0, f.events.count("delivery.ignored"));
    }

    @Test
    void actingCancelsTheEventsPendingEscalations() throws Exception {
        String eventId = f.caseCreated("HIGH").path("id").asText();
        f.sendDue();
        clock.advance(Duration.ofMinutes(2));
        f.engagement.record(f.deliveries(eventId, "email").get(0), AckSignal.acted(AckSignal.ACKNOWLEDGED));

        assertEquals(List.of(), f.timers.pending(Escalations.subject(eventId)));
        assertEquals(Timer.State.CANCELLED, f.timers.find(Escalations.KIND, Escalations.subject(eventId, "email"),
                Escalations.SLOT).orElseThrow().state());
        clock.advance(Duration.ofHours(1));
        assertEquals(List.of(), f.fireDue());
        assertEquals(0, f.events.count(Escalations.ESCALATED));
    }

    @Test
    void theOnCallChainEscalatesLevelByLevelAndStopsWhereItComesBackToAChannelThatEscalatedAlready() throws Exception {
        String eventId = f.caseCreated("URGENT").path("id").asText();
        f.sendDue();
        clock.advance(Duration.ofMinutes(15));
        f.fireDue();                                   // email unopened → mei (oncall-primary)
        f.sendDue();
        // mei opens the push but does not act: unackedFor still escalates, and her delivery is not IGNORED
        f.engagement.record(f.deliveries(eventId, "oncall-primary").get(0), AckSignal.opened());
        clock.advance(Duration.ofMinutes(10));
        List<Event> second = f.fireDue();              // oncall-primary unacked → ravi (oncall-secondary)
        assertEquals(List.of("delivery.escalated"), second.stream().map(Event::type).toList());
        assertEquals("unacked", valid(second.get(0)).at("/data/reason").asText());
        assertEquals(0, valid(second.get(0)).at("/data/ignored").asInt(), "an opened delivery is never IGNORED");
        f.sendDue();
        clock.advance(Duration.ofMinutes(10));
        List<Event> third = f.fireDue();               // oncall-secondary unacked → ops-email: back to the start
        assertEquals(0, valid(third.get(third.size() - 1)).at("/data/planned").asInt(), "ops-email has its emails already");
        f.sendDue();

        clock.advance(Duration.ofDays(1));
        assertEquals(List.of(), f.fireDue(), "the chain ended");
        assertEquals(List.of(), f.timers.pending(Escalations.subject(eventId)));
        assertEquals(3, f.events.count(Escalations.ESCALATED));
        assertEquals(List.of("email lead", "email team", "oncall-primary mei", "oncall-secondary ravi"),
                f.sent.stream().sorted().toList(), "each person once");
    }

    @Test
    void someoneActingAnywhereStopsTheChainEvenWhenTheTimerRacesIt() throws Exception {
        String eventId = f.caseCreated("URGENT").path("id").asText();
        f.sendDue();
        clock.advance(Duration.ofMinutes(15));
        f.fireDue();
        f.sendDue();
        // the act is recorded without its listener (as if it committed while the tick had claimed the timer)
        f.db.jdbc().update("UPDATE delivery SET opened_at = :at, acted_at = :at, acted_action = 'ack' WHERE id = :id",
                Map.of("at", java.sql.Timestamp.from(clock.instant()), "id", f.deliveries(eventId, "oncall-primary").get(0)));
        clock.advance(Duration.ofMinutes(10));
        assertEquals(List.of(), f.fireDue(), "the fire-time check reads the act");
        assertEquals(List.of(), f.deliveries(eventId, "oncall-secondary"));
    }

    @Test
    void anItemNoLongerActiveIsNotEscalated() throws Exception {
        JsonNode event = f.caseCreated("URGENT");
        f.sendDue();
        f.db.jdbc().update("UPDATE workflow_item SET state = 'RESOLVED' WHERE id = :id", Map.of("id", event.path("itemId").asLong()));
        clock.advance(Duration.ofMinutes(15));
        assertEquals(List.of(), f.fireDue());
        assertEquals(List.of(), f.deliveries(event.path("id").asText(), "oncall-primary"));
    }

    @Test
    void anItemOfAPriorityThePolicyDoesNotCoverSchedulesNothing() throws Exception {
        String eventId = f.caseCreated("NORMAL").path("id").asText();
        f.sendDue();
        assertEquals(2, f.sent.size());
        assertEquals(List.of(), f.timers.pending(Escalations.subject(eventId)));
    }

    @Test
    void whatFollowsASendFailingNeverUndoesTheSend() throws Exception {
        f.worker.whenSent((delivery, at) -> {
            f.escalations.sent(delivery, at); // its timer is rolled back with what failed after it
            throw new IllegalStateException("escalation broke");
        });
        String eventId = f.caseCreated("URGENT").path("id").asText();
        f.sendDue();
        f.sendDue();

        assertEquals(List.of("email lead", "email team"), f.sent.stream().sorted().toList(), "each sent once");
        assertEquals(2, f.count("SELECT COUNT(*) FROM delivery WHERE event_id = :e AND status = 'SENT'", Map.of("e", eventId)));
        assertEquals(List.of(), f.timers.pending(Escalations.subject(eventId)));
    }

    @Test
    void aPolicyCoversItsPrioritiesAndAnyTakesEventsWithout() {
        EscalationPolicy critical = new EscalationPolicy("email", EscalationPolicy.Condition.UNOPENED, Duration.ofMinutes(1),
                List.of("a"), java.util.Set.of("URGENT"));
        EscalationPolicy any = new EscalationPolicy("email", EscalationPolicy.Condition.UNOPENED, Duration.ofMinutes(1),
                List.of("a"), java.util.Set.of(EscalationPolicy.ANY));
        assertTrue(critical.covers("urgent "));
        assertTrue(!critical.covers("HIGH") && !critical.covers(null));
        assertTrue(any.covers(null) && any.covers("LOW"));
    }

    private static JsonNode valid(Event event) throws Exception {
        JsonNode json = io.mailroute.json.Json.newMapper().readTree(event.json());
        EventSchemas.assertValid(json.path("type").asText().equals(Escalations.ESCALATED)
                ? "escalation-events.schema.json" : "engagement-events.schema.json", json);
        return json;
    }
}

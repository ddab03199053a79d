package io.mailroute.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventsComponent;
import io.mailroute.events.SubscriptionCursors;
import io.mailroute.json.Json;
import io.mailroute.testing.TestDatabases;
import io.mailroute.testing.TestMailboxes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Header;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/triage.camel.yaml as the service installs it: one triage route and subscription per monitored mailbox, on a
 * database that still has the single {@code triage} cursor of before. The triage bean is a stand-in that records
 * what it was given, and fails for good on one mailbox's first message.
 */
class TriagePerMailboxTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private Database db;
    private EventLog events;
    private SubscriptionCursors cursors;
    private CamelContext context;
    private final Map<String, List<Long>> triaged = new ConcurrentHashMap<>();

    /** Stands in for the triageProcessor bean: records the seq of each event per mailbox. */
    public final class RecordingTriage {
        public List<Event> process(@Header("MailrouteMailbox") String mailbox, @Header("MailrouteEventSeq") long seq) {
            if (mailbox.equals("broken")) {
                throw new IllegalStateException("this mailbox's triage always fails");
            }
            triaged.computeIfAbsent(mailbox, m -> new CopyOnWriteArrayList<>()).add(seq);
            return List.of();
        }

        public boolean reloadRules() {
            return false;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabases.h2("triage-partitions");
        events = new EventLog(db, Json.newMapper(), Clock.systemUTC());
        cursors = new SubscriptionCursors(db, Clock.systemUTC());
        context = new DefaultCamelContext();
        context.getPropertiesComponent().addInitialProperty("mailroute.flows.max-attempts", "0"); // retried forever
        context.getPropertiesComponent().addInitialProperty("mailroute.triage.reload-interval", "3600000");
        context.addComponent(EventsComponent.SCHEME, new EventsComponent(events, cursors, Clock.systemUTC()));
        context.getRegistry().bind("triageProcessor", new RecordingTriage());
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events-publish").routeId("test-bus").log("published ${body}");
                routeTemplate(IntakeRoutesInstaller.TEMPLATE_ID).templateParameter("mailbox").templateParameter("pollInterval")
                        .from("direct:intake-{{mailbox}}").log("intake of {{mailbox}}");
            }
        });
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveResource(context, "file:routes/triage.camel.yaml"));
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
        db.close();
    }

    @Test
    void eachMailboxIsTriagedInOrderAndAFailingOneHoldsUpNoOther() throws Exception {
        // before the upgrade: one subscription, "triage", had got to seq 2
        received("support");  // 1
        received("broken");   // 2
        cursors.position("triage", 0);
        cursors.advance("triage", 2);
        received("support");  // 3: not triaged yet
        received("broken");   // 4: fails, for good

        IntakeRoutesInstaller.install(context, List.of(TestMailboxes.sandbox("support", "support@acme.example", "", 10, 50),
                TestMailboxes.sandbox("broken", "broken@acme.example", "", 10, 50)));
        context.start();
        assertNotNull(context.getRoute("triage-support"));
        assertNotNull(context.getRoute("triage-broken"));

        for (int i = 0; i < 5; i++) {
            received("broken");   // 5, 7, ... queued behind the failing 4
            received("support");  // 6, 8, ...
        }
        await("every support message, while broken's first still fails",
                () -> triaged("support").size() == 6 && cursors.find("triage-support").orElse(0L) == 14);
        assertEquals(List.of(3L, 6L, 8L, 10L, 12L, 14L), triaged("support"),
                "in order; nothing the old cursor had passed (1) triaged again, nothing after it (3) skipped");
        assertEquals(List.of(), triaged("broken"), "nothing of broken's overtakes its failing message");
        assertEquals(Map.of("triage", 2L, "triage-broken", 2L, "triage-support", 14L), cursors.all());
    }

    @Test
    void aMailboxWhoseTriageRouteWouldReplaceAnotherRouteIsRefusedByName() {
        assertNotNull(context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                .getRouteDefinition("triage-rules-reload"), "routes/triage.camel.yaml has the rules reload route");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> IntakeRoutesInstaller.install(context, List.of(
                        TestMailboxes.sandbox("rules-reload", "rules@acme.example", "", 10, 50))));
        assertEquals("Mailbox 'rules-reload' would make route 'triage-rules-reload', but routes/ already has a route with "
                + "that id: rename the mailbox in mailboxes.yaml (or that route)", e.getMessage());
        assertTrue(context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                .getRouteDefinition("triage-rules-reload").getInput().getEndpointUri().startsWith("timer:triage-rules-reload"),
                "the reload route is still the one routes/ declares");
    }

    private List<Long> triaged(String mailbox) {
        return triaged.getOrDefault(mailbox, List.of());
    }

    private void received(String mailbox) {
        db.transactions().executeWithoutResult(tx -> events.append("message.received", mailbox, null, null,
                Json.newMapper().createObjectNode().put("messageId", 1)));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }
}

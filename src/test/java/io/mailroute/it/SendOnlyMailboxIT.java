package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A send-only mailbox is never polled: the packaged service tries its grant once at start (a token refresh), so
 * status, health and metrics say ACTIVE or NOT_CONNECTED from the start, not STARTING until its first send.
 */
class SendOnlyMailboxIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void aSendOnlyMailboxShowsWhetherItsGrantWorksWithoutSendingAnything() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "")) {
            world.addSendOnly("notify");
            world.addSendOnly("alerts");
            world.sandbox.admin().revokeRefreshToken(IntakeFixture.address("alerts"));
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                service.await(WAIT, "notify ACTIVE and alerts NOT_CONNECTED", () -> "ACTIVE".equals(state(service, "notify"))
                        && "NOT_CONNECTED".equals(state(service, "alerts")));

                JsonNode health = service.health();
                assertEquals("DEGRADED", health.path("status").asText(), health.toString());
                assertEquals(List.of("alerts"), StreamSupport.stream(health.path("mailboxes").spliterator(), false)
                        .map(m -> m.path("id").asText()).toList(), health.toString());
                String metrics = service.observe("/observe/metrics").body();
                assertTrue(metrics.contains("mailroute_mailbox_state{mailbox=\"notify\",state=\"ACTIVE\"} 1.0"), metrics);
                assertTrue(metrics.contains("mailroute_mailbox_state{mailbox=\"alerts\",state=\"NOT_CONNECTED\"} 1.0"), metrics);
                ServiceProcess.CommandResult status = service.run("status");
                assertTrue(status.output().matches("(?s).*notify\\s+notify@acme.example\\s+ACTIVE.*"), status.output());
                assertTrue(status.output().matches("(?s).*alerts\\s+alerts@acme.example\\s+NOT_CONNECTED.*"), status.output());

                List<JsonNode> broken = service.events("connection.broken");
                assertEquals(List.of("alerts"), broken.stream().map(e -> e.path("mailbox").asText()).toList(), "one notice");
                assertTrue(world.sandbox.admin().tokenRequests(IntakeFixture.address("notify")).refreshTokenGrants() >= 1,
                        "the grant was tried at the token endpoint");
                for (String sendOnly : List.of("notify", "alerts")) {
                    var used = world.sandbox.admin().stats().user(IntakeFixture.address(sendOnly));
                    assertTrue(used == null || used.requestsByMethod().isEmpty(), "no Gmail call, no send: " + used);
                }
                assertEquals(0, service.api("/api/deliveries").get("items").size(), "nothing was sent");
            }
        }
    }

    private static String state(ServiceProcess service, String mailbox) {
        for (JsonNode m : service.api("/api/mailboxes").get("items")) {
            if (m.path("id").asText().equals(mailbox)) {
                return m.path("state").asText();
            }
        }
        return null;
    }
}

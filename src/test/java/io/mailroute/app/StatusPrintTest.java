package io.mailroute.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code status} table, from a {@code GET /api/mailboxes} answer. */
class StatusPrintTest {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");

    @Test
    void theNodeColumnNamesTheNodeThatPollsEachMailboxAndADashBeforeItsFirstPoll() throws Exception {
        JsonNode report = Json.newMapper().readTree("""
                {"items": [
                  {"id": "support", "address": "support@acme.example", "state": "ACTIVE", "lastSuccessAt": "2026-11-22T07:59:58Z",
                   "cursorAt": "2026-11-22T07:59:58Z", "owner": "node-2", "ownerSince": "2026-11-22T07:40:00Z",
                   "connection": {"grant": "store", "connectedAt": "2026-11-20T08:00:00Z"}},
                  {"id": "hr", "address": "hr@acme.example", "state": "STARTING", "owner": null,
                   "connection": {"grant": "environment"}}
                ]}""");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        new ConnectionCommands(Path.of("config"), new PrintStream(out, true, StandardCharsets.UTF_8), System.err)
                .print(report, NOW, true);

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(0).matches("MAILBOX\\s+ADDRESS\\s+STATE\\s+LAST GOOD POLL\\s+GRANT\\s+TOKEN AGE\\s+CURSOR AGE\\s+NODE"),
                lines.get(0));
        assertTrue(lines.get(1).matches("support\\s+support@acme.example\\s+ACTIVE\\s+2s\\s+store\\s+2d 0h\\s+2s\\s+node-2"),
                lines.get(1));
        assertTrue(lines.get(2).matches("hr\\s+hr@acme.example\\s+STARTING\\s+-\\s+environment\\s+-\\s+-\\s+-"), lines.get(2));
        assertEquals(lines.get(0).indexOf("NODE"), lines.get(1).indexOf("node-2"), "the column lines up");
    }
}

package io.mailroute.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditExporterTest {

    private final ObjectMapper json = Json.newMapper();
    private Database db;

    /** Record n (1 to 9) occurs at T0 + (n - 1) s, in mailbox support, accounts, none, support ... */
    @BeforeEach
    void nineRecordsOneSecondApart() {
        db = AuditFixture.openH2();
        AuditLog audit = new AuditLog(db, json, new AuditFixture.TickingClock(AuditFixture.T0));
        for (int n = 1; n <= 9; n++) {
            audit.append(AuditFixture.action(n), mailboxOf(n), "message:" + n, AuditFixture.details("record " + n));
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void exportsTheWindowFromInclusiveToExclusiveInSeqOrder() throws Exception {
        List<JsonNode> lines = export(at(3), at(7), null);
        assertEquals(List.of(4L, 5L, 6L, 7L), lines.stream().map(line -> line.get("seq").asLong()).toList());
    }

    @Test
    void theMailboxFilterKeepsOnlyThatMailbox() throws Exception {
        List<JsonNode> lines = export(at(0), at(100), "support");
        assertEquals(List.of(1L, 4L, 7L), lines.stream().map(line -> line.get("seq").asLong()).toList());
        lines.forEach(line -> assertEquals("support", line.get("mailbox").asText()));
    }

    @Test
    void eachLineIsOneJsonRecordWithEverythingNeededToRecheckItsHash() throws Exception {
        List<JsonNode> lines = export(at(0), at(100), null);
        assertEquals(9, lines.size());
        String previous = AuditHashing.GENESIS_HASH;
        for (JsonNode line : lines) {
            assertEquals(List.of("seq", "occurredAt", "action", "mailbox", "subjectRef", "details", "prevHash", "hash"),
                    fieldNames(line));
            assertTrue(line.get("details").isObject(), "details are JSON, not a string: " + line);
            assertEquals(previous, line.get("prevHash").asText());
            String recomputed = AuditHashing.hash(line.get("seq").asLong(), Instant.parse(line.get("occurredAt").asText()),
                    line.get("action").asText(), line.get("mailbox").isNull() ? null : line.get("mailbox").asText(),
                    line.get("subjectRef").asText(), AuditHashing.canonicalJson(json, line.get("details")),
                    line.get("prevHash").asText());
            assertEquals(line.get("hash").asText(), recomputed, "hash recomputed from the export: " + line);
            previous = line.get("hash").asText();
        }
        JsonNode third = lines.get(2);
        assertEquals("2026-03-01T09:00:02.123Z", third.get("occurredAt").asText());
        assertTrue(third.get("mailbox").isNull());
        assertEquals("Grüße aus Köln \"quoted\"\nsecond line", third.get("details").get("subject").asText());
    }

    @Test
    void anEmptyWindowWritesNothing() throws Exception {
        StringWriter out = new StringWriter();
        assertEquals(0, new AuditExporter(db).export(at(100), at(200), null, out));
        assertEquals("", out.toString());
        assertEquals(0, new AuditExporter(db).export(at(0), at(100), "hr", out));
    }

    private List<JsonNode> export(Instant from, Instant to, String mailbox) throws Exception {
        StringWriter out = new StringWriter();
        long count = new AuditExporter(db).export(from, to, mailbox, out);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString().split("\n", -1)) {
            if (!line.isEmpty()) {
                lines.add(json.readTree(line));
            }
        }
        assertTrue(out.toString().endsWith("\n"), "every line ends with a newline");
        assertEquals(count, lines.size());
        return lines;
    }

    /** The instant of the record written {@code seconds} after the first. */
    private static Instant at(int seconds) {
        return Instant.parse("2026-03-01T09:00:00.123Z").plusSeconds(seconds);
    }

    private static String mailboxOf(int n) {
        return List.of("support", "accounts", "").get((n - 1) % 3).transform(m -> m.isEmpty() ? null : m);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

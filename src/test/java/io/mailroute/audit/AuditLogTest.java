package io.mailroute.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

class AuditLogTest {

    private final ObjectMapper json = Json.newMapper();
    private Database db;
    private AuditLog audit;

    @BeforeEach
    void open() {
        db = AuditFixture.openH2();
        audit = new AuditLog(db, json, new AuditFixture.TickingClock(AuditFixture.T0));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void anEmptyTrailIsIntact() {
        AuditVerifier.Result result = new AuditVerifier(db).verify();
        assertEquals(new AuditVerifier.Result(true, 0, null, null, AuditHashing.GENESIS_HASH), result);
    }

    @Test
    void appendsChainFromSeqOneAndRolledBackAppendsLeaveNoTraceAndNoGap() {
        AuditFixture.appendSample(db, audit, Tampering.RECORDS);

        assertEquals(LongStream.rangeClosed(1, Tampering.RECORDS).boxed().toList(), AuditFixture.seqs(db));
        assertEquals(0, db.jdbc().queryForObject("SELECT COUNT(*) FROM audit_log WHERE subject_ref LIKE 'rolledback:%'",
                new MapSqlParameterSource(), Long.class));
        AuditVerifier.Result result = new AuditVerifier(db).verify();
        assertTrue(result.intact(), result::toString);
        assertEquals(Tampering.RECORDS, result.recordsChecked());
        assertEquals(stored(Tampering.RECORDS).hash(), result.headHash());
    }

    @Test
    void theReturnedRecordIsWhatWasStoredAndChainsToItsPredecessor() {
        AuditRecord first = audit.append("message.received", "support", "message:1", AuditFixture.details("one"));
        AuditRecord second = audit.append("message.classified", null, "message:1",
                json.createObjectNode().put("ruleId", "invoices"));

        assertEquals(first, stored(1));
        assertEquals(second, stored(2));
        assertEquals(AuditHashing.GENESIS_HASH, first.prevHash());
        assertEquals(first.hash(), second.prevHash());
        assertEquals(Instant.parse("2026-03-01T09:00:00.123Z"), first.occurredAt(), "truncated to milliseconds");
        assertNull(second.mailbox());
    }

    @Test
    void detailsAreStoredAsCanonicalJsonWithSortedKeysAtEveryDepth() throws Exception {
        AuditRecord record = audit.append("item.changed", "support", "item:7",
                json.readTree("{ \"b\": 1, \"a\": { \"d\": [ {\"z\": true, \"y\": null} ], \"c\": \"x\" } }"));
        assertEquals("{\"a\":{\"c\":\"x\",\"d\":[{\"y\":null,\"z\":true}]},\"b\":1}", record.details());
        assertEquals("{}", audit.append("item.changed", "support", "item:7", null).details());
    }

    @Test
    void theHashEncodingIsTheDocumentedOne() {
        // Computed independently from the encoding described in AuditHashing's Javadoc:
        // sha256("mailroute-audit-v1\n" "1:7\n" "24:2026-03-01T09:00:00.000Z\n" "16:message.received\n" "-\n"
        //        "9:message:1\n" "10:{\"a\":\"é\"}\n" "64:" + 64 zeros + "\n"), é being two bytes in UTF-8
        String hash = AuditHashing.hash(7, Instant.parse("2026-03-01T09:00:00Z"), "message.received", null, "message:1",
                "{\"a\":\"é\"}", AuditHashing.GENESIS_HASH);
        assertEquals(EXPECTED_VECTOR, hash);
    }

    @Test
    void appendingOutsideATransactionStillCommitsRecordAndHeadTogether() {
        audit.append("message.received", "support", "message:1", null);
        audit.append("message.received", "support", "message:2", null);
        assertTrue(new AuditVerifier(db).verify().intact());
    }

    @Test
    void refusesRecordsWithoutActionOrSubjectWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> audit.append(" ", "support", "message:1", null));
        assertEquals("Audit action is required", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> audit.append("message.received", "support", null, null));
        assertThrows(IllegalArgumentException.class, () -> audit.append("x".repeat(65), "support", "message:1", null));
        assertEquals(List.of(), AuditFixture.seqs(db));
    }

    @Test
    void concurrentAppendersNeverForkTheChain() throws Exception {
        AuditLog shared = new AuditLog(db, json, Clock.system(ZoneOffset.UTC));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> appenders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                appenders.add(() -> {
                    for (int i = 0; i < 50; i++) {
                        int n = i;
                        db.transactions().executeWithoutResult(tx -> shared.append("item.changed", "support",
                                "item:" + thread + "-" + n, null));
                    }
                    return null;
                });
            }
            for (Future<Void> done : threads.invokeAll(appenders)) {
                done.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(LongStream.rangeClosed(1, 200).boxed().toList(), AuditFixture.seqs(db));
        AuditVerifier.Result result = new AuditVerifier(db).verify();
        assertTrue(result.intact(), result::toString);
        assertEquals(200, result.recordsChecked());
    }

    @ParameterizedTest
    @EnumSource(Tampering.class)
    void verifyNamesTheFirstBadRecord(Tampering tampering) {
        AuditFixture.appendSample(db, audit, Tampering.RECORDS);
        assertTrue(new AuditVerifier(db).verify().intact());

        tampering.apply(db.jdbc());

        assertTampered(tampering, new AuditVerifier(db).verify());
    }

    @Test
    void aForgerWhoRewritesTheTailAndTheHeadIsCaughtOnlyByAHeadHashKeptElsewhere() {
        AuditFixture.appendSample(db, audit, Tampering.RECORDS);
        String headKeptElsewhere = new AuditVerifier(db).verify().headHash();

        // Remove the last record and move the head back: the chain itself is consistent again.
        db.jdbc().update("DELETE FROM audit_log WHERE seq = 30", new MapSqlParameterSource());
        db.jdbc().update("UPDATE audit_head SET last_seq = 29, last_hash = (SELECT hash FROM audit_log WHERE seq = 29)",
                new MapSqlParameterSource());

        AuditVerifier.Result result = new AuditVerifier(db).verify();
        assertTrue(result.intact(), "the documented limit: " + result);
        assertNotEquals(headKeptElsewhere, result.headHash());
        assertFalse(AuditFixture.seqs(db).contains(30L));
    }

    static void assertTampered(Tampering tampering, AuditVerifier.Result result) {
        assertFalse(result.intact(), tampering + " went unnoticed");
        assertEquals(tampering.firstBadSeq, result.firstBadSeq(), tampering + ": " + result.problem());
        assertTrue(result.problem().startsWith(tampering.problem), tampering + ": " + result.problem());
        assertEquals(tampering.firstBadSeq - 1, result.recordsChecked(), tampering + ": " + result);
    }

    private AuditRecord stored(long seq) {
        return db.jdbc().query("SELECT " + AuditRows.COLUMNS + " FROM audit_log WHERE seq = :seq",
                new MapSqlParameterSource("seq", seq), (rs, n) -> AuditRows.read(rs)).get(0);
    }

    private static final String EXPECTED_VECTOR = "f930e6e26a8b666ed552fa562f790bf35b8f1059816a0f5aba437a313f0dc3ad";
}

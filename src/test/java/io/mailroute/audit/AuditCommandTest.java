package io.mailroute.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

class AuditCommandTest {

    @TempDir
    Path dir;

    private Database db;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void fiveRecords() {
        db = AuditFixture.openH2();
        AuditLog audit = new AuditLog(db, Json.newMapper(), new AuditFixture.TickingClock(AuditFixture.T0));
        for (int n = 1; n <= 5; n++) {
            audit.append("message.received", n % 2 == 0 ? "accounts" : "support", "message:" + n, AuditFixture.details("n" + n));
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void verifyOfAnIntactTrailExitsZeroAndPrintsTheHeadHash() {
        assertEquals(0, run("verify"));
        String head = db.jdbc().queryForObject("SELECT last_hash FROM audit_head", new MapSqlParameterSource(), String.class);
        assertEquals(List.of("Audit trail intact: 5 records checked, head hash " + head), lines(out));
        assertEquals("", err.toString());
    }

    @Test
    void verifyOfATamperedTrailExitsOneNamingTheFirstBadRecord() {
        db.jdbc().update("UPDATE audit_log SET details = :details WHERE seq = 3", new MapSqlParameterSource("details", "{}"));

        assertEquals(1, run("verify"));
        assertEquals(List.of("Audit trail TAMPERED: first bad record seq 3: row 3 was edited (its hash does not match its fields)",
                "2 records before it are intact."), lines(out));
    }

    @Test
    void theWordAuditMayLeadTheArguments() {
        assertEquals(0, run("audit", "verify"));
    }

    @Test
    void exportWritesJsonLinesToStandardOutputAndTheCountToStandardError() {
        assertEquals(0, run("export", "--from", "2026-03-01", "--to", "2026-03-02T00:00:00Z", "--mailbox", "support"));
        List<String> records = lines(out);
        assertEquals(3, records.size(), records.toString());
        assertTrue(records.get(0).startsWith("{\"seq\":1,\"occurredAt\":\"2026-03-01T09:00:00.123Z\""), records.get(0));
        assertEquals(List.of("Exported 3 audit records."), lines(err));
    }

    @Test
    void exportWritesToAFileWithOut() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        assertEquals(0, run("export", "--from", "2026-03-01T09:00:01.123+00:00", "--to", "2026-03-01T10:00:00Z",
                "--out", file.toString()));
        assertEquals(4, Files.readAllLines(file, StandardCharsets.UTF_8).size());
        assertEquals(List.of("Exported 4 audit records to " + file.toAbsolutePath()), lines(out));
    }

    @Test
    void anUnwritableOutFileExitsOneSayingWhy() {
        assertEquals(1, run("export", "--from", "2026-03-01", "--to", "2026-03-02", "--out",
                dir.resolve("no/such/dir/audit.jsonl").toString()));
        assertTrue(err.toString().startsWith("audit export: cannot write "), err.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                              | audit: say what to do",
        "frobnicate                                      | audit: unknown command \"frobnicate\"",
        "verify --now                                    | audit verify takes no options",
        "export --from 2026-03-01                        | audit export: --from and --to are required",
        "export --from 2026-03-01 --to                   | audit export: --to needs a value",
        "export --from yesterday --to 2026-03-02         | audit export: --from \"yesterday\" is not an ISO-8601 instant",
        "export --from 2026-03-02 --to 2026-03-01        | audit export: --from (2026-03-02T00:00:00Z) must be before --to",
        "export --from 2026-03-01 --to 2026-03-02 --x 1  | audit export: unknown option \"--x\"",
        "export --from 2026-03-01 --from 2026-03-01      | audit export: --from is given twice",
    })
    void usageErrorsExitTwoWithTheProblemAndTheUsageLine(String args, String problem) {
        assertEquals(2, run(args.isBlank() ? new String[0] : args.trim().split(" +")));
        List<String> printed = lines(err);
        assertTrue(printed.get(0).startsWith(problem), printed.get(0));
        assertEquals(AuditCommand.USAGE, printed.get(1));
        assertEquals("", out.toString());
    }

    private int run(String... args) {
        return AuditCommand.run(List.of(args), AuditSource.of(db), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static List<String> lines(ByteArrayOutputStream stream) {
        String text = stream.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}

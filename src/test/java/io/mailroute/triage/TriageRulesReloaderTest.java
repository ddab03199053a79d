package io.mailroute.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mailroute.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import io.mailroute.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Editing the rules file takes effect without a restart; a broken edit is refused and the last good rules stay. */
class TriageRulesReloaderTest {

    private static final Instant T0 = Instant.parse("2026-11-20T09:00:00Z");

    private static final String ACCOUNTS_TO_AP = """
            rules:
              - id: invoices
                when: {mailbox: accounts}
                then: {type: case, category: invoice, queue: accounts-payable}
              - id: default
                then: {type: case, category: general, queue: triage}
            """;
    private static final String ACCOUNTS_TO_FINANCE = ACCOUNTS_TO_AP.replace("accounts-payable", "finance");
    private static final String BROKEN = ACCOUNTS_TO_AP.replace("queue: accounts-payable", "queue: finance, sla: tomorrow");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private Path file;
    private ListAppender<ILoggingEvent> log;

    @BeforeEach
    void writeFirstVersionAndCaptureLog() throws IOException {
        file = dir.resolve("triage.yaml");
        edit(ACCOUNTS_TO_AP, 0);
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(TriageRulesReloader.class)).addAppender(log);
    }

    @AfterEach
    void stopCapturingLog() {
        ((Logger) LoggerFactory.getLogger(TriageRulesReloader.class)).detachAppender(log);
    }

    @Test
    void aChangedFileTakesEffectAndIsLogged() throws IOException {
        try (TriageRulesReloader reloader = new TriageRulesReloader(file, clock)) {
            assertEquals("accounts-payable", queueForAccounts(reloader));

            edit(ACCOUNTS_TO_FINANCE, 10);

            assertTrue(reloader.reloadIfChanged());
            assertEquals("finance", queueForAccounts(reloader));
            assertEquals(List.of("INFO Triage rules reloaded from " + file + ": 2 rules"), logLines());
        }
    }

    @Test
    void anEditThatNamesWhatAnotherFileLacksIsRefusedLikeABrokenOne() throws IOException {
        try (TriageRulesReloader reloader = new TriageRulesReloader(file, clock).checkedWith(rules ->
                rules.ruleIds().contains("invoices") && queueFor(rules).equals("finance")
                        ? List.of(new io.mailroute.config.ConfigProblem(rules.source(), "line 2, rule 'invoices', then.approvers",
                                "'finanse' is neither an email address nor a group", "name a group of approvals.yaml"))
                        : List.of())) {
            edit(ACCOUNTS_TO_FINANCE, 10);

            assertFalse(reloader.reloadIfChanged());
            assertEquals("accounts-payable", queueForAccounts(reloader), "the last good rules stay");
            assertEquals(List.of("ERROR Triage rules not reloaded, still using the last good 2 rules: " + file
                    + ": line 2, rule 'invoices', then.approvers: 'finanse' is neither an email address nor a group;"
                    + " name a group of approvals.yaml"), logLines());
        }
    }

    @Test
    void nothingHappensWhileTheFileIsUnchanged() throws IOException {
        try (TriageRulesReloader reloader = new TriageRulesReloader(file, clock)) {
            TriageRules before = reloader.current();
            clock.advance(Duration.ofMinutes(5));

            assertFalse(reloader.reloadIfChanged());
            assertFalse(reloader.reloadIfChanged());
            edit(ACCOUNTS_TO_AP, 20); // saved again, same content: a new mtime but nothing to reload
            assertFalse(reloader.reloadIfChanged());

            assertSame(before, reloader.current());
            assertEquals(List.of(), logLines());
        }
    }

    @Test
    void aBrokenEditIsRefusedOnceAndTheLastGoodRulesStayUntilItIsFixed() throws IOException {
        try (TriageRulesReloader reloader = new TriageRulesReloader(file, clock)) {
            edit(BROKEN, 10);

            assertFalse(reloader.reloadIfChanged());
            assertEquals("accounts-payable", queueForAccounts(reloader));
            assertEquals(List.of("ERROR Triage rules not reloaded, still using the last good 2 rules: " + file
                    + ": line 4, rule 'invoices', then.sla: 'tomorrow' is not an ISO-8601 duration;"
                    + " write e.g. PT30M (30 minutes), PT4H (4 hours), P2D (2 days) or P1DT12H"), logLines());

            clock.advance(Duration.ofSeconds(5));
            assertFalse(reloader.reloadIfChanged());
            edit(BROKEN, 30); // touched, still the same mistake: not reported again
            assertFalse(reloader.reloadIfChanged());
            assertEquals(1, logLines().size(), logLines().toString());

            edit(ACCOUNTS_TO_FINANCE, 40);
            assertTrue(reloader.reloadIfChanged());
            assertEquals("finance", queueForAccounts(reloader));
        }
    }

    @Test
    void aBrokenFileWithManyProblemsLogsOneErrorLinePerProblem() throws IOException {
        try (TriageRulesReloader reloader = new TriageRulesReloader(file, clock)) {
            edit(BROKEN.replace("type: case, category: invoice", "type: ticket, category: invoice"), 10);

            assertFalse(reloader.reloadIfChanged());

            List<String> lines = logLines();
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("ERROR ") && lines.get(0).contains("line 4, rule 'invoices', then.type"), lines.get(0));
            assertTrue(lines.get(1).startsWith("ERROR ") && lines.get(1).contains("line 4, rule 'invoices', then.sla"), lines.get(1));
        }
    }

    @Test
    void aDeletedFileKeepsTheRulesAndIsReportedOnce() throws IOException {
        try (TriageRulesReloader reloader = new TriageRulesReloader(file, clock)) {
            Files.delete(file);

            assertFalse(reloader.reloadIfChanged());
            assertFalse(reloader.reloadIfChanged());
            assertEquals("accounts-payable", queueForAccounts(reloader));
            assertEquals(1, logLines().size(), logLines().toString());
            assertTrue(logLines().get(0).contains("file not found"));

            edit(ACCOUNTS_TO_FINANCE, 10);
            assertTrue(reloader.reloadIfChanged());
            assertEquals("finance", queueForAccounts(reloader));
        }
    }

    @Test
    void aFileStillBeingWrittenIsReadOnlyOnceItHasSettled() throws IOException {
        try (TriageRulesReloader reloader = new TriageRulesReloader(file, clock)) {
            edit(ACCOUNTS_TO_FINANCE, 10);
            clock.set(T0.plusSeconds(10).plusMillis(500)); // modified half a second ago

            assertFalse(reloader.reloadIfChanged());
            assertEquals("accounts-payable", queueForAccounts(reloader));

            clock.advance(TriageRulesReloader.SETTLE);
            assertTrue(reloader.reloadIfChanged());
            assertEquals("finance", queueForAccounts(reloader));
        }
    }

    @Test
    void aBrokenFileAtStartIsAnError() throws IOException {
        edit(BROKEN, 10);

        ConfigException e = assertThrows(ConfigException.class, () -> new TriageRulesReloader(file, clock));

        assertTrue(e.getMessage().contains("line 4, rule 'invoices', then.sla"), e.getMessage());
    }

    @Test
    void afterCloseNothingIsReloaded() throws IOException {
        TriageRulesReloader reloader = new TriageRulesReloader(file, clock);
        reloader.close();
        edit(ACCOUNTS_TO_FINANCE, 10);

        assertFalse(reloader.reloadIfChanged());
        assertEquals("accounts-payable", queueForAccounts(reloader));
    }

    /** Writes the file as if saved {@code second} seconds after T0, and moves the clock well past settling. */
    private void edit(String yaml, int second) throws IOException {
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(T0.plusSeconds(second)));
        clock.set(T0.plusSeconds(second).plus(TriageRulesReloader.SETTLE).plusSeconds(1));
    }

    private static String queueForAccounts(TriageRulesReloader reloader) {
        return queueFor(reloader.current());
    }

    private static String queueFor(TriageRules rules) {
        return rules.classify(TriageFixtures.mail().mailbox("accounts").build()).queue();
    }

    private List<String> logLines() {
        return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
}

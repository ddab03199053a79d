package io.mailroute.console.mailboxes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.access.Role;
import io.mailroute.config.MailboxSettings;
import io.mailroute.connection.MailboxConnection;
import io.mailroute.connection.TokenStore;
import io.mailroute.gmail.GmailErrorCounts;
import io.mailroute.gmail.MailboxQuotas;
import io.mailroute.gmail.MailboxState;
import io.mailroute.gmail.MailboxStatus;
import io.mailroute.testing.TestMailboxes;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MailboxRowsTest {

    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private static final MailboxSettings HR = TestMailboxes.sandbox("hr", "hr@acme.example", "in:inbox", 100, 250);
    private static final MailboxQuotas.Usage QUOTA = new MailboxQuotas.Usage(250, 3000);

    @ParameterizedTest
    @CsvSource({
            "ACTIVE, Active, state-ok",
            "STARTING, Starting, state-warn",
            "BACKING_OFF, Backing off, state-warn",
            "FAILING, Failing, state-bad",
            "NOT_CONNECTED, Not connected, state-bad",
            "REVOKED, Not connected, state-bad",
            "PAUSED, Paused, state-off"})
    void eachStateIsSaidInWordsAndColour(MailboxState state, String word, String colour) {
        MailboxRow row = row(status(state), null, MailboxConnection.Source.STORE, Role.VIEWER);
        assertEquals(word, row.stateWord());
        assertEquals(colour, row.stateClass());
        assertEquals(state == MailboxState.ACTIVE, row.stateNote() == null, row.stateNote());
    }

    @Test
    void agesOfTheLastGoodPollCursorAndTokenAreRelativeToNow() {
        TokenStore.Summary token = new TokenStore.Summary("hr", "https://www.googleapis.com/auth/gmail.modify", 3,
                NOW.minus(Duration.ofDays(3)), NOW.minus(Duration.ofMinutes(10)));
        MailboxRow row = row(status(MailboxState.ACTIVE), token, MailboxConnection.Source.STORE, Role.VIEWER);
        assertEquals("42 s ago", row.lastGoodPoll());
        assertEquals(NOW.minusSeconds(42).toString(), row.lastGoodPollAt());
        assertEquals("981", row.cursor());
        assertEquals("3 h ago", row.cursorAge());
        assertEquals("stored here (encrypted)", row.grant());
        assertEquals("connected 3 days ago, last used 10 min ago", row.tokenAge());
        assertEquals("3000 units in the last minute (20% of 250 units/s); rate-limited 2 times since the service started",
                row.quota());
    }

    @Test
    void aMailboxNeverPolledAndWithoutAStoredGrantSaysSo() {
        MailboxStatus fresh = new MailboxStatus("hr", "hr@acme.example", MailboxState.NOT_CONNECTED, null, null, null, null,
                "no OAuth grant", 0, null);
        MailboxRow row = row(fresh, null, MailboxConnection.Source.NONE, Role.ADMIN);
        assertEquals("never", row.lastGoodPoll());
        assertNull(row.lastGoodPollAt());
        assertEquals("none yet", row.cursor());
        assertNull(row.tokenAge());
        assertEquals("none", row.grant());
        assertEquals("Sign in with Google", row.connectLabel(), "nothing to re-authorize");
        assertFalse(row.canRevoke(), "nothing to revoke");
        assertEquals("no OAuth grant", row.lastError());
    }

    @ParameterizedTest
    @CsvSource({
            "VIEWER, ACTIVE, false, false, false, false",
            "OPERATOR, ACTIVE, false, false, true, false",
            "OPERATOR, PAUSED, false, false, false, true",
            "ADMIN, ACTIVE, true, true, true, false",
            "ADMIN, PAUSED, true, true, false, true"})
    void buttonsFollowTheRole(Role viewer, MailboxState state, boolean connect, boolean revoke, boolean pause, boolean resume) {
        MailboxRow row = row(status(state), null, MailboxConnection.Source.ENVIRONMENT, viewer);
        assertEquals(connect, row.canConnect());
        assertEquals(revoke, row.canRevoke());
        assertEquals(pause, row.canPause());
        assertEquals(resume, row.canResume());
        assertEquals("Re-authorize", row.connectLabel());
    }

    @Test
    void aMailboxNoLongerConfiguredIsShownButNotActedOn() {
        MailboxRow row = MailboxRows.of(status(MailboxState.ACTIVE), null, null, MailboxConnection.Source.NONE, QUOTA,
                Role.ADMIN, NOW);
        assertEquals("not configured", row.role());
        assertFalse(row.canConnect() || row.canRevoke() || row.canPause() || row.canResume());
    }

    @Test
    void aSendOnlyMailboxIsNotPolled() {
        MailboxSettings sendOnly = new MailboxSettings("alerts", "alerts@acme.example", HR.credentials(), HR.gmailRootUrl(),
                HR.tokenUrl(), HR.authUrl(), HR.revokeUrl(), MailboxSettings.Role.SEND_ONLY, HR.owners(), null, 0,
                HR.pollInterval(), 250, HR.excludeLabels(), null);
        MailboxRow row = MailboxRows.of(status(MailboxState.ACTIVE), sendOnly, null, MailboxConnection.Source.STORE, QUOTA,
                Role.VIEWER, NOW);
        assertEquals("not polled (send-only)", row.lastGoodPoll());
        assertEquals("send-only", row.role());
    }

    @Test
    void agesInWords() {
        assertEquals("just now", Ages.ago(NOW.plusSeconds(3), NOW), "a clock a little ahead");
        assertEquals("just now", Ages.ago(NOW.minusSeconds(4), NOW));
        assertEquals("119 s ago", Ages.ago(NOW.minusSeconds(119), NOW));
        assertEquals("2 min ago", Ages.ago(NOW.minusSeconds(120), NOW));
        assertEquals("47 h ago", Ages.ago(NOW.minus(Duration.ofHours(47)), NOW));
        assertEquals("2 days ago", Ages.ago(NOW.minus(Duration.ofHours(48)), NOW));
        assertTrue(Ages.ago(null, NOW).equals("never"));
    }

    private static MailboxStatus status(MailboxState state) {
        return new MailboxStatus("hr", "hr@acme.example", state, "981", NOW.minus(Duration.ofHours(3)), NOW.minusSeconds(1),
                NOW.minusSeconds(42), null, state == MailboxState.FAILING ? 4 : 0, null, new GmailErrorCounts.Tally(2, 1, 5));
    }

    private static MailboxRow row(MailboxStatus status, TokenStore.Summary token, MailboxConnection.Source source, Role viewer) {
        return MailboxRows.of(status, HR, token, source, QUOTA, viewer, NOW);
    }
}

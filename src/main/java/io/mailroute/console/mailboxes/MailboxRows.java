package io.mailroute.console.mailboxes;

import io.mailroute.access.Role;
import io.mailroute.config.MailboxSettings;
import io.mailroute.connection.MailboxConnection;
import io.mailroute.connection.TokenStore;
import io.mailroute.gmail.MailboxQuotas;
import io.mailroute.gmail.MailboxState;
import io.mailroute.gmail.MailboxStatus;
import java.time.Instant;

/**
 * What the Mailboxes page says of one mailbox, from what {@code GET /api/mailboxes} and {@code status} report
 * ({@link MailboxStatus}, the stored grant's {@link TokenStore.Summary}, where the grant in use came from) and its quota
 * use, and which buttons the viewer's role gets: connect and revoke for an admin, pause and resume for an operator.
 */
final class MailboxRows {

    private MailboxRows() {
    }

    /**
     * @param settings the mailbox as configured, or null for one no longer in mailboxes.yaml (shown, never acted on)
     * @param token    its stored grant, or null when none is stored
     * @param source   where the grant in use came from
     */
    static MailboxRow of(MailboxStatus status, MailboxSettings settings, TokenStore.Summary token,
            MailboxConnection.Source source, MailboxQuotas.Usage quota, Role viewer, Instant now) {
        boolean configured = settings != null;
        boolean monitored = configured && settings.isMonitored();
        MailboxState state = status.state();
        boolean hasGrant = source != MailboxConnection.Source.NONE;
        boolean admin = configured && viewer.includes(Role.ADMIN);
        boolean operator = configured && viewer.includes(Role.OPERATOR);
        return new MailboxRow(status.id(), status.address(), configured ? settings.role().configName() : "not configured",
                word(state), colour(state), note(state, status), monitored ? Ages.ago(status.lastSuccessAt(), now) : "not polled (send-only)",
                status.lastSuccessAt() == null ? null : status.lastSuccessAt().toString(),
                status.historyId() == null ? "none yet" : status.historyId(),
                status.cursorAt() == null ? null : Ages.ago(status.cursorAt(), now),
                grant(source), token == null ? null : "connected " + Ages.ago(token.connectedAt(), now) + ", last used "
                        + Ages.ago(token.refreshedAt(), now),
                quota(quota, status), status.lastError(),
                admin, hasGrant ? "Re-authorize" : "Sign in with Google",
                admin && (hasGrant || token != null), operator && state != MailboxState.PAUSED,
                operator && state == MailboxState.PAUSED);
    }

    static String word(MailboxState state) {
        return switch (state) {
            case STARTING -> "Starting";
            case ACTIVE -> "Active";
            case BACKING_OFF -> "Backing off";
            case FAILING -> "Failing";
            case NOT_CONNECTED, REVOKED -> "Not connected";
            case PAUSED -> "Paused";
        };
    }

    static String colour(MailboxState state) {
        return switch (state) {
            case ACTIVE -> "state-ok";
            case STARTING, BACKING_OFF -> "state-warn";
            case FAILING, NOT_CONNECTED, REVOKED -> "state-bad";
            case PAUSED -> "state-off";
        };
    }

    private static String note(MailboxState state, MailboxStatus status) {
        return switch (state) {
            case STARTING -> "Not polled yet since the service started.";
            case ACTIVE -> null;
            case BACKING_OFF -> "Gmail answered with an error that passes (rate limit, server error, network); polling again"
                    + (status.nextAttemptAt() == null ? " soon." : " at " + status.nextAttemptAt() + ".");
            case FAILING -> status.consecutiveFailures() + " polls in a row failed: somebody should look at the error below.";
            case NOT_CONNECTED -> "Google refused its grant (revoked or expired). Its mail is not read until it is "
                    + "re-authorized; nothing is lost, intake resumes where it stopped.";
            case REVOKED -> "Its access was revoked here; connect it again to read and send its mail.";
            case PAUSED -> "Paused by an operator: not polled, its cursor kept, until resumed.";
        };
    }

    private static String grant(MailboxConnection.Source source) {
        return switch (source) {
            case STORE -> "stored here (encrypted)";
            case ENVIRONMENT -> "from the environment";
            case SANDBOX -> "the sandbox's demo grant";
            case NONE -> "none";
        };
    }

    private static String quota(MailboxQuotas.Usage usage, MailboxStatus status) {
        String spent = usage.unitsLastMinute() + " units in the last minute (" + usage.percentOfBudget() + "% of "
                + usage.unitsPerSecond() + " units/s)";
        long limited = status.gmailErrors().rateLimited();
        return limited == 0 ? spent : spent + "; rate-limited " + limited + (limited == 1 ? " time" : " times")
                + " since the service started";
    }
}

package io.mailroute.console.mailboxes;

/**
 * One mailbox as the Mailboxes page shows it: every value a string or a flag, ready for the template (which escapes
 * each). Built by {@link MailboxRows}.
 *
 * @param stateWord    the state in words: Active, Not connected, Paused, Backing off, Failing, Starting
 * @param stateClass   its colour on the page (CSS class {@code state-ok|warn|bad|off})
 * @param stateNote    one sentence on what the state means and what to do, or null
 * @param connectLabel the connect button's words: "Sign in with Google" without a grant, else "Re-authorize"
 */
public record MailboxRow(String id, String address, String role, String stateWord, String stateClass, String stateNote,
        String lastGoodPoll, String lastGoodPollAt, String cursor, String cursorAge, String grant, String tokenAge,
        String quota, String lastError, boolean canConnect, String connectLabel, boolean canRevoke, boolean canPause,
        boolean canResume) {
}

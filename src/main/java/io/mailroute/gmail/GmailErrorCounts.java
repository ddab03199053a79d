package io.mailroute.gmail;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per mailbox, since the service started: how many of intake's Gmail calls were answered with a rate
 * limit or a transient error, and how many of those were tried again in place. A poll that recovers by
 * retrying leaves no other trace, so this is where operations see how hard Gmail is pushing back.
 */
public final class GmailErrorCounts {

    /** One mailbox's counts. */
    public record Tally(long rateLimited, long transientErrors, long retried) {
        public static final Tally NONE = new Tally(0, 0, 0);
    }

    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

    /** A call was answered with a rate limit or a transient error (other failures are not counted here). */
    public void failed(String mailboxId, GmailFailure failure) {
        if (failure.isRetryable()) {
            boolean rateLimited = failure.kind() == GmailFailure.Kind.RATE_LIMITED;
            add(mailboxId, new Tally(rateLimited ? 1 : 0, rateLimited ? 0 : 1, 0));
        }
    }

    /** A failed call is being tried again, in place. */
    public void retried(String mailboxId) {
        add(mailboxId, new Tally(0, 0, 1));
    }

    private void add(String mailboxId, Tally more) {
        tallies.merge(mailboxId, more, (a, b) -> new Tally(a.rateLimited() + b.rateLimited(),
                a.transientErrors() + b.transientErrors(), a.retried() + b.retried()));
    }

    public Tally of(String mailboxId) {
        return tallies.getOrDefault(mailboxId, Tally.NONE);
    }
}

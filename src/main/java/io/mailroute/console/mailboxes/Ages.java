package io.mailroute.console.mailboxes;

import java.time.Duration;
import java.time.Instant;

/** How long ago something was, in the words a page shows ("just now", "42 s ago", "3 h ago", "2 days ago"). */
final class Ages {

    private Ages() {
    }

    /** @return the age of {@code then} at {@code now}; "never" for null */
    static String ago(Instant then, Instant now) {
        if (then == null) {
            return "never";
        }
        long seconds = Duration.between(then, now).getSeconds();
        if (seconds < 5) {
            return "just now"; // and a clock a little ahead of ours
        }
        if (seconds < 120) {
            return seconds + " s ago";
        }
        if (seconds < 2 * 3600) {
            return seconds / 60 + " min ago";
        }
        if (seconds < 2 * 86400) {
            return seconds / 3600 + " h ago";
        }
        return seconds / 86400 + " days ago";
    }
}

package io.mailroute.gmail;

/** Where a mailbox's intake stands, as shown by the API and the health check. */
public enum MailboxState {
    /** Configured, not polled yet. */
    STARTING,
    /** Last poll succeeded. */
    ACTIVE,
    /** A poll failed for a reason that passes (rate limit, 5xx, network); retrying with backoff. */
    BACKING_OFF,
    /** Several polls in a row failed: a person should look. */
    FAILING,
    /** Gmail refused the credentials (revoked or expired grant): needs re-connecting. */
    NOT_CONNECTED,
    /** We disconnected it ({@code disconnect}): tokens revoked and deleted; not polled until connected again. */
    REVOKED,
    /** An operator paused it: not polled, its cursor kept, until resumed. */
    PAUSED;

    public boolean isHealthy() {
        return this == STARTING || this == ACTIVE || this == BACKING_OFF;
    }

    /** Its OAuth grant is gone or set aside: intake does not run and mail cannot be sent from it. */
    public boolean isDisconnected() {
        return this == NOT_CONNECTED || this == REVOKED || this == PAUSED;
    }
}

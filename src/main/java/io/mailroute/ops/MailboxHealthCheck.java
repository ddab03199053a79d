package io.mailroute.ops;

import io.mailroute.gmail.MailboxStates;
import io.mailroute.gmail.MailboxStatus;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of one mailbox's intake: DOWN (naming the mailbox, its state and last error) when it
 * keeps failing or Gmail refused its credentials; a single backoff after a rate limit stays UP.
 */
public final class MailboxHealthCheck extends AbstractHealthCheck {

    private final String mailboxId;
    private final MailboxStates states;

    public MailboxHealthCheck(String mailboxId, MailboxStates states) {
        super("mailroute", "mailbox-" + mailboxId);
        this.mailboxId = mailboxId;
        this.states = states;
    }

    @Override
    public boolean isLiveness() {
        return false; // a broken mailbox is no reason to restart the service
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        MailboxStatus status = states.status(mailboxId);
        builder.detail("mailbox", mailboxId);
        if (status == null) {
            builder.message("mailbox " + mailboxId + " is not registered").down();
            return;
        }
        builder.detail("address", status.address())
                .detail("state", status.state().name())
                .detail("consecutiveFailures", status.consecutiveFailures());
        if (status.lastSuccessAt() != null) {
            builder.detail("lastSuccessAt", status.lastSuccessAt().toString());
        }
        if (status.state().isHealthy()) {
            builder.up();
        } else {
            builder.message("mailbox " + mailboxId + " (" + status.address() + ") is " + status.state()
                    + ": " + status.lastError()).down();
        }
    }
}

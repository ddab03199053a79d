package io.mailroute.testing;

import io.mailroute.config.MailboxSettings;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;

/** Mailbox settings for tests that build them without a mailboxes.yaml: a monitored sandbox mailbox. */
public final class TestMailboxes {

    private TestMailboxes() {
    }

    public static MailboxSettings sandbox(String id, String address, String bootstrapQuery, int bootstrapMax,
            int quotaUnitsPerSecond) {
        return new MailboxSettings(id, address, MailboxSettings.CredentialsRef.sandbox(), MailboxSettings.SANDBOX,
                MailboxSettings.SANDBOX, MailboxSettings.SANDBOX, MailboxSettings.SANDBOX, MailboxSettings.Role.MONITOR,
                List.of(), bootstrapQuery, bootstrapMax, Duration.ofSeconds(1), quotaUnitsPerSecond,
                new LinkedHashSet<>(MailboxSettings.DEFAULT_EXCLUDED_LABELS), null);
    }
}

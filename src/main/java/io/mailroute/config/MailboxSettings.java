package io.mailroute.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One monitored mailbox, as declared in {@code config/mailboxes.yaml}.
 *
 * @param id                  stable identifier: route ids, database rows and the API use it
 * @param address             the Gmail address
 * @param credentials         where the OAuth client and refresh token come from
 * @param gmailRootUrl        Gmail API root URL, or {@link #SANDBOX} for the built-in sandbox
 * @param tokenUrl            OAuth token URL, or {@link #SANDBOX}
 * @param bootstrapQuery      Gmail search used on first start and after an expired history cursor
 * @param bootstrapMaxMessages upper bound of messages fetched by one bootstrap or resync
 * @param pollInterval        delay between history polls
 * @param quotaUnitsPerSecond budget in Gmail quota units that this mailbox may spend per second
 * @param excludeLabels       messages carrying any of these labels are not ingested
 * @param processedLabel      opt-in label added to each ingested message, or null (never touch the mailbox)
 */
public record MailboxSettings(
        String id,
        String address,
        CredentialsRef credentials,
        String gmailRootUrl,
        String tokenUrl,
        String bootstrapQuery,
        int bootstrapMaxMessages,
        Duration pollInterval,
        int quotaUnitsPerSecond,
        Set<String> excludeLabels,
        String processedLabel) {

    public static final String SANDBOX = "sandbox";
    public static final String GOOGLE_ROOT_URL = "https://gmail.googleapis.com/";
    public static final String GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
    public static final List<String> DEFAULT_EXCLUDED_LABELS = List.of("DRAFT", "SENT", "SPAM", "TRASH");

    /** Name of this mailbox's own camel-google-mail component instance (one cached client each). */
    public String componentName() {
        return "gmail-" + id;
    }

    public boolean usesSandbox() {
        return SANDBOX.equals(gmailRootUrl);
    }

    /**
     * Where a mailbox's OAuth credentials come from. {@code sandbox}: asked of the built-in sandbox
     * (demo only). {@code env:PREFIX}: environment variables {@code PREFIX_CLIENT_ID},
     * {@code PREFIX_CLIENT_SECRET} and {@code PREFIX_REFRESH_TOKEN}.
     */
    public record CredentialsRef(String kind, String envPrefix) {
        public static CredentialsRef sandbox() {
            return new CredentialsRef(SANDBOX, null);
        }

        public static CredentialsRef env(String prefix) {
            return new CredentialsRef("env", prefix);
        }

        public boolean isSandbox() {
            return SANDBOX.equals(kind);
        }

        @Override
        public String toString() {
            return isSandbox() ? SANDBOX : "env:" + envPrefix;
        }
    }
}

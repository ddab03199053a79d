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
 * @param authUrl             OAuth authorization URL ({@code connect} opens it), or {@link #SANDBOX}
 * @param revokeUrl           OAuth revoke URL ({@code disconnect} calls it), or {@link #SANDBOX}
 * @param role                what Mailroute does with the mailbox, and so which OAuth scope it asks for
 * @param owners              recipient ids (config/channels.yaml) told when its connection breaks
 * @param bootstrapQuery      Gmail search used on first start and after an expired history cursor
 * @param bootstrapMaxMessages upper bound of messages fetched by one bootstrap or resync
 * @param pollInterval        delay between history polls
 * @param quotaUnitsPerSecond budget in Gmail quota units that this mailbox may spend per second
 * @param excludeLabels       messages carrying any of these labels are not ingested
 * @param processedLabel      opt-in label added to each ingested message, or null (never touch the mailbox)
 * @param push                how new mail is announced: only by polling, or by Gmail push through Pub/Sub
 * @param pushPollInterval    with push on, the safety-net poll's interval (instead of {@code pollInterval})
 */
public record MailboxSettings(
        String id,
        String address,
        CredentialsRef credentials,
        String gmailRootUrl,
        String tokenUrl,
        String authUrl,
        String revokeUrl,
        Role role,
        List<String> owners,
        String bootstrapQuery,
        int bootstrapMaxMessages,
        Duration pollInterval,
        int quotaUnitsPerSecond,
        Set<String> excludeLabels,
        String processedLabel,
        Push push,
        Duration pushPollInterval) {

    public static final String SANDBOX = "sandbox";
    public static final String GOOGLE_ROOT_URL = "https://gmail.googleapis.com/";
    public static final String GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
    public static final String GOOGLE_AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth";
    public static final String GOOGLE_REVOKE_URL = "https://oauth2.googleapis.com/revoke";
    /** Where a Gmail-compatible server (the sandbox) serves the OAuth endpoints, relative to its root. */
    public static final String AUTH_PATH = "o/oauth2/v2/auth";
    public static final String TOKEN_PATH = "token";
    public static final String REVOKE_PATH = "revoke";
    public static final List<String> DEFAULT_EXCLUDED_LABELS = List.of("DRAFT", "SENT", "SPAM", "TRASH");
    public static final Duration DEFAULT_PUSH_POLL_INTERVAL = Duration.ofMinutes(10);

    /** A mailbox without push: found by polling every {@code pollInterval}. */
    public MailboxSettings(String id, String address, CredentialsRef credentials, String gmailRootUrl, String tokenUrl,
            String authUrl, String revokeUrl, Role role, List<String> owners, String bootstrapQuery, int bootstrapMaxMessages,
            Duration pollInterval, int quotaUnitsPerSecond, Set<String> excludeLabels, String processedLabel) {
        this(id, address, credentials, gmailRootUrl, tokenUrl, authUrl, revokeUrl, role, owners, bootstrapQuery,
                bootstrapMaxMessages, pollInterval, quotaUnitsPerSecond, excludeLabels, processedLabel, Push.NONE,
                DEFAULT_PUSH_POLL_INTERVAL);
    }

    /** Whether Gmail push notifications (users.watch through Pub/Sub) trigger its polls. */
    public boolean usesPush() {
        return push == Push.PUBSUB && isMonitored();
    }

    /** The interval of its intake's scheduled polls: the safety net's when push is on. */
    public Duration intakePollInterval() {
        return usesPush() ? pushPollInterval : pollInterval;
    }

    /** {@code push:} in mailboxes.yaml. */
    public enum Push {
        NONE("none"), PUBSUB("pubsub");

        private final String configName;

        Push(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public static Push parse(String value) {
            for (Push push : values()) {
                if (push.configName.equals(value)) {
                    return push;
                }
            }
            return null;
        }
    }

    /** Name of this mailbox's own camel-google-mail component instance (one cached client each). */
    public String componentName() {
        return "gmail-" + id;
    }

    public boolean usesSandbox() {
        return SANDBOX.equals(gmailRootUrl);
    }

    /** Whether its mail is read (an intake route polls it) or it only sends. */
    public boolean isMonitored() {
        return role == Role.MONITOR;
    }

    /**
     * What Mailroute does with a mailbox. Each asks Google for the least scope that does it.
     */
    public enum Role {
        /** Read, optionally label, and send: {@code gmail.modify}. */
        MONITOR("monitor", "https://www.googleapis.com/auth/gmail.modify"),
        /** Only send (alerts, reports, the fallback sender): {@code gmail.send}. */
        SEND_ONLY("send-only", "https://www.googleapis.com/auth/gmail.send");

        private final String configName;
        private final String scope;

        Role(String configName, String scope) {
            this.configName = configName;
            this.scope = scope;
        }

        public String configName() {
            return configName;
        }

        public String scope() {
            return scope;
        }

        public static Role parse(String value) {
            for (Role role : values()) {
                if (role.configName.equals(value)) {
                    return role;
                }
            }
            return null;
        }
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

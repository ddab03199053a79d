package io.mailroute.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The {@code pubsub:} section of {@code config/mailboxes.yaml}: where the Gmail push notifications of the mailboxes
 * with {@code push: pubsub} go (topic) and are read from: a pull subscription (with which credentials), and/or a push
 * subscription POSTing to {@code /gmail/push} ({@link Endpoint}).
 *
 * @param topic          {@code projects/P/topics/T}, named in each mailbox's {@code users.watch}
 * @param subscription   {@code projects/P/subscriptions/S}, the pull subscription the service consumes; null when only
 *                       the push endpoint is used
 * @param credentials    {@code sandbox}, or the name of an environment variable holding a service-account JSON key;
 *                       null when only the push endpoint is used
 * @param url            Pub/Sub REST root ({@value #GOOGLE_URL}), or {@link MailboxSettings#SANDBOX}
 * @param labelIds       the watch's label filter (only changes touching these labels are notified)
 * @param renewInterval  how often a watch is renewed (Gmail: a watch lapses after 7 days)
 * @param renewMargin    a watch that lapses within this is renewed at once
 * @param syncTimeout    how long a notification waits for its mailbox's sync before it is given back for redelivery
 * @param endpoint       the push endpoint's token checks, or null when Pub/Sub does not push to this service
 */
public record PubSubSettings(
        String topic,
        String subscription,
        String credentials,
        String url,
        List<String> labelIds,
        Duration renewInterval,
        Duration renewMargin,
        Duration syncTimeout,
        Endpoint endpoint) {

    /** Pub/Sub's longest ack deadline. */
    static final Duration MAX_ACK_DEADLINE = Duration.ofSeconds(600);
    /** Added to {@code syncTimeout} for a pulled notification's ack deadline: time to acknowledge it once synced. */
    static final Duration ACK_MARGIN = Duration.ofSeconds(10);
    /** The longest {@code syncTimeout}: its ack deadline must stay within Pub/Sub's longest. */
    public static final Duration MAX_SYNC_TIMEOUT = MAX_ACK_DEADLINE.minus(ACK_MARGIN);

    /**
     * The ack deadline a pulled notification is extended to while its sync runs: {@code syncTimeout} plus
     * {@link #ACK_MARGIN}, so that it is acknowledged before Pub/Sub gives it to another pull; never past Pub/Sub's
     * longest.
     */
    public static int ackDeadlineSeconds(Duration syncTimeout) {
        return (int) Math.min(MAX_ACK_DEADLINE.toSeconds(), syncTimeout.plus(ACK_MARGIN).toSeconds());
    }

    /**
     * {@code pubsub.endpoint:}: Pub/Sub's push subscription POSTs to {@code /gmail/push} with an OIDC ID token, accepted
     * when signed by a key of {@code jwksUrl}, issued by one of {@code issuers}, for {@code audience}, to
     * {@code serviceAccount}.
     *
     * @param audience       the subscription's {@code oidcToken.audience} (by default its push endpoint URL)
     * @param serviceAccount the subscription's {@code oidcToken.serviceAccountEmail}: whose tokens are accepted
     * @param issuers        acceptable {@code iss} values (Google's by default)
     * @param jwksUrl        the issuers' signing keys ({@value #GOOGLE_JWKS_URL} by default)
     * @param maxWaiting     pushes waiting for their sync at once; more are answered 429 (Pub/Sub pushes them again)
     */
    public record Endpoint(String audience, String serviceAccount, Set<String> issuers, String jwksUrl, int maxWaiting) {

        public static final String GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
        public static final int DEFAULT_MAX_WAITING = 8;
    }

    public static final String GOOGLE_URL = "https://pubsub.googleapis.com/";
    public static final String ENV_PREFIX = "env:";

    /** Whether the service pulls notifications from {@link #subscription} (it may only be pushed to). */
    public boolean pulls() {
        return subscription != null;
    }

    public boolean usesSandboxCredentials() {
        return MailboxSettings.SANDBOX.equals(credentials);
    }

    public boolean usesSandboxUrl() {
        return MailboxSettings.SANDBOX.equals(url);
    }

    /** The environment variable with the service-account key, or null for the sandbox's. */
    public String credentialsVariable() {
        return credentials != null && credentials.startsWith(ENV_PREFIX) ? credentials.substring(ENV_PREFIX.length()) : null;
    }
}

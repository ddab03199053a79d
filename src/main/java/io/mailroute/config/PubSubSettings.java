package io.mailroute.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code pubsub:} section of {@code config/mailboxes.yaml}: where the Gmail push notifications of the mailboxes
 * with {@code push: pubsub} go (topic) and are read from (a pull subscription), with which credentials.
 *
 * @param topic          {@code projects/P/topics/T}, named in each mailbox's {@code users.watch}
 * @param subscription   {@code projects/P/subscriptions/S}, the pull subscription the service consumes
 * @param credentials    {@code sandbox}, or the name of an environment variable holding a service-account JSON key
 * @param url            Pub/Sub REST root ({@value #GOOGLE_URL}), or {@link MailboxSettings#SANDBOX}
 * @param labelIds       the watch's label filter (only changes touching these labels are notified)
 * @param renewInterval  how often a watch is renewed (Gmail: a watch lapses after 7 days)
 * @param renewMargin    a watch that lapses within this is renewed at once
 * @param syncTimeout    how long a notification waits for its mailbox's sync before it is given back for redelivery
 */
public record PubSubSettings(
        String topic,
        String subscription,
        String credentials,
        String url,
        List<String> labelIds,
        Duration renewInterval,
        Duration renewMargin,
        Duration syncTimeout) {

    public static final String GOOGLE_URL = "https://pubsub.googleapis.com/";
    public static final String ENV_PREFIX = "env:";

    public boolean usesSandboxCredentials() {
        return MailboxSettings.SANDBOX.equals(credentials);
    }

    public boolean usesSandboxUrl() {
        return MailboxSettings.SANDBOX.equals(url);
    }

    /** The environment variable with the service-account key, or null for the sandbox's. */
    public String credentialsVariable() {
        return credentials.startsWith(ENV_PREFIX) ? credentials.substring(ENV_PREFIX.length()) : null;
    }
}

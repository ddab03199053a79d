package io.mailroute.sandbox;

import java.util.Map;

/** A snapshot of what the sandbox has served, per user address. */
public record SandboxStats(Map<String, UserStats> users) {

    /**
     * @param quotaUnitsUsed    Gmail quota units charged for admitted requests
     * @param requestsByMethod  requests per Gmail method name (e.g. {@code messages.get}), admitted or not
     * @param rateLimited       number of 429 answers sent to this user
     * @param messageCount      messages currently stored in the mailbox
     * @param historyId         the mailbox's current history id
     */
    public record UserStats(long quotaUnitsUsed, Map<String, Long> requestsByMethod, long rateLimited,
            int messageCount, long historyId) {
    }

    public UserStats user(String address) {
        return users.get(address);
    }
}

package io.mailroute.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test and demo control of a running sandbox: users, mail, faults, quota, history expiry, token expiry and
 * revocation, token-endpoint counts and stats. Most methods are also reachable over HTTP under
 * {@code /sandbox/admin/} ({@link SandboxAdminHandler}).
 */
public final class SandboxAdmin {

    private final SandboxMailStore store;
    private final OAuthTokenStore tokens;
    private final QuotaMeter quota;
    private final FaultInjector faults;
    private final UsageCounters usage;
    private final PushInbox pushInbox = new PushInbox();
    private final CallLog calls;

    SandboxAdmin(SandboxMailStore store, OAuthTokenStore tokens, QuotaMeter quota, FaultInjector faults,
            UsageCounters usage, CallLog calls) {
        this.calls = calls;
        this.store = store;
        this.tokens = tokens;
        this.quota = quota;
        this.faults = faults;
        this.usage = usage;
    }

    /** Creates the mailbox (if new) and lets {@code refreshToken} act for it through the sandbox OAuth client. */
    public void addUser(String address, String refreshToken) {
        if (address == null || !address.contains("@")) {
            throw new IllegalArgumentException("address must be an e-mail address, was " + address);
        }
        if (refreshToken == null || refreshToken.isBlank()) {
            throw new IllegalArgumentException("refreshToken is required for " + address);
        }
        tokens.addRefreshToken(store.addUser(address).address(), refreshToken);
    }

    private final Map<String, PushReceiver> pushReceivers = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile PubSubSandbox pubSub;

    void attach(PubSubSandbox pubSub) {
        this.pubSub = pubSub;
    }

    /** Pub/Sub and Gmail's {@code users.watch}: topics, subscriptions, the fault switch, watch lifetime, stats. */
    public PubSubSandbox pubSub() {
        if (pubSub == null) {
            throw new IllegalStateException("this sandbox admin has no Pub/Sub attached");
        }
        return pubSub;
    }

    void attach(PushReceiver receiver) {
        pushReceivers.put(receiver.path().replaceAll("^/push/|/$", ""), receiver);
    }

    /** The receiver playing a push provider: {@code webhook}, {@code fcm}, {@code webpush} or {@code appworks}. */
    public PushReceiver pushReceiver(String channel) {
        PushReceiver receiver = pushReceivers.get(channel);
        if (receiver == null) {
            throw new IllegalArgumentException("no push receiver '" + channel + "'; there are " + pushReceivers.keySet());
        }
        return receiver;
    }

    /** {@link #pushReceiver(String)}, typed. */
    public <R extends PushReceiver> R pushReceiver(String channel, Class<R> type) {
        return type.cast(pushReceiver(channel));
    }

    /**
     * Makes a push provider fail: the next {@code count} pushes to channel {@code webhook}, {@code fcm}
     * or {@code appworks} answer {@code status} (with Retry-After when given). For Web Push, throttle a
     * subscription through its receiver.
     */
    public void failPushes(String channel, int status, int count, java.time.Duration retryAfter) {
        PushReceiver receiver = pushReceivers.get(channel);
        if (receiver instanceof WebhookReceiver webhook) {
            webhook.failNext(status, count, retryAfter);
        } else if (receiver instanceof FcmReceiver fcm) {
            fcm.failNext(status, count, retryAfter);
        } else if (receiver instanceof AppWorksReceiver appworks) {
            appworks.failNext(status, count, retryAfter);
        } else {
            throw new IllegalArgumentException("no push receiver '" + channel + "' that can fail on demand; use webhook, fcm or appworks");
        }
    }

    /** What the sandbox's push receivers got (webhook, FCM, Web Push, AppWorks). */
    public PushInbox pushInbox() {
        return pushInbox;
    }

    public List<String> users() {
        return store.mailboxes().stream().map(SandboxMailbox::address).sorted().toList();
    }

    /** The OAuth client and live refresh token for a user, so demo mode needs no secrets in config. */
    public SandboxCredentials credentials(String address) {
        return tokens.credentials(store.requireMailbox(address).address())
                .orElseThrow(() -> new IllegalArgumentException("No live refresh token for " + address));
    }

    /** Stores mail as {@code messages.insert} does (Authentication-Results, threading, history); returns its id. */
    public String insert(String address, byte[] rfc822, List<String> labelIds) {
        SandboxMailbox mailbox = store.requireMailbox(address);
        try {
            return store.receive(mailbox, rfc822, labelIds == null ? List.of() : labelIds, null,
                    SandboxMailStore.InternalDateSource.RECEIVED_TIME).id();
        } catch (GmailApiException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** @param errorStatus the status injected errors answer (500 backendError, 503, 429, 403 rate limit …) */
    public void setFaults(double errorRate, int errorStatus, int latencyMillis) {
        faults.setFaults(errorRate, errorStatus, latencyMillis);
    }

    /** The next {@code requests} Gmail API requests answer 429 with {@code Retry-After}: a deterministic storm. */
    public void rateLimitNext(int requests, int retryAfterSeconds) {
        faults.rateLimitNext(requests, retryAfterSeconds);
    }

    /** Per-user quota units per rolling second; 0 = unlimited. */
    public void setQuota(int unitsPerSecond) {
        quota.setUnitsPerSecond(unitsPerSecond);
    }

    /** Every startHistoryId up to the current one becomes too old: history.list answers 404. */
    public void expireHistory(String address) {
        store.requireMailbox(address).expireHistory();
    }

    /** Revokes the user's refresh tokens and their access tokens; refreshing then fails with invalid_grant. */
    public void revokeRefreshToken(String address) {
        tokens.revokeUser(store.requireMailbox(address).address());
    }

    /**
     * Every access token of the user stops working, as if it had expired: the next Gmail call answers 401 and the
     * Google client refreshes. Refresh tokens stay valid.
     */
    public void expireAccessTokens(String address) {
        tokens.expireAccessTokens(store.requireMailbox(address).address());
    }

    /** How many of the user's refresh grants still work (0 once every grant is revoked). */
    public int liveGrants(String address) {
        return tokens.liveGrants(store.requireMailbox(address).address());
    }

    /** The sandbox's OAuth client (id and secret, no refresh token): what an app connecting users registers as. */
    public SandboxCredentials client() {
        return tokens.primaryClient();
    }

    /** How many tokens the token endpoint has issued for the user, by grant type: did the client refresh? */
    public TokenRequests tokenRequests(String address) {
        return tokens.tokenRequests(store.requireMailbox(address).address());
    }

    /** The scopes a refresh token was granted, whether or not it has since been revoked. */
    public Set<GmailScope> grantedScopes(String refreshToken) {
        return tokens.grantedScopes(refreshToken)
                .orElseThrow(() -> new IllegalArgumentException("No such refresh token in this sandbox"));
    }

    /** Starts (or stops) recording each Gmail API call: mailbox, method, caller, start and end ({@link #calls()}). */
    public void recordCalls(boolean on) {
        calls.record(on);
    }

    /** The Gmail API calls recorded since {@link #recordCalls} turned recording on, in the order they ended. */
    public List<CallLog.Call> calls() {
        return calls.all();
    }

    public SandboxStats stats() {
        Map<String, SandboxStats.UserStats> users = new LinkedHashMap<>();
        store.mailboxes().stream().sorted((a, b) -> a.address().compareTo(b.address())).forEach(m ->
                users.put(m.address(), new SandboxStats.UserStats(
                        quota.unitsUsed(SandboxMailStore.key(m.address())),
                        usage.requests(m.address()),
                        usage.rateLimitedCount(m.address()),
                        m.messageCount(),
                        m.historyId())));
        return new SandboxStats(users);
    }
}

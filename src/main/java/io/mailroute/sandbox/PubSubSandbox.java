package io.mailroute.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Google Cloud Pub/Sub as the sandbox plays it for Gmail push: topics, pull (and push) subscriptions, the
 * notifications {@code users.watch} makes, and a fault switch that drops or delays them. The REST API is
 * {@link PubSubHandler} under {@code /v1/}; the bearer tokens come from the sandbox's service account
 * ({@link #serviceAccountJson}). State is in memory only: a restarted sandbox starts with the demo topic and
 * subscription again and no watches.
 */
public final class PubSubSandbox implements AutoCloseable {

    public static final String PROJECT_ID = SandboxServiceAccounts.PROJECT_ID;
    /** Created at start: where the demo's mailboxes' watches publish. */
    public static final String DEMO_TOPIC = "projects/" + PROJECT_ID + "/topics/gmail-push";
    /** Created at start: the pull subscription the service consumes. */
    public static final String DEMO_SUBSCRIPTION = "projects/" + PROJECT_ID + "/subscriptions/mailroute-intake";
    static final int DEMO_ACK_DEADLINE_SECONDS = 10;
    /** The scopes that allow the Pub/Sub API. */
    static final Set<String> SCOPES = Set.of("https://www.googleapis.com/auth/pubsub",
            SandboxServiceAccounts.CLOUD_PLATFORM);

    /** What {@code GET /sandbox/admin/pubsub/stats} answers. */
    public record Stats(long published, long dropped, long droppedUnknownTopic, long delivered, long acked,
            long redelivered, double dropRate, long delayMillis, long watchLifetimeSeconds,
            Map<String, UserCalls> calls, List<WatchStats> watches, Map<String, Integer> unacknowledged) {
    }

    /** How often a user called {@code users.watch} and {@code users.stop}. */
    public record UserCalls(int watch, int stop) {
    }

    public record WatchStats(String emailAddress, String topicName, List<String> labelIds, String labelFilterBehavior,
            long expiration, String expiresAt) {
    }

    private final Clock clock;
    private final SandboxServiceAccounts accounts;
    private final PubSubCounters counters = new PubSubCounters();
    private final Map<String, Set<String>> subscriptionsByTopic = new LinkedHashMap<>();
    private final Map<String, PubSubSubscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicLong messageIds = new AtomicLong(2_000_000_000_000_000L);
    private final ScheduledExecutorService publisher;
    private final GmailWatches watches;
    private volatile double dropRate;
    private volatile long delayMillis;
    private volatile long pullWaitMillis = PubSubHandler.PULL_WAIT_MILLIS;
    private final java.net.http.HttpClient pushHttp = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Signs push tokens: (service account email, audience, issued at) to a JWT. */
    interface IdTokenSigner {
        String sign(String serviceAccountEmail, String audience, Instant issuedAt);
    }

    private volatile IdTokenSigner idTokens = (email, audience, issuedAt) -> {
        throw new IllegalStateException("no OpenID provider attached to sign push tokens");
    };

    PubSubSandbox(Clock clock, SandboxServiceAccounts accounts) {
        this.clock = clock;
        this.accounts = accounts;
        this.watches = new GmailWatches(clock, this);
        this.publisher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sandbox-pubsub-publisher");
            t.setDaemon(true);
            return t;
        });
        createTopic(DEMO_TOPIC);
        createSubscription(DEMO_SUBSCRIPTION, DEMO_TOPIC, DEMO_ACK_DEADLINE_SECONDS, null);
    }

    /** The Pub/Sub of a running sandbox. */
    public static PubSubSandbox of(GmailSandbox sandbox) {
        return sandbox.admin().pubSub();
    }

    /**
     * The JSON key file of the sandbox's service account (the one FCM uses too), for
     * {@code ServiceAccountCredentials.fromStream}: its {@code token_uri} is the sandbox's token endpoint.
     */
    public String serviceAccountJson(String sandboxRootUrl) {
        return accounts.serviceAccountJson(sandboxRootUrl);
    }

    /** The REST API's root, what a Pub/Sub client takes as its root URL: {@code <sandbox root>v1/...}. */
    public static String baseUrl(String sandboxRootUrl) {
        return sandboxRootUrl + "v1/";
    }

    GmailWatches watches() {
        return watches;
    }

    boolean validAccessToken(String token) {
        return accounts.validAccessToken(token, SCOPES);
    }

    // ---- fault switch and knobs

    /**
     * Gmail notifications from now on: each dropped with probability {@code dropRate} (never published), the
     * others published after {@code delayMillis}. {@code (0, 0)} is normal.
     */
    public void setFaults(double dropRate, long delayMillis) {
        if (dropRate < 0 || dropRate > 1 || delayMillis < 0) {
            throw new IllegalArgumentException("dropRate must be within 0..1 and delayMillis >= 0, were " + dropRate
                    + " and " + delayMillis);
        }
        this.dropRate = dropRate;
        this.delayMillis = delayMillis;
    }

    /** How long {@code users.watch} makes a watch last from now on (Gmail: 7 days). */
    public void setWatchLifetime(Duration lifetime) {
        watches.setLifetime(lifetime);
    }

    /** Signs the ID tokens of push deliveries (with the sandbox's OpenID key). */
    void attachIdTokens(IdTokenSigner signer) {
        this.idTokens = signer;
    }

    /** An ID token as a push delivery carries it (signed by the sandbox's OpenID key), e.g. to test a verifier. */
    public String idToken(String serviceAccountEmail, String audience) {
        return idTokens.sign(serviceAccountEmail, audience, clock.instant());
    }

    /** A genuine push token issued {@code age} ago: past its hour, an expired one a verifier must refuse. */
    public String idToken(String serviceAccountEmail, String audience, Duration age) {
        return idTokens.sign(serviceAccountEmail, audience, clock.instant().minus(age));
    }

    /** How long a pull without {@code returnImmediately} is held open waiting for a message. */
    void setPullWait(Duration wait) {
        this.pullWaitMillis = wait.toMillis();
    }

    long pullWaitMillis() {
        return pullWaitMillis;
    }

    /** Waits until the notifications of changes made so far are published (or dropped); with no delay set. */
    void awaitNotificationsPublished() throws Exception {
        publisher.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    // ---- topics and subscriptions

    synchronized boolean createTopic(String topic) {
        if (subscriptionsByTopic.containsKey(topic)) {
            return false;
        }
        subscriptionsByTopic.put(topic, new LinkedHashSet<>());
        return true;
    }

    synchronized boolean topicExists(String topic) {
        return subscriptionsByTopic.containsKey(topic);
    }

    synchronized boolean deleteTopic(String topic) {
        Set<String> attached = subscriptionsByTopic.remove(topic);
        if (attached == null) {
            return false;
        }
        attached.stream().map(subscriptions::get).filter(s -> s != null).forEach(PubSubSubscription::detachFromTopic);
        return true;
    }

    /** @throws PubSubException 404 when the topic does not exist, 409 when the subscription does */
    synchronized PubSubSubscription createSubscription(String name, String topic, int ackDeadlineSeconds,
            PubSubSubscription.PushConfig pushConfig) {
        if (!subscriptionsByTopic.containsKey(topic)) {
            throw PubSubException.notFound(topic);
        }
        if (subscriptions.containsKey(name)) {
            throw PubSubException.alreadyExists("Subscription");
        }
        PubSubSubscription subscription = new PubSubSubscription(name, topic, ackDeadlineSeconds, pushConfig, clock,
                counters);
        subscriptions.put(name, subscription);
        subscriptionsByTopic.get(topic).add(name);
        if (pushConfig != null) {
            Thread pusher = new Thread(new PubSubPushDelivery(subscription, pushHttp,
                    (email, audience) -> idToken(email, audience)), "sandbox-pubsub-push-" + name.substring(
                    name.lastIndexOf('/') + 1));
            pusher.setDaemon(true);
            pusher.start();
        }
        return subscription;
    }

    Optional<PubSubSubscription> subscription(String name) {
        return Optional.ofNullable(subscriptions.get(name));
    }

    synchronized boolean deleteSubscription(String name) {
        PubSubSubscription subscription = subscriptions.remove(name);
        if (subscription == null) {
            return false;
        }
        Set<String> attached = subscriptionsByTopic.get(subscription.topic());
        if (attached != null) {
            attached.remove(name);
        }
        subscription.delete();
        return true;
    }

    // ---- publishing

    /** {@code topics.publish}: every message to every subscription of the topic; their ids. */
    List<String> publish(String topic, List<Map.Entry<String, Map<String, String>>> dataAndAttributes) {
        List<PubSubSubscription> targets;
        synchronized (this) {
            Set<String> attached = subscriptionsByTopic.get(topic);
            if (attached == null) {
                throw PubSubException.notFound(topic);
            }
            targets = attached.stream().map(subscriptions::get).filter(s -> s != null).toList();
        }
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> m : dataAndAttributes) {
            PubSubMessage message = new PubSubMessage(Long.toString(messageIds.incrementAndGet()), m.getKey(),
                    m.getValue(), Instant.now(clock));
            targets.forEach(s -> s.enqueue(message));
            counters.published.incrementAndGet();
            ids.add(message.messageId());
        }
        return ids;
    }

    /**
     * A Gmail notification, as Gmail publishes one per history record: never on the caller's thread (a mailbox
     * change must not wait for subscribers), dropped or delayed as the fault switch says.
     */
    void notifyGmailChange(String topic, String address, long historyId) {
        double drop = dropRate;
        if (drop > 0 && ThreadLocalRandom.current().nextDouble() < drop) {
            counters.dropped.incrementAndGet();
            return;
        }
        String json = HttpExchanges.JSON.createObjectNode().put("emailAddress", address).put("historyId", historyId)
                .toString();
        String data = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        Runnable publish = () -> {
            try {
                publish(topic, List.of(Map.entry(data, Map.of())));
            } catch (PubSubException e) {
                counters.droppedUnknownTopic.incrementAndGet();
            }
        };
        try {
            publisher.schedule(publish, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            counters.dropped.incrementAndGet(); // the sandbox is closing
        }
    }

    // ---- stats

    public Stats stats() {
        List<WatchStats> current = watches.watches().stream().map(w -> new WatchStats(w.address(), w.topicName(),
                w.labelIds(), w.include() ? "include" : "exclude", w.expiration().toEpochMilli(),
                w.expiration().toString())).toList();
        Map<String, Integer> unacknowledged = new java.util.TreeMap<>();
        subscriptions.forEach((name, s) -> unacknowledged.put(name, s.unacknowledged()));
        return new Stats(counters.published.get(), counters.dropped.get(), counters.droppedUnknownTopic.get(),
                counters.delivered.get(), counters.acked.get(), counters.redelivered.get(), dropRate, delayMillis,
                watches.lifetime().toSeconds(), watches.calls(), current, unacknowledged);
    }

    @Override
    public void close() {
        publisher.shutdownNow();
        subscriptions.values().forEach(PubSubSubscription::delete);
    }
}

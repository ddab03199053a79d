package io.mailroute.sandbox;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Gmail-API-compatible server for the demo and the end-to-end tests: the unmodified Google client
 * talks to it by setting the root URL to {@link #rootUrl()} and the token URL to {@link #tokenUrl()};
 * an app connects a user through {@link #authorizationUrl()} (authorization code with PKCE).
 * State is in memory, and with a state directory also kept there across restarts ({@link SandboxState}).
 */
public final class GmailSandbox implements AutoCloseable {

    private static final int THREADS = 16;

    private final HttpServer server;
    private final ExecutorService executor;
    private final SandboxAdmin admin;
    private final SandboxState state;

    private GmailSandbox(HttpServer server, ExecutorService executor, SandboxAdmin admin, SandboxState state) {
        this.server = server;
        this.executor = executor;
        this.admin = admin;
        this.state = state;
    }

    /** Starts serving; with {@code options.port() == 0} the port is ephemeral (see {@link #port()}). */
    public static GmailSandbox start(SandboxOptions options) throws IOException {
        Clock clock = Clock.systemUTC();
        SandboxMailStore store = new SandboxMailStore(clock, HistoryLog.DEFAULT_RETAINED);
        OAuthTokenStore tokens = new OAuthTokenStore(clock);
        QuotaMeter quota = new QuotaMeter(options.quotaUnitsPerSecond());
        FaultInjector faults = new FaultInjector(options.errorRate(), options.latencyMillis());
        UsageCounters usage = new UsageCounters();
        CallLog calls = new CallLog();
        SandboxAdmin admin = new SandboxAdmin(store, tokens, quota, faults, usage, calls);
        SandboxServiceAccounts serviceAccounts = new SandboxServiceAccounts(clock, union(FcmReceiver.SCOPES,
                PubSubSandbox.SCOPES));
        PubSubSandbox pubSub = new PubSubSandbox(clock, serviceAccounts);
        admin.attach(pubSub);
        store.onHistory(pubSub.watches());
        // before binding: fail without a port held
        SandboxState state = options.stateDir() == null ? null : new SandboxState(options.stateDir(), store, tokens);
        boolean restored = state != null && state.restore();
        if (options.seedDir() != null) {
            SandboxSeed seed = SandboxSeed.load(options.seedDir());
            if (restored) {
                seed.addNewUsersTo(admin, store);
            } else {
                seed.applyTo(tokens, admin, store);
            }
        }
        if (state != null) {
            state.saveIfChanged();
        }

        // Without TCP_NODELAY the JDK server's small responses wait ~40 ms for delayed ACKs; read once, at first use.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer server = AnsweringHttpServer.create(new InetSocketAddress(options.host(), options.port()));
        GmailApiHandler api = new GmailApiHandler(store, tokens, quota, faults, usage, calls, clock, pubSub.watches());
        String root = rootUrl(server);
        OpenIdProvider openId = new OpenIdProvider(root.substring(0, root.length() - 1), clock);
        OAuthHandler oauth = new OAuthHandler(tokens, openId);
        pubSub.attachIdTokens(openId::pushToken);
        List<HttpContext> changingState = List.of(
                server.createContext("/gmail/v1/users/", api),
                server.createContext("/upload/gmail/v1/users/", api),
                server.createContext("/token", oauth),
                server.createContext("/revoke", oauth),
                server.createContext("/sandbox/admin/", new SandboxAdminHandler(admin)));
        server.createContext(SandboxServiceAccounts.TOKEN_PATH, serviceAccounts);
        server.createContext(PubSubHandler.PATH, new PubSubHandler(pubSub));
        server.createContext(OAuthAuthorizationHandler.PATH, new OAuthAuthorizationHandler(tokens, store));
        server.createContext(OpenIdProvider.DISCOVERY_PATH, openId);
        server.createContext(OpenIdProvider.JWKS_PATH, openId);
        for (PushReceiver receiver : pushReceivers(admin.pushInbox(), clock, serviceAccounts)) {
            server.createContext(receiver.path(), receiver);
            admin.attach(receiver);
        }
        server.createContext("/", exchange -> HttpExchanges.sendError(exchange, GmailErrors.notFound()));
        if (state != null) {
            // once the answer is sent, what the request changed (mail, labels, a grant) is saved
            Filter save = Filter.afterHandler("saves the sandbox state", exchange -> state.saveIfChanged());
            changingState.forEach(context -> context.getFilters().add(save));
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "gmail-sandbox-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new GmailSandbox(server, executor, admin, state);
    }

    /** The push providers the sandbox plays; each checks its wire format and records into the inbox. */
    static java.util.List<PushReceiver> pushReceivers(PushInbox inbox, Clock clock, SandboxServiceAccounts accounts) {
        java.util.List<PushReceiver> receivers = new java.util.ArrayList<>();
        // one line per receiver, e.g. receivers.add(new WebPushReceiver(inbox, clock));
        receivers.add(new WebPushReceiver(inbox, clock));
        receivers.add(new FcmReceiver(inbox, clock, accounts));
        receivers.add(new AppWorksReceiver(inbox, clock));
        receivers.add(new WebhookReceiver(inbox, clock));
        return receivers;
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** What {@code Gmail.Builder.setRootUrl} takes. */
    public String rootUrl() {
        return rootUrl(server);
    }

    /**
     * Google's {@code https://accounts.google.com} for "Sign in with Google": the id_tokens' {@code iss}, with the
     * discovery document at {@code <issuer>/.well-known/openid-configuration}. The root URL without its slash.
     */
    public String openIdIssuer() {
        String root = rootUrl();
        return root.substring(0, root.length() - 1);
    }

    /** Google's {@code https://oauth2.googleapis.com/token}. */
    public String tokenUrl() {
        return rootUrl() + "token";
    }

    /** Google's {@code https://accounts.google.com/o/oauth2/v2/auth}: where an app sends the user to consent. */
    public String authorizationUrl() {
        return rootUrl() + OAuthAuthorizationHandler.PATH.substring(1);
    }

    /** Google's {@code https://oauth2.googleapis.com/revoke}. */
    public String revokeUrl() {
        return rootUrl() + "revoke";
    }

    public SandboxAdmin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.pubSub().close(); // first: wakes held pulls, so that the server stops at once
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (state != null) {
            state.saveIfChanged(); // what tests and the service changed in-process, not over HTTP
        }
    }

    private static String rootUrl(HttpServer server) {
        String host = server.getAddress().getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getAddress().getPort() + "/";
    }

    /** {@code [--port N] [--seed DIR] [--state DIR] [--quota UNITS] [--error-rate R] [--latency MS]}: serves until killed. */
    public static void main(String[] args) {
        SandboxOptions options = SandboxOptions.defaults();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> options = options.withPort(Integer.parseInt(args[++i]));
                    case "--seed" -> options = options.withSeedDir(Path.of(args[++i]));
                    case "--state" -> options = options.withStateDir(Path.of(args[++i]));
                    case "--quota" -> options = options.withQuota(Integer.parseInt(args[++i]));
                    case "--error-rate" -> options = options.withErrorRate(Double.parseDouble(args[++i]));
                    case "--latency" -> options = options.withLatencyMillis(Integer.parseInt(args[++i]));
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("Usage: sandbox [--port N] [--seed DIR] [--state DIR] [--quota UNITS_PER_SECOND]"
                    + " [--error-rate 0..1] [--latency MS]  (" + e.getMessage() + ")");
            System.exit(2);
            return;
        }
        GmailSandbox sandbox;
        try {
            sandbox = start(options);
        } catch (IOException e) {
            System.err.println("Gmail sandbox could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close, "gmail-sandbox-shutdown"));
        System.out.println("Gmail sandbox listening on " + sandbox.rootUrl());
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

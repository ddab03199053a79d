package io.mailroute.bench;

import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.SandboxOptions;
import io.mailroute.sandbox.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * The Gmail sandbox as the benchmark runs it: the same server as {@code java -jar target/mailroute.jar
 * sandbox}, in a process of its own (so its CPU and memory are never counted as Mailroute's), on an
 * ephemeral loopback port, with the webhook receiver's secret taken from {@code BENCH_WEBHOOK_SECRET}
 * so that the service's signed pushes are accepted (the jar's command keeps a random one).
 * Prints {@code listening on <root URL>} and serves until killed.
 */
public final class BenchSandbox {

    static final String SECRET_VARIABLE = "BENCH_WEBHOOK_SECRET";
    static final String READY = "listening on ";

    private BenchSandbox() {
    }

    public static void main(String[] args) throws Exception {
        int quota = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        GmailSandbox sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0).withQuota(quota));
        String secret = System.getenv(SECRET_VARIABLE);
        if (secret != null && !secret.isEmpty()) {
            WebhookReceiver.of(sandbox).setSecret(secret.getBytes(StandardCharsets.UTF_8));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close, "bench-sandbox-shutdown"));
        System.out.println(READY + sandbox.rootUrl());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}

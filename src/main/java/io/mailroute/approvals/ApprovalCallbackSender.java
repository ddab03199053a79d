package io.mailroute.approvals;

import io.mailroute.db.Database;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushSender;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.PushTargetRules;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.webhook.WebhookSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;

/**
 * The sender of a webhook channel with {@code url: $callback}: POSTs an approval event (decided, expired, cancelled),
 * as it is in the event log, to the callback URL the approval was created with (the delivery's address), signed like
 * every webhook: {@code X-Mailroute-Timestamp: <unix seconds>} and {@code X-Mailroute-Signature: sha256=<hex>} of
 * HMAC-SHA256(secret, timestamp + "." + body), checked with {@link WebhookSender#verify}; {@code X-Mailroute-Delivery}
 * stays the same across retries. Retries, backoff and the record are the delivery worker's, as for any webhook.
 */
public final class ApprovalCallbackSender implements PushSender {

    private static final String EVENT = "SELECT payload FROM workflow_event WHERE id = :id";

    private final byte[] secret;
    private final String missingSecret;
    private final Database db;
    private final HttpClient http;
    private final Clock clock;

    /**
     * @param secret        the HMAC key, at least 16 bytes, or null when none is configured
     * @param missingSecret what to do when there is none (said in each refused delivery's lastError)
     */
    public ApprovalCallbackSender(byte[] secret, String missingSecret, Database db, HttpClient http, Clock clock) {
        if (secret != null && secret.length < 16) {
            throw new IllegalArgumentException("the approval callback secret must be at least 16 bytes");
        }
        this.secret = secret == null ? null : secret.clone();
        this.missingSecret = missingSecret;
        this.db = db;
        this.http = http;
        this.clock = clock;
    }

    /**
     * The sender of a callback channel: its {@code secret: env:VARIABLE} read from the environment; without it every
     * callback fails, saying what to export.
     */
    public static ApprovalCallbackSender forChannel(io.mailroute.delivery.ChannelsConfig.Channel channel,
            java.util.function.Function<String, String> environment, Database db, HttpClient http, Clock clock) {
        String setting = channel.settings().getOrDefault("secret", "");
        String variable = setting.startsWith("env:") ? setting.substring(4) : null;
        String value = variable == null ? null : environment.apply(variable);
        String fix = variable == null ? "write secret: env:VARIABLE on channel " + channel.name() + " in channels.yaml"
                : "export " + variable + " (channel " + channel.name() + " in channels.yaml), at least 16 characters";
        return new ApprovalCallbackSender(value == null || value.length() < 16 ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                fix, db, http, clock);
    }

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public SendResult send(Notification notification, PushTarget target) throws InterruptedException {
        if (secret == null) {
            return SendResult.failed("approval callbacks are not signed: " + missingSecret);
        }
        // checked again now: the URL was checked when the approval was made, but a rule may have tightened since
        java.util.Optional<String> problem = PushTargetRules.publicUrlProblem(target.address(), "a callback URL", "name its host");
        if (problem.isPresent()) {
            return SendResult.failed("callback URL refused: " + problem.get());
        }
        String body = db.jdbc().queryForObject(EVENT, Map.of("id", notification.eventId()), String.class);
        return WebhookSender.post(http, URI.create(target.address()), secret, body, notification.deliveryId(), clock);
    }
}

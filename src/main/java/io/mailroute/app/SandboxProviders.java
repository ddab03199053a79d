package io.mailroute.app;

import io.mailroute.delivery.webpush.VapidKeys;
import io.mailroute.sandbox.AppWorksReceiver;
import io.mailroute.sandbox.FcmReceiver;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.WebhookReceiver;
import java.nio.charset.StandardCharsets;

/**
 * The demo's answers to {@code sandbox} settings in {@code channels.yaml}: the in-process sandbox
 * plays each push provider, so it knows the secrets and URLs that make a channel talk to it.
 */
final class SandboxProviders {

    private static final java.util.Map<GmailSandbox, String> WEBHOOK_SECRETS =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** The demo application server's VAPID key pair, made once per sandbox (browsers subscribe with its public half). */
    private static final java.util.Map<GmailSandbox, VapidKeys> VAPID =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private SandboxProviders() {
    }

    static String value(GmailSandbox sandbox, String channelType, String key) {
        String root = sandbox.rootUrl();
        return switch (channelType + "." + key) {
            case "webhook.secret" -> WEBHOOK_SECRETS.computeIfAbsent(sandbox, s -> {
                // a text secret, as an operator would export one, shared with the sandbox's receiver
                String text = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(WebhookReceiver.of(s).secret());
                WebhookReceiver.of(s).setSecret(text.getBytes(StandardCharsets.UTF_8));
                return text;
            });
            case "webhook.url" -> root + "push/webhook/demo";
            case "fcm.serviceAccount" -> FcmReceiver.of(sandbox).serviceAccountJson(root);
            case "fcm.baseUrl" -> FcmReceiver.baseUrl(root);
            case "pubsub.credentials" -> io.mailroute.sandbox.PubSubSandbox.of(sandbox).serviceAccountJson(root);
            case "webpush.vapidPublicKey" -> VAPID.computeIfAbsent(sandbox, x -> VapidKeys.generate()).publicKeyBase64Url();
            case "webpush.vapidPrivateKey" -> VAPID.computeIfAbsent(sandbox, x -> VapidKeys.generate()).privateKeyBase64Url();
            case "appworks.trustedServerKey" -> AppWorksReceiver.of(sandbox).trustedServerKey();
            case "appworks.gatewayUrl" -> AppWorksReceiver.gatewayUrl(root);
            default -> throw new IllegalArgumentException("the sandbox has no value for " + channelType + " setting '" + key
                    + "'; give it in config/channels.yaml");
        };
    }
}

package io.mailroute.delivery;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.Durations;
import io.mailroute.delivery.appworks.AppWorksSender;
import io.mailroute.delivery.fcm.FcmSender;
import io.mailroute.delivery.fcm.ServiceAccount;
import io.mailroute.delivery.webhook.WebhookSender;
import io.mailroute.delivery.webpush.VapidKeys;
import io.mailroute.delivery.webpush.WebPushSender;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds one {@link PushSender} per push channel of {@code channels.yaml}. Secret settings are
 * {@code env:VARIABLE} (read from the environment) or, for the demo, {@code sandbox} (asked of
 * the in-process sandbox, which plays every provider).
 */
public final class PushSenders {

    /** What the in-process sandbox provides for {@code sandbox} settings, by channel type and key. */
    public interface SandboxSecrets {
        String value(String channelType, String key);
    }

    private final String file;
    private final Function<String, String> environment;
    private final SandboxSecrets sandbox;

    private PushSenders(String file, Function<String, String> environment, SandboxSecrets sandbox) {
        this.file = file;
        this.environment = environment;
        this.sandbox = sandbox;
    }

    public static Map<String, PushSender> create(ChannelsConfig config, String file, Function<String, String> environment,
            SandboxSecrets sandbox, HttpClient http, Clock clock) {
        PushSenders builder = new PushSenders(file, environment, sandbox);
        Map<String, PushSender> senders = new LinkedHashMap<>();
        for (ChannelsConfig.Channel channel : config.channels().values()) {
            if (!channel.isEmail()) {
                senders.put(channel.name(), builder.sender(channel, http, clock));
            }
        }
        return senders;
    }

    private PushSender sender(ChannelsConfig.Channel c, HttpClient http, Clock clock) {
        try {
            return switch (c.type()) {
                case "webhook" -> new WebhookSender(url(c, "url", null), secret(c, "secret").getBytes(StandardCharsets.UTF_8),
                        http, clock);
                case "fcm" -> new FcmSender(ServiceAccount.fromJson(secret(c, "serviceAccount")),
                        url(c, "baseUrl", "https://fcm.googleapis.com/"), http, clock);
                case "webpush" -> new WebPushSender(VapidKeys.fromBase64Url(secret(c, "vapidPublicKey"), secret(c, "vapidPrivateKey")),
                        required(c, "subject"), http, clock, Durations.parse(setting(c, "ttl", "1d")));
                case "appworks" -> new AppWorksSender(url(c, "gatewayUrl", null), setting(c, "trustedServerName", "mailroute"),
                        secret(c, "trustedServerKey"), setting(c, "appName", "mailroute"), http);
                default -> throw problem(c, "type", "'" + c.type() + "' has no sender", null);
            };
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw problem(c, "", "cannot be set up: " + e.getMessage(), "check its settings");
        }
    }

    private String secret(ChannelsConfig.Channel c, String key) {
        String value = required(c, key);
        if (value.equals("sandbox")) {
            if (sandbox == null) {
                throw problem(c, key, "'sandbox' needs the built-in sandbox running in this process",
                        "use env:VARIABLE for a real provider");
            }
            return sandbox.value(c.type(), key);
        }
        if (value.startsWith("env:")) {
            String variable = value.substring(4);
            String secret = environment.apply(variable);
            if (secret == null || secret.isBlank()) {
                throw problem(c, key, "environment variable " + variable + " is not set", "export it before starting");
            }
            return secret;
        }
        return value; // public values such as a VAPID public key may be written inline
    }

    private String required(ChannelsConfig.Channel c, String key) {
        String value = c.settings().get(key);
        if (value == null || value.isBlank()) {
            throw problem(c, key, "is missing", null);
        }
        return value.trim();
    }

    private String setting(ChannelsConfig.Channel c, String key, String fallback) {
        String value = c.settings().get(key);
        if (value == null || value.isBlank()) {
            if (fallback == null) {
                throw problem(c, key, "is missing", null);
            }
            return fallback;
        }
        return value.equals("sandbox") && sandbox != null ? sandbox.value(c.type(), key) : value.trim();
    }

    private String url(ChannelsConfig.Channel c, String key, String fallback) {
        String url = setting(c, key, fallback);
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw problem(c, key, "'" + url + "' is not an http(s) URL", "write the provider's URL (or sandbox in the demo)");
        }
        return url;
    }

    private ConfigException problem(ChannelsConfig.Channel c, String key, String what, String fix) {
        return new ConfigException(new ConfigProblem(file, "channels." + c.name() + (key.isEmpty() ? "" : "." + key), what, fix));
    }

}

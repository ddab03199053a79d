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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds one {@link PushSender} per push channel of {@code channels.yaml}. Secret settings are
 * {@code env:VARIABLE} (read from the environment) or, for the demo, {@code sandbox} (asked of
 * the in-process sandbox, which plays every provider).
 */
public final class PushSenders {

    private static final String SANDBOX = "sandbox";

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
            if (!channel.isEmail() && !postsToCallback(channel)) {
                senders.put(channel.name(), builder.sender(channel, http, clock));
            }
        }
        return senders;
    }

    /**
     * What would stop each push channel from being set up, all of them, without sending anything. A setting that
     * says {@code sandbox} is the in-process sandbox's to give when it runs (then only the channel's env: settings
     * are checked), and a problem when it does not.
     */
    public static List<ConfigProblem> check(ChannelsConfig config, String file, Function<String, String> environment,
            boolean sandboxRuns, HttpClient http) {
        PushSenders builder = new PushSenders(file, environment, null);
        List<ConfigProblem> problems = new ArrayList<>();
        for (ChannelsConfig.Channel channel : config.channels().values()) {
            try {
                if (channel.isEmail() || postsToCallback(channel)) {
                    continue; // a callback channel's sender comes from the feature whose events carry the URL
                }
                if (sandboxRuns && channel.settings().containsValue(SANDBOX)) {
                    channel.settings().forEach((key, value) -> {
                        if (value.startsWith("env:")) {
                            builder.secret(channel, key);
                        }
                    });
                } else {
                    builder.sender(channel, http, Clock.systemUTC());
                }
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        return problems;
    }

    /** A webhook channel with {@code url: $callback}: each delivery posts to the URL its event names. */
    public static boolean postsToCallback(ChannelsConfig.Channel channel) {
        return "webhook".equals(channel.type()) && ChannelsConfig.CALLBACK.equals(channel.settings().get("url"));
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
        if (value.equals(SANDBOX)) {
            return fromSandbox(c, key);
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
        return value.equals(SANDBOX) ? fromSandbox(c, key) : value.trim();
    }

    private String fromSandbox(ChannelsConfig.Channel c, String key) {
        if (sandbox == null) {
            throw problem(c, key, "'sandbox' means the built-in sandbox, which this configuration does not start "
                    + "(it starts only with mailroute.sandbox.enabled=true, mailroute.sandbox.url unset and a mailbox "
                    + "with gmail: sandbox)", "give the provider's value: a URL, or env:VARIABLE for a secret");
        }
        return sandbox.value(c.type(), key);
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

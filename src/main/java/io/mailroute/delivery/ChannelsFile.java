package io.mailroute.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.ConfigYaml;
import io.mailroute.config.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads and validates {@code channels.yaml}, collecting every problem with its key path. */
public final class ChannelsFile {

    static final Set<String> TYPES = Set.of("email", "webhook", "fcm", "webpush", "appworks");

    private final String file;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ChannelsFile(String file) {
        this.file = file;
    }

    /** A missing file means no notifications; a broken one is a {@link ConfigException} naming each problem. */
    public static ChannelsConfig load(Path path) {
        ChannelsFile reader = new ChannelsFile(path.toString());
        ChannelsConfig config = reader.read(path);
        if (!reader.problems.isEmpty()) {
            throw new ConfigException(reader.problems);
        }
        return config;
    }

    public static List<ConfigProblem> check(Path path) {
        ChannelsFile reader = new ChannelsFile(path.toString());
        reader.read(path);
        return List.copyOf(reader.problems);
    }

    private ChannelsConfig read(Path path) {
        if (!Files.isRegularFile(path)) {
            return ChannelsConfig.empty();
        }
        JsonNode root;
        try {
            root = ConfigYaml.read(path);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return ChannelsConfig.empty();
        }
        if (root == null || root.isNull()) {
            return ChannelsConfig.empty();
        }
        known(root, Set.of("channels", "recipients", "audiences", "routing", "owners"), ""); // owners: alerts.AlertOwnersFile
        Map<String, ChannelsConfig.Channel> channels = new LinkedHashMap<>();
        root.path("channels").fields().forEachRemaining(e -> channels.put(e.getKey(), channel(e.getKey(), e.getValue())));
        Map<String, ChannelsConfig.Recipient> recipients = new LinkedHashMap<>();
        root.path("recipients").fields().forEachRemaining(e ->
                recipients.put(e.getKey(), recipient(e.getKey(), e.getValue(), channels)));
        Map<String, ChannelsConfig.Audience> audiences = new LinkedHashMap<>();
        root.path("audiences").fields().forEachRemaining(e ->
                audiences.put(e.getKey(), audience(e.getKey(), e.getValue(), channels, recipients)));
        Map<String, List<String>> routing = new LinkedHashMap<>();
        root.path("routing").fields().forEachRemaining(e -> {
            List<String> names = strings(e.getValue());
            names.stream().filter(n -> !audiences.containsKey(n)).forEach(n -> problem("routing." + e.getKey(),
                    "audience '" + n + "' is not defined", "add it under audiences:"));
            routing.put(e.getKey(), names);
        });
        ChannelsConfig config = new ChannelsConfig(channels, recipients, audiences, routing);
        routing.forEach((type, names) -> names.forEach(name -> config.unresolvableMembers(type, name).forEach(member ->
                problem("routing." + type, "audience '" + name + "' has member " + member + ", which an event of type "
                        + type + " cannot name, so it would reach nobody", member + " works only for "
                        + ChannelsConfig.eventTypesResolving(member) + ": route " + type + " to an audience of named recipients"))));
        channels.values().stream().filter(c -> c.fallback() != null).forEach(c -> {
            if (!channels.containsKey(c.fallback().channel())) {
                problem("channels." + c.name() + ".fallback.channel", "channel '" + c.fallback().channel()
                        + "' is not defined", "name one of " + channels.keySet());
            } else if (c.fallback().channel().equals(c.name())) {
                problem("channels." + c.name() + ".fallback.channel", "a channel cannot fall back to itself", null);
            }
        });
        return config;
    }

    private ChannelsConfig.Channel channel(String name, JsonNode node) {
        String at = "channels." + name;
        String type = node.path("type").asText("");
        if (!TYPES.contains(type)) {
            problem(at + ".type", "'" + type + "' is not a channel type", "use one of " + TYPES);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (e.getKey().equals("templates")) {
                templates(at, type, e.getValue(), settings);
            } else if (!e.getKey().equals("type") && !e.getKey().equals("fallback")
                    && !e.getKey().equals("escalate")) { // escalate: is io.mailroute.escalation.EscalationFile's
                settings.put(e.getKey(), e.getValue().asText());
            }
        });
        if (settings.containsKey("template")) {
            templateName(at + ".template", settings.get("template"));
        }
        if (type.equals("email") && !settings.containsKey("sender")) {
            problem(at + ".sender", "is missing", "name the mailbox id whose Gmail account sends, e.g. sender: support");
        }
        if (settings.containsKey("dailyLimit") && !settings.get("dailyLimit").matches("[1-9][0-9]{0,6}")) {
            problem(at + ".dailyLimit", "'" + settings.get("dailyLimit") + "' is not a positive whole number",
                    "write Gmail's limit for the account, e.g. 2000 (Workspace) or 500");
        }
        if (type.equals("webhook") && !settings.containsKey("url")) {
            problem(at + ".url", "is missing", "give the endpoint URL");
        }
        if (type.equals("appworks") && !settings.containsKey("gatewayUrl")) {
            problem(at + ".gatewayUrl", "is missing", "give the AppWorks gateway's URL");
        }
        settings.forEach((key, value) -> {
            String lower = key.toLowerCase(java.util.Locale.ROOT);
            boolean secret = lower.contains("secret") || lower.contains("password") || lower.contains("serviceaccount")
                    || lower.contains("key") && !lower.contains("public");
            if (secret && !value.startsWith("env:") && !value.equals("sandbox")) {
                problem(at + "." + key, "holds a secret in the file", "write env:VARIABLE and export the secret instead");
            }
        });
        ChannelsConfig.Fallback fallback = null;
        JsonNode f = node.path("fallback");
        if (!f.isMissingNode()) {
            int afterAttempts = f.path("afterAttempts").asInt(3);
            Duration after = null;
            if (f.hasNonNull("after")) {
                try {
                    after = Durations.parse(f.get("after").asText());
                } catch (IllegalArgumentException e) {
                    problem(at + ".fallback.after", e.getMessage(), null);
                }
            }
            fallback = new ChannelsConfig.Fallback(f.path("channel").asText(""), Math.max(1, afterAttempts), after);
        }
        return new ChannelsConfig.Channel(name, type, settings, fallback);
    }

    /** {@code templates: {<event type>: <template>}}: an email channel's template per event type, kept as template.<type>. */
    private void templates(String at, String type, JsonNode node, Map<String, String> settings) {
        if (!type.equals("email")) {
            problem(at + ".templates", "only an email channel has templates", "remove it, or make the channel type: email");
            return;
        }
        if (!node.isObject()) {
            problem(at + ".templates", "must map event types to template names",
                    "e.g. templates: {item.info-requested: request-info}");
            return;
        }
        node.fields().forEachRemaining(e -> {
            if (templateName(at + ".templates." + e.getKey(), e.getValue().asText())) {
                settings.put(ChannelsConfig.Channel.TEMPLATE_FOR + e.getKey(), e.getValue().asText());
            }
        });
    }

    /** A template is a file name under the templates directory, never a path. */
    private boolean templateName(String at, String name) {
        if (name.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            return true;
        }
        problem(at, "'" + name + "' is not a template name", "name the files config/templates/<name>.subject|txt|html.mustache "
                + "by <name>: lower-case letters, digits and dashes");
        return false;
    }

    private ChannelsConfig.Recipient recipient(String id, JsonNode node, Map<String, ChannelsConfig.Channel> channels) {
        String at = "recipients." + id;
        known(node, Set.of("name", "email", "devices"), at + ".");
        String email = node.hasNonNull("email") ? node.get("email").asText().trim() : null;
        if (email != null && (!email.contains("@") || email.matches(".*[\\r\\n\\s,;<>].*"))) {
            problem(at + ".email", "'" + email + "' is not a single email address", "write one address such as mei@acme.example");
            email = null;
        }
        List<ChannelsConfig.Device> devices = new ArrayList<>();
        int index = 0;
        for (JsonNode d : node.path("devices")) {
            String device = at + ".devices[" + index++ + "]";
            String channel = d.path("channel").asText("");
            if (!channels.containsKey(channel)) {
                problem(at + ".devices", "channel '" + channel + "' is not defined", "name one of " + channels.keySet());
                continue;
            }
            Map<String, String> keys = new LinkedHashMap<>();
            d.path("keys").fields().forEachRemaining(e -> keys.put(e.getKey(), e.getValue().asText()));
            String address = d.path("address").asText("");
            Optional<PushTargetRules.Problem> refused = PushTargetRules.problem(channels.get(channel).type(), address, keys);
            if (refused.isPresent()) {
                problem(device + "." + refused.get().field(), refused.get().rule(), null);
                continue;
            }
            devices.add(new ChannelsConfig.Device(channel, address, keys));
        }
        return new ChannelsConfig.Recipient(id, node.path("name").asText(id), email, devices);
    }

    private ChannelsConfig.Audience audience(String name, JsonNode node, Map<String, ChannelsConfig.Channel> channels,
            Map<String, ChannelsConfig.Recipient> recipients) {
        String at = "audiences." + name;
        known(node, Set.of("members", "via"), at + ".");
        List<String> members = strings(node.path("members"));
        List<String> via = strings(node.path("via"));
        members.stream().filter(m -> !ChannelsConfig.PLACEHOLDERS.contains(m) && !recipients.containsKey(m))
                .forEach(m -> problem(at + ".members", "recipient '" + m + "' is not defined",
                        "add it under recipients:, or use one of " + String.join(", ", ChannelsConfig.PLACEHOLDERS)));
        via.stream().filter(c -> !channels.containsKey(c)).forEach(c ->
                problem(at + ".via", "channel '" + c + "' is not defined", "name one of " + channels.keySet()));
        if (members.isEmpty() || via.isEmpty()) {
            problem(at, "needs members and via", "e.g. {members: [mei], via: [email]}");
        }
        return new ChannelsConfig.Audience(name, members, via);
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText().trim()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            out.add(node.asText().trim());
        }
        return out;
    }

    private void known(JsonNode node, Set<String> keys, String at) {
        node.fieldNames().forEachRemaining(k -> {
            if (!keys.contains(k)) {
                problem(at + k, "is not a known setting", "known: " + keys);
            }
        });
    }

    private void problem(String key, String problem, String fix) {
        problems.add(new ConfigProblem(file, key, problem, fix));
    }
}

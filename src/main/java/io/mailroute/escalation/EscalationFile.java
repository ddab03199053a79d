package io.mailroute.escalation;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.ConfigYaml;
import io.mailroute.config.Durations;
import io.mailroute.delivery.ChannelsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads each channel's {@code escalate:} of {@code channels.yaml} (the rest of the file is
 * {@link io.mailroute.delivery.ChannelsFile}'s):
 * <pre>{@code
 * channels:
 *   email:
 *     type: email
 *     escalate: {unopenedFor: 15m, to: [oncall-push], priorities: [URGENT]}
 *   oncall-primary:
 *     type: fcm
 *     escalate: {unackedFor: 10m, to: [oncall-secondary]}
 * }</pre>
 * Exactly one of {@code unopenedFor} / {@code unackedFor}, a positive duration; {@code to} one or more audiences of the
 * same file; {@code priorities} LOW, NORMAL, HIGH, URGENT or {@code any}, by default the critical priorities
 * ({@code mailroute.engagement.acknowledge-priorities}). Chains and cycles are allowed: each channel escalates an event
 * at most once, so A → B → A ends when it comes back to A. Problems are collected with their key paths.
 */
public final class EscalationFile {

    static final Set<String> KEYS = Set.of("unopenedFor", "unackedFor", "to", "priorities");
    static final List<String> PRIORITIES = List.of("LOW", "NORMAL", "HIGH", "URGENT");

    private final String file;
    private final ChannelsConfig channels;
    private final Set<String> defaultPriorities;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private EscalationFile(String file, ChannelsConfig channels, Set<String> defaultPriorities) {
        this.file = file;
        this.channels = channels;
        this.defaultPriorities = defaultPriorities;
    }

    /**
     * The policies by channel name; none without a file or without {@code escalate:}.
     *
     * @param defaultPriorities what a policy without {@code priorities:} takes (the critical ones)
     * @throws ConfigException naming each problem
     */
    public static Map<String, EscalationPolicy> load(Path path, ChannelsConfig channels, Set<String> defaultPriorities) {
        EscalationFile reader = new EscalationFile(path.toString(), channels, upper(defaultPriorities));
        Map<String, EscalationPolicy> policies = reader.read(path);
        if (!reader.problems.isEmpty()) {
            throw new ConfigException(reader.problems);
        }
        return policies;
    }

    /** The problems of every {@code escalate:} ({@code check}). */
    public static List<ConfigProblem> check(Path path, ChannelsConfig channels) {
        EscalationFile reader = new EscalationFile(path.toString(), channels, Set.of("URGENT", "HIGH"));
        reader.read(path);
        return List.copyOf(reader.problems);
    }

    private Map<String, EscalationPolicy> read(Path path) {
        Map<String, EscalationPolicy> policies = new LinkedHashMap<>();
        if (!Files.isRegularFile(path)) {
            return policies;
        }
        JsonNode root;
        try {
            root = ConfigYaml.read(path);
        } catch (ConfigException e) {
            return policies; // ChannelsFile reports the file's syntax
        }
        if (root == null || !root.path("channels").isObject()) {
            return policies;
        }
        root.path("channels").fields().forEachRemaining(e -> {
            JsonNode escalate = e.getValue().get("escalate");
            if (escalate != null && !escalate.isNull()) {
                EscalationPolicy policy = policy(e.getKey(), escalate);
                if (policy != null) {
                    policies.put(e.getKey(), policy);
                }
            }
        });
        return policies;
    }

    private EscalationPolicy policy(String channel, JsonNode node) {
        String at = "channels." + channel + ".escalate";
        if (!node.isObject()) {
            problem(at, "must be a map", "write e.g. escalate: {unopenedFor: 15m, to: [oncall-push]}");
            return null;
        }
        int before = problems.size();
        node.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                problem(at + "." + k, "is not a known setting", "known: " + new TreeSet<>(KEYS));
            }
        });
        boolean unopened = node.hasNonNull("unopenedFor");
        boolean unacked = node.hasNonNull("unackedFor");
        EscalationPolicy.Condition condition = unacked ? EscalationPolicy.Condition.UNACKED : EscalationPolicy.Condition.UNOPENED;
        Duration after = null;
        if (unopened && unacked) {
            problem(at, "has both unopenedFor and unackedFor", "keep one: unopenedFor escalates unless someone opened the "
                    + "notice, unackedFor unless someone acted on it");
        } else if (!unopened && !unacked) {
            problem(at, "says neither unopenedFor nor unackedFor", "write how long to wait, e.g. unopenedFor: 15m");
        } else {
            after = duration(at + "." + condition.key(), node.get(condition.key()).asText());
        }
        List<String> to = audiences(at + ".to", node.path("to"));
        Set<String> priorities = priorities(at + ".priorities", node.get("priorities"));
        if (problems.size() > before) {
            return null;
        }
        return new EscalationPolicy(channel, condition, after, to, priorities);
    }

    private Duration duration(String at, String text) {
        try {
            Duration after = Durations.parse(text);
            if (after.isNegative() || after.isZero()) {
                problem(at, "is " + text + ", not a positive duration", "write how long to wait, e.g. 15m");
                return null;
            }
            return after;
        } catch (IllegalArgumentException e) {
            problem(at, e.getMessage(), null);
            return null;
        }
    }

    private List<String> audiences(String at, JsonNode node) {
        List<String> names = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> names.add(n.asText().trim()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            names.add(node.asText().trim());
        }
        if (names.isEmpty()) {
            problem(at, "names no audience, so the escalation would reach nobody", "name one or more audiences of audiences:, "
                    + "e.g. to: [oncall-push]");
        }
        names.stream().filter(n -> !channels.audiences().containsKey(n)).forEach(n -> problem(at, "audience '" + n
                + "' is not defined", "add it under audiences:, or name one of " + new TreeSet<>(channels.audiences().keySet())));
        return names;
    }

    private Set<String> priorities(String at, JsonNode node) {
        if (node == null || node.isNull()) {
            return defaultPriorities;
        }
        Set<String> out = new LinkedHashSet<>();
        (node.isArray() ? node : List.of(node)).forEach(n -> {
            String value = n.asText().trim().toUpperCase(Locale.ROOT);
            if (PRIORITIES.contains(value) || EscalationPolicy.ANY.equals(value)) {
                out.add(value);
            } else {
                problem(at, "'" + n.asText() + "' is not a priority", "use LOW, NORMAL, HIGH, URGENT, or any for every event");
            }
        });
        if (node.isArray() && node.isEmpty()) {
            problem(at, "is empty, so nothing would escalate", "name priorities, or remove priorities: for the critical ones");
        }
        return out;
    }

    private static Set<String> upper(Set<String> priorities) {
        Set<String> out = new LinkedHashSet<>();
        priorities.forEach(p -> out.add(p.strip().toUpperCase(Locale.ROOT)));
        return out;
    }

    private void problem(String key, String problem, String fix) {
        problems.add(new ConfigProblem(file, key, problem, fix));
    }
}

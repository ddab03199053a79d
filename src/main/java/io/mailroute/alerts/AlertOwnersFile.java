package io.mailroute.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.ConfigYaml;
import io.mailroute.delivery.ChannelsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@code owners:} of {@code channels.yaml} (the rest of the file is {@link io.mailroute.delivery.ChannelsFile}'s):
 * <pre>{@code
 * owners:
 *   queues:    {finance-exceptions: [ap-team], ops-oncall: [oncall-push]}
 *   mailboxes: {accounts: [ap-team]}
 *   default:   [ops-team]
 * }</pre>
 * Every name must be an audience of the same file; problems are collected with their key paths.
 */
public final class AlertOwnersFile {

    private static final Set<String> KEYS = Set.of("queues", "mailboxes", "default");
    private static final String NAME = "[a-z0-9][a-z0-9._-]{0,63}";

    private final String file;
    private final ChannelsConfig channels;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private AlertOwnersFile(String file, ChannelsConfig channels) {
        this.file = file;
        this.channels = channels;
    }

    /** No file or no {@code owners:}: nobody owns anything; a broken section is a {@link ConfigException} naming each problem. */
    public static AlertOwners load(Path path, ChannelsConfig channels) {
        AlertOwnersFile reader = new AlertOwnersFile(path.toString(), channels);
        AlertOwners owners = reader.read(path);
        if (!reader.problems.isEmpty()) {
            throw new ConfigException(reader.problems);
        }
        return owners;
    }

    /**
     * The problems of {@code owners:}, and mailbox ids that {@code mailboxes.yaml} does not declare (when it was read).
     *
     * @param mailboxIds the mailboxes of mailboxes.yaml, or null when that file could not be read
     */
    public static List<ConfigProblem> check(Path path, ChannelsConfig channels, Collection<String> mailboxIds) {
        AlertOwnersFile reader = new AlertOwnersFile(path.toString(), channels);
        AlertOwners owners = reader.read(path);
        if (mailboxIds != null) {
            owners.mailboxes().keySet().stream().filter(m -> !mailboxIds.contains(m)).sorted().forEach(m -> reader.problem(
                    "owners.mailboxes." + m, "'" + m + "' is not a mailbox of mailboxes.yaml",
                    "name one of " + new TreeSet<>(mailboxIds) + ", or remove the entry"));
        }
        return List.copyOf(reader.problems);
    }

    private AlertOwners read(Path path) {
        if (!Files.isRegularFile(path)) {
            return AlertOwners.none();
        }
        JsonNode root;
        try {
            root = ConfigYaml.read(path);
        } catch (ConfigException e) {
            return AlertOwners.none(); // ChannelsFile reports the file's syntax
        }
        JsonNode node = root == null ? null : root.get("owners");
        if (node == null || node.isNull()) {
            return AlertOwners.none();
        }
        if (!node.isObject()) {
            problem("owners", "must be a map with queues:, mailboxes: and default:",
                    "write e.g. owners: {queues: {finance-exceptions: [ap-team]}, default: [ops-team]}");
            return AlertOwners.none();
        }
        node.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                problem("owners." + k, "is not a known setting", "known: " + new TreeSet<>(KEYS));
            }
        });
        return new AlertOwners(owned(node.get("queues"), "owners.queues", "a queue such as finance-exceptions"),
                owned(node.get("mailboxes"), "owners.mailboxes", "a mailbox id such as accounts"),
                audiences(node.get("default"), "owners.default"));
    }

    private Map<String, List<String>> owned(JsonNode node, String at, String what) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            problem(at, "must map " + what + " to its audiences", "write e.g. " + at.substring(at.indexOf('.') + 1)
                    + ": {finance-exceptions: [ap-team]}");
            return out;
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getKey().matches(NAME)) {
                problem(at + "." + e.getKey(), "is not a name of lower-case letters, digits, '.', '_' or '-'", null);
                return;
            }
            List<String> audiences = audiences(e.getValue(), at + "." + e.getKey());
            if (audiences.isEmpty()) {
                problem(at + "." + e.getKey(), "names no audience, so its alerts would reach nobody",
                        "name one or more audiences of audiences:, or remove the entry");
            } else {
                out.put(e.getKey(), audiences);
            }
        });
        return out;
    }

    private List<String> audiences(JsonNode node, String at) {
        List<String> names = new ArrayList<>();
        if (node == null || node.isNull()) {
            return names;
        }
        (node.isArray() ? node : List.of(node)).forEach(n -> names.add(n.asText().trim()));
        List<String> defined = new ArrayList<>();
        for (String name : names) {
            if (!channels.audiences().containsKey(name)) {
                problem(at, "audience '" + name + "' is not defined", "add it under audiences:, or name one of "
                        + new TreeSet<>(channels.audiences().keySet()));
            } else if (!channels.unresolvableMembers("alert.raised", name).isEmpty()) {
                problem(at, "audience '" + name + "' has members " + channels.unresolvableMembers("alert.raised", name)
                        + ", which an alert cannot name, so they would reach nobody", "name an audience of named recipients");
            } else {
                defined.add(name);
            }
        }
        return defined;
    }

    private void problem(String key, String problem, String fix) {
        problems.add(new ConfigProblem(file, key, problem, fix));
    }
}

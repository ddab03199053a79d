package io.mailroute.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.ConfigYaml;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code config/approvals.yaml}. Every problem is collected with its key path
 * ({@code policies.purchase-order.expires}) and what to write instead, so {@code check} lists them all at once.
 * The file may be missing: then there are no groups and only the built-in default policy (any, P3D).
 */
public final class ApprovalsFile {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final List<String> PRIORITIES = List.of("LOW", "NORMAL", "HIGH", "URGENT");
    private static final Set<String> TOP_KEYS = Set.of("mailbox", "approvers", "queues", "policies");
    private static final Set<String> POLICY_KEYS = Set.of("mode", "quorum", "expires", "reminders", "escalate-to", "urgent");
    private static final Set<String> URGENT_KEYS = Set.of("priority", "amount-over", "currency");
    private static final String DURATION_EXAMPLE = "write an ISO-8601 duration such as P3D (3 days), PT12H or P1DT12H";

    private final String file;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ApprovalsFile(String file) {
        this.file = file;
    }

    /** Loads the file (no file: no groups, the built-in default policy); throws {@link ConfigException} listing every problem. */
    public static ApprovalsConfig load(Path file) {
        ApprovalsFile reader = new ApprovalsFile(file.toString());
        ApprovalsConfig config = Files.exists(file) ? reader.read(file) : new ApprovalsConfig(file + " (missing)", null,
                Map.of(), Map.of(ApprovalsConfig.DEFAULT_POLICY, ApprovalsConfig.BUILT_IN_DEFAULT));
        if (!reader.problems.isEmpty()) {
            throw new ConfigException(reader.problems);
        }
        return config;
    }

    private ApprovalsConfig read(Path path) {
        JsonNode root;
        try {
            root = ConfigYaml.read(path);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return null;
        }
        if (root == null || !root.isObject()) {
            problem("", "must be a mapping with approvers: and policies:", "see config/approvals.yaml in the repository");
            return null;
        }
        unknownKeys(root, TOP_KEYS, "");
        String mailbox = null;
        if (root.has("mailbox")) {
            mailbox = root.get("mailbox").asText("").trim();
            if (!root.get("mailbox").isTextual() || mailbox.isEmpty()) {
                problem("mailbox", "must be a mailbox id of mailboxes.yaml", "write e.g. mailbox: accounts");
                mailbox = null;
            }
        }
        Map<String, List<String>> groups = groups(root.path("approvers"));
        Map<String, ApprovalsConfig.Policy> policies = new LinkedHashMap<>();
        JsonNode list = root.path("policies");
        if (!list.isMissingNode() && !list.isNull() && !list.isObject()) {
            problem("policies", "must map policy names to policies", "write e.g. policies: {default: {mode: any, expires: P3D}}");
        } else if (list.isObject()) {
            list.fields().forEachRemaining(entry -> {
                ApprovalsConfig.Policy policy = policy(entry.getKey(), entry.getValue(), groups);
                if (policy != null) {
                    policies.put(policy.name(), policy);
                }
            });
        }
        policies.putIfAbsent(ApprovalsConfig.DEFAULT_POLICY, ApprovalsConfig.BUILT_IN_DEFAULT);
        return new ApprovalsConfig(file, mailbox, groups, queues(root.path("queues"), groups), policies);
    }

    private Map<String, List<String>> groups(JsonNode node) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return groups;
        }
        if (!node.isObject()) {
            problem("approvers", "must map group names to lists of addresses", "write e.g. approvers: {finance: [a@acme.example]}");
            return groups;
        }
        node.fields().forEachRemaining(entry -> {
            String key = "approvers." + entry.getKey();
            if (!NAME.matcher(entry.getKey()).matches()) {
                problem(key, "'" + entry.getKey() + "' is not a valid group name", "use lower-case letters, digits and '-', e.g. finance");
                return;
            }
            List<String> members = addresses(entry.getValue(), key, "write e.g. " + entry.getKey() + ": [a@acme.example, b@acme.example]");
            if (members != null) {
                groups.put(entry.getKey(), members);
            }
        });
        return groups;
    }

    /** queues: {accounts-payable: [finance, cfo@acme.example]}: each queue's approvers, groups resolved to addresses. */
    private Map<String, List<String>> queues(JsonNode node, Map<String, List<String>> groups) {
        Map<String, List<String>> queues = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return queues;
        }
        if (!node.isObject()) {
            problem("queues", "must map queue names (triage.yaml's queue:) to their approvers", "write e.g. queues: {approvals: [finance]}");
            return queues;
        }
        node.fields().forEachRemaining(entry -> {
            String key = "queues." + entry.getKey();
            String example = "write e.g. " + entry.getKey() + ": [finance, cfo@acme.example] (groups of approvers: and addresses)";
            if (!entry.getValue().isArray() || entry.getValue().isEmpty()) {
                problem(key, "must be a non-empty list of groups of approvers: and addresses", example);
                return;
            }
            java.util.LinkedHashSet<String> members = new java.util.LinkedHashSet<>();
            for (JsonNode member : entry.getValue()) {
                String name = member.asText("").trim();
                if (member.isTextual() && groups.containsKey(name)) {
                    members.addAll(groups.get(name));
                } else if (member.isTextual() && Addresses.isAddress(name)) {
                    members.add(Addresses.normalize(name));
                } else {
                    problem(key, "'" + member.asText() + "' is neither an email address nor a group of approvers:", example);
                    return;
                }
            }
            queues.put(entry.getKey(), List.copyOf(members));
        });
        return queues;
    }

    private ApprovalsConfig.Policy policy(String name, JsonNode node, Map<String, List<String>> groups) {
        String at = "policies." + name;
        if (!NAME.matcher(name).matches()) {
            problem(at, "'" + name + "' is not a valid policy name", "use lower-case letters, digits and '-', e.g. purchase-order");
            return null;
        }
        if (!node.isObject()) {
            problem(at, "must be a mapping", "write e.g. " + name + ": {mode: any, expires: P3D}");
            return null;
        }
        int before = problems.size();
        unknownKeys(node, POLICY_KEYS, at + ".");
        ApprovalPolicy rule = rule(node, at);
        Duration expires = node.has("expires") ? duration(node.get("expires"), at + ".expires") : null;
        List<Duration> reminders = new ArrayList<>();
        JsonNode reminderNode = node.path("reminders");
        if (!reminderNode.isMissingNode() && !reminderNode.isNull()) {
            if (!reminderNode.isArray()) {
                problem(at + ".reminders", "must be a list of durations after the request", "write e.g. reminders: [PT24H, PT48H]");
            } else {
                for (int i = 0; i < reminderNode.size(); i++) {
                    Duration reminder = duration(reminderNode.get(i), at + ".reminders[" + i + "]");
                    if (reminder != null && expires != null && reminder.compareTo(expires) >= 0) {
                        problem(at + ".reminders[" + i + "]", reminderNode.get(i).asText() + " is not before the expiry ("
                                + node.get("expires").asText() + "), so it would never be sent", "remind before it expires, or drop it");
                    } else if (reminder != null) {
                        reminders.add(reminder);
                    }
                }
            }
        }
        List<String> escalateTo = List.of();
        if (node.has("escalate-to")) {
            escalateTo = escalation(node.get("escalate-to"), at + ".escalate-to", groups);
        }
        ApprovalsConfig.Urgent urgent = node.has("urgent") ? urgent(node.get("urgent"), at + ".urgent") : ApprovalsConfig.Urgent.NEVER;
        if (problems.size() > before || rule == null) {
            return null;
        }
        return new ApprovalsConfig.Policy(name, rule, expires, reminders.stream().sorted().distinct().toList(), escalateTo, urgent);
    }

    private ApprovalPolicy rule(JsonNode node, String at) {
        JsonNode modeNode = node.get("mode");
        if (modeNode == null || modeNode.asText("").isBlank()) {
            problem(at + ".mode", "is missing", "write any, all, sequence or quorum (with quorum: N)");
            return null;
        }
        ApprovalMode mode;
        try {
            mode = ApprovalMode.valueOf(modeNode.asText().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problem(at + ".mode", "'" + modeNode.asText() + "' is not a mode", "write any, all, sequence or quorum (with quorum: N)");
            return null;
        }
        JsonNode quorum = node.get("quorum");
        if (mode != ApprovalMode.QUORUM) {
            if (quorum != null) {
                problem(at + ".quorum", "is only for mode quorum (this policy is " + mode.configName() + ")",
                        "drop it, or write mode: quorum");
                return null;
            }
            return ApprovalPolicy.of(mode);
        }
        boolean whole = quorum != null && (quorum.isInt() || quorum.isTextual() && quorum.asText().trim().matches("\\d{1,4}"));
        if (!whole || quorum.asInt() < 1) {
            problem(at + ".quorum", quorum == null ? "is missing" : "'" + quorum.asText() + "' is not a whole number of at least 1",
                    "write how many approvals it needs, e.g. quorum: 2");
            return null;
        }
        return ApprovalPolicy.quorumOf(quorum.asInt());
    }

    private Duration duration(JsonNode node, String at) {
        String text = node.asText("").trim();
        if (!node.isValueNode() || text.isEmpty()) {
            problem(at, "must be a duration", DURATION_EXAMPLE);
            return null;
        }
        try {
            Duration duration = Duration.parse(text.toUpperCase(Locale.ROOT));
            if (duration.isNegative() || duration.isZero()) {
                problem(at, "'" + text + "' is not longer than zero", DURATION_EXAMPLE);
                return null;
            }
            return duration;
        } catch (DateTimeParseException e) {
            problem(at, "'" + text + "' is not an ISO-8601 duration", DURATION_EXAMPLE);
            return null;
        }
    }

    private List<String> escalation(JsonNode node, String at, Map<String, List<String>> groups) {
        String name = node.asText("").trim();
        if (!node.isTextual() || name.isEmpty()) {
            problem(at, "must be an address or a group of approvers:", "write e.g. escalate-to: backup@acme.example");
            return List.of();
        }
        if (groups.containsKey(name)) {
            return groups.get(name);
        }
        if (Addresses.isAddress(name)) {
            return List.of(Addresses.normalize(name));
        }
        problem(at, "'" + name + "' is neither an email address nor a group of approvers:",
                groups.isEmpty() ? "write an address, or define the group under approvers:"
                        : "write an address or one of the groups " + groups.keySet());
        return List.of();
    }

    private ApprovalsConfig.Urgent urgent(JsonNode node, String at) {
        if (!node.isObject()) {
            problem(at, "must be a mapping", "write e.g. urgent: {priority: [URGENT], amount-over: 10000, currency: EUR}");
            return ApprovalsConfig.Urgent.NEVER;
        }
        unknownKeys(node, URGENT_KEYS, at + ".");
        Set<String> priorities = new LinkedHashSet<>();
        JsonNode priority = node.path("priority");
        for (JsonNode value : priority.isArray() ? priority : List.of(priority)) {
            if (value.isMissingNode()) {
                continue;
            }
            String p = value.asText("").trim().toUpperCase(Locale.ROOT);
            if (!PRIORITIES.contains(p)) {
                problem(at + ".priority", "'" + value.asText() + "' is not a priority", "write " + String.join(", ", PRIORITIES));
            } else {
                priorities.add(p);
            }
        }
        BigDecimal amountOver = null;
        String currency = null;
        if (node.has("amount-over")) {
            JsonNode amount = node.get("amount-over");
            try {
                amountOver = new BigDecimal(amount.asText("").trim());
                if (!amount.isValueNode() || amountOver.signum() < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problem(at + ".amount-over", "'" + amount.asText() + "' is not an amount", "write a number such as 10000");
                amountOver = null;
            }
            currency = node.path("currency").asText("").trim();
            if (!CURRENCY.matcher(currency).matches()) {
                problem(at + ".currency", currency.isEmpty() ? "is missing, and amount-over needs it"
                        : "'" + currency + "' is not a currency code", "write the ISO 4217 code, e.g. currency: EUR");
            }
        } else if (node.has("currency")) {
            problem(at + ".currency", "is given without amount-over", "add amount-over: N, or drop currency");
        }
        return new ApprovalsConfig.Urgent(priorities, amountOver, currency);
    }

    private List<String> addresses(JsonNode node, String at, String example) {
        if (!node.isArray() || node.isEmpty()) {
            problem(at, "must be a non-empty list of email addresses", example);
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode member : node) {
            String address = member.asText("").trim();
            if (!member.isTextual() || !Addresses.isAddress(address)) {
                problem(at, "'" + member.asText() + "' is not an email address", example);
                return null;
            }
            out.add(Addresses.normalize(address));
        }
        return List.copyOf(out);
    }

    private void unknownKeys(JsonNode node, Set<String> known, String at) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                problem(at + key, "is not a known setting", "known settings here are " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private void problem(String key, String problem, String fix) {
        problems.add(new ConfigProblem(file, key, problem, fix));
    }
}

package io.mailroute.triage;

import io.mailroute.config.ConfigProblem;
import io.mailroute.config.ConfigYaml;
import io.mailroute.triage.Condition.AddressPattern;
import io.mailroute.triage.Condition.TextMode;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a triage rules file into {@link Rule}s, collecting every problem with the line it is on and the rule
 * it belongs to. Works on SnakeYAML's node tree (not Java objects), so every value keeps its line number and
 * nothing in the file can instantiate a class.
 */
final class TriageRulesParser {

    static final int MAX_FILE_BYTES = 1024 * 1024;

    private static final Pattern RULE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final List<String> RULE_KEYS = List.of("id", "description", "when", "then");
    private static final List<String> WHEN_KEYS = List.of("mailbox", "from", "to", "cc", "subject", "body", "text",
            "attachment", "labels", "authentication", "replyTo", "headers", "any", "not");
    private static final List<String> TEXT_KEYS = List.of("any", "all", "regex");
    private static final List<String> ATTACHMENT_KEYS = List.of("present", "type", "filename");
    private static final List<String> LABEL_KEYS = List.of("any", "all");
    private static final List<String> AUTH_METHODS = List.of("dkim", "spf", "dmarc");
    /** Gmail's Authentication-Results verdicts; a typo here would silently never match, so others are refused. */
    private static final List<String> VERDICTS = List.of("pass", "fail", "softfail", "neutral", "none", "temperror",
            "permerror", "policy", "bestguesspass");
    /** The headers ParsedMail.extraHeaders carries; no other header reaches triage. */
    private static final List<String> HEADERS = List.of("List-Id", "Precedence", "Auto-Submitted", "Return-Path",
            "X-Mailroute-Origin");
    private static final List<String> THEN_KEYS = List.of("type", "category", "queue", "assignee", "priority", "sla", "notify",
            "approvers", "policy");
    /** A group of approvals.yaml or a policy name there; anything with '@' is an address. */
    private static final Pattern APPROVAL_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern APPROVER_ADDRESS = Pattern.compile("[^@\\s<>,;:\"()]+@[^@\\s<>,;:\"()]+\\.[^@\\s<>,;:\"()]+");

    private final String file;
    private final List<ConfigProblem> problems = new ArrayList<>();
    /** The rule being read, for problem messages: its id (or "#n" until the id is known). */
    private String rule;

    private TriageRulesParser(String file) {
        this.file = file;
    }

    record Result(List<Rule> rules, List<ConfigProblem> problems) {
    }

    static Result parse(String file, byte[] content) {
        TriageRulesParser parser = new TriageRulesParser(file);
        List<Rule> rules = parser.read(content);
        return new Result(parser.problems.isEmpty() ? rules : List.of(), List.copyOf(parser.problems));
    }

    /** A problem that is not about one place in the file (missing, unreadable). */
    static ConfigProblem fileProblem(String file, String problem, String fix) {
        return new ConfigProblem(file, "", problem, fix);
    }

    // ---- document ---------------------------------------------------------------------------------------

    private List<Rule> read(byte[] content) {
        if (content.length > MAX_FILE_BYTES) {
            problems.add(fileProblem(file, "is larger than " + MAX_FILE_BYTES / 1024 + " KiB", "split it or remove unused rules"));
            return List.of();
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            problems.add(fileProblem(file, "is not UTF-8 text", "save it as UTF-8"));
            return List.of();
        }
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            problems.add(ConfigYaml.syntaxProblem(file, e));
            return List.of();
        } catch (YAMLException e) {
            problems.add(fileProblem(file, "is not valid YAML: " + e.getMessage(), "fix the syntax"));
            return List.of();
        }
        if (root == null) {
            problems.add(fileProblem(file, "is empty", "write a 'rules:' list ending with a default rule (see config/triage.yaml)"));
            return List.of();
        }
        if (!(root instanceof MappingNode top)) {
            problems.add(at(root, "", "must be a mapping with a 'rules' list", "start the file with 'rules:'"));
            return List.of();
        }
        Map<String, Node> fields = fields(top, List.of("rules"), "");
        Node list = fields.get("rules");
        if (!(list instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            problems.add(at(list == null ? root : list, "rules", "must be a list of rules",
                    "write 'rules:' followed by '- id: ...' entries, the last one a default without 'when'"));
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        Map<String, Integer> idLines = new HashMap<>();
        List<Node> ruleNodes = sequence.getValue();
        for (int i = 0; i < ruleNodes.size(); i++) {
            rule = "#" + (i + 1);
            Rule parsed = rule(ruleNodes.get(i), idLines);
            if (parsed != null) {
                rules.add(parsed);
            }
        }
        rule = null;
        catchAllPlacement(ruleNodes, rules);
        return rules;
    }

    /** Only the last rule may be (and must be) a catch-all, or later rules could never match. */
    private void catchAllPlacement(List<Node> ruleNodes, List<Rule> rules) {
        if (rules.size() != ruleNodes.size()) {
            return; // a rule had problems; its 'when' may be why, so don't guess
        }
        for (int i = 0; i < rules.size() - 1; i++) {
            Rule r = rules.get(i);
            if (r.isDefault()) {
                rule = quote(r.id());
                problems.add(new ConfigProblem(file, where(r.line(), ""), "has no 'when', so it matches every message and the "
                        + (rules.size() - 1 - i) + " rule(s) after it would never be used",
                        "add a 'when' to it, or move it to the end as the default"));
            }
        }
        Rule last = rules.get(rules.size() - 1);
        if (!last.isDefault()) {
            rule = quote(last.id());
            problems.add(new ConfigProblem(file, where(last.line(), ""), "is the last rule but has a 'when'; "
                    + "mail that matches no rule would have no decision",
                    "end the file with a default rule without 'when', e.g. '- id: default' with 'then: {type: case, category: general, queue: triage}'"));
        }
        rule = null;
    }

    private Rule rule(Node node, Map<String, Integer> idLines) {
        if (!(node instanceof MappingNode mapping)) {
            problems.add(at(node, "", "must be a mapping with id, when and then", "write '- id: my-rule' and indent when/then under it"));
            return null;
        }
        int before = problems.size();
        int line = line(node);
        Node idNode = field(mapping, "id");
        String id = null;
        if (idNode == null) {
            problems.add(at(node, "id", "is missing", "give every rule a unique id such as vendor-invoice"));
        } else {
            id = scalar(idNode, "id");
            if (id != null) {
                rule = quote(id);
                if (!RULE_ID.matcher(id).matches()) {
                    problems.add(at(idNode, "id", quote(id) + " is not a valid rule id",
                            "use lower-case letters, digits and '-', e.g. vendor-invoice"));
                }
                Integer earlier = idLines.putIfAbsent(id, line);
                if (earlier != null) {
                    problems.add(at(idNode, "id", "is also used by the rule at line " + earlier, "give every rule its own id"));
                }
            }
        }
        Map<String, Node> fields = fields(mapping, RULE_KEYS, "");
        Node description = fields.get("description");
        if (description != null) {
            scalar(description, "description");
        }
        List<Condition> when = List.of();
        Node whenNode = fields.get("when");
        if (whenNode != null) {
            if (whenNode instanceof MappingNode whenMap && !whenMap.getValue().isEmpty()) {
                when = conditions(whenMap, "when");
            } else {
                problems.add(at(whenNode, "when", "must be a mapping of conditions",
                        "write conditions such as 'mailbox: accounts'; leave 'when' out only for the default rule at the end"));
            }
        }
        TriageDecision then = null;
        Node thenNode = fields.get("then");
        if (thenNode == null) {
            problems.add(at(node, "then", "is missing", "say what to do, e.g. then: {type: case, category: general, queue: triage}"));
        } else {
            then = decision(thenNode, id);
        }
        if (problems.size() > before || id == null || then == null) {
            return null;
        }
        return new Rule(id, line, when, then);
    }

    // ---- conditions -------------------------------------------------------------------------------------

    private List<Condition> conditions(MappingNode mapping, String path) {
        List<Condition> conditions = new ArrayList<>();
        Map<String, Node> fields = fields(mapping, WHEN_KEYS, path + ".");
        fields.forEach((key, value) -> {
            String at = path + "." + key;
            switch (key) {
                case "mailbox" -> add(conditions, globs(value, at), Condition.MailboxIs::new);
                case "from", "to", "cc" -> add(conditions, addresses(value, at), p -> new Condition.AddressMatches(key, p));
                case "subject", "body", "text" -> text(key, value, at, conditions);
                case "attachment" -> attachment(value, at, conditions);
                case "labels" -> labels(value, at, conditions);
                case "authentication" -> authentication(value, at, conditions);
                case "replyTo" -> {
                    Boolean expected = bool(value, at);
                    if (expected != null) {
                        conditions.add(new Condition.ReplyToKnownItem(expected));
                    }
                }
                case "headers" -> headers(value, at, conditions);
                case "any" -> any(value, at, conditions);
                case "not" -> {
                    if (value instanceof MappingNode inner && !inner.getValue().isEmpty()) {
                        conditions.add(new Condition.Not(conditions(inner, at)));
                    } else {
                        problems.add(at(value, at, "must be a mapping of conditions", "write e.g. 'not: {from: acme.example}'"));
                    }
                }
                default -> throw new IllegalStateException("unhandled key " + key); // fields() refused it already
            }
        });
        return conditions;
    }

    private void text(String field, Node value, String at, List<Condition> conditions) {
        if (!(value instanceof MappingNode mapping)) {
            add(conditions, keywords(value, at), k -> new Condition.TextHas(field, TextMode.ANY, k));
            return;
        }
        Map<String, Node> fields = fields(mapping, TEXT_KEYS, at + ".");
        if (mapping.getValue().isEmpty()) {
            problems.add(at(value, at, "needs any, all or regex", "write e.g. '" + field + ": {any: [invoice, rechnung]}'"));
        }
        fields.forEach((key, node) -> {
            String where = at + "." + key;
            switch (key) {
                case "any" -> add(conditions, keywords(node, where), k -> new Condition.TextHas(field, TextMode.ANY, k));
                case "all" -> add(conditions, keywords(node, where), k -> new Condition.TextHas(field, TextMode.ALL, k));
                default -> add(conditions, regexes(node, where), r -> new Condition.TextHas(field, TextMode.REGEX, r));
            }
        });
    }

    private List<TextPattern> keywords(Node node, String at) {
        List<String> words = strings(node, at, "a keyword, a phrase or a list of them, e.g. [invoice, \"new bank details\"]");
        return words == null ? null : words.stream().map(TextPattern::keyword).toList();
    }

    private List<TextPattern> regexes(Node node, String at) {
        List<String> expressions = strings(node, at, "a regular expression or a list of them, e.g. '^\\[FIRING'");
        if (expressions == null) {
            return null;
        }
        List<TextPattern> compiled = new ArrayList<>();
        List<Node> items = node instanceof SequenceNode s ? s.getValue() : List.of(node);
        for (int i = 0; i < expressions.size(); i++) {
            try {
                compiled.add(TextPattern.regex(expressions.get(i)));
            } catch (PatternSyntaxException e) {
                problems.add(at(items.get(i), at, "regex /" + expressions.get(i) + "/ does not compile: " + e.getDescription()
                        + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""),
                        "fix the expression (Java syntax; escape [ ( . * + ? with a backslash to match them literally)"));
            }
        }
        return compiled.size() == expressions.size() ? compiled : null;
    }

    private void attachment(Node value, String at, List<Condition> conditions) {
        if (value instanceof ScalarNode) {
            Boolean present = bool(value, at);
            if (present != null) {
                conditions.add(new Condition.AttachmentMatches(present, List.of(), List.of()));
            }
            return;
        }
        if (!(value instanceof MappingNode mapping) || mapping.getValue().isEmpty()) {
            problems.add(at(value, at, "must be true, false or a mapping", "write e.g. 'attachment: {type: application/pdf, filename: \"*.pdf\"}'"));
            return;
        }
        Map<String, Node> fields = fields(mapping, ATTACHMENT_KEYS, at + ".");
        Boolean present = fields.containsKey("present") ? bool(fields.get("present"), at + ".present") : Boolean.TRUE;
        List<Glob> types = fields.containsKey("type") ? globs(fields.get("type"), at + ".type") : List.of();
        List<Glob> names = fields.containsKey("filename") ? globs(fields.get("filename"), at + ".filename") : List.of();
        if (Boolean.FALSE.equals(present) && (fields.containsKey("type") || fields.containsKey("filename"))) {
            problems.add(at(fields.get("present"), at + ".present", "is false together with type or filename, which can never match",
                    "use 'present: false' alone, or drop it"));
            return;
        }
        if (present != null && types != null && names != null) {
            conditions.add(new Condition.AttachmentMatches(present, types, names));
        }
    }

    private void labels(Node value, String at, List<Condition> conditions) {
        if (!(value instanceof MappingNode mapping)) {
            add(conditions, strings(value, at, "a Gmail label id or a list, e.g. [CATEGORY_PROMOTIONS]"),
                    l -> new Condition.LabelsInclude(false, l));
            return;
        }
        Map<String, Node> fields = fields(mapping, LABEL_KEYS, at + ".");
        if (mapping.getValue().isEmpty()) {
            problems.add(at(value, at, "needs any or all", "write e.g. 'labels: {all: [IMPORTANT, Label_12]}'"));
        }
        fields.forEach((key, node) -> add(conditions, strings(node, at + "." + key, "a list of Gmail label ids"),
                l -> new Condition.LabelsInclude(key.equals("all"), l)));
    }

    private void authentication(Node value, String at, List<Condition> conditions) {
        if (!(value instanceof MappingNode mapping) || mapping.getValue().isEmpty()) {
            problems.add(at(value, at, "must map dkim, spf or dmarc to verdicts", "write e.g. 'authentication: {dmarc: [fail, none]}'"));
            return;
        }
        fields(mapping, AUTH_METHODS, at + ".").forEach((method, node) -> {
            String where = at + "." + method;
            List<String> verdicts = strings(node, where, "a verdict or a list, e.g. [fail, none]");
            if (verdicts == null) {
                return;
            }
            Set<String> normalised = new LinkedHashSet<>();
            for (String verdict : verdicts) {
                String v = verdict.toLowerCase(Locale.ROOT);
                if (!VERDICTS.contains(v)) {
                    problems.add(at(node, where, quote(verdict) + " is not a verdict Gmail reports", "use " + String.join(", ", VERDICTS)));
                    return;
                }
                normalised.add(v);
            }
            conditions.add(new Condition.AuthenticationIs(method, Set.copyOf(normalised)));
        });
    }

    private void headers(Node value, String at, List<Condition> conditions) {
        if (!(value instanceof MappingNode mapping) || mapping.getValue().isEmpty()) {
            problems.add(at(value, at, "must map header names to value patterns", "write e.g. 'headers: {List-Id: \"*\"}'"));
            return;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            String name = scalar(tuple.getKeyNode(), at);
            if (name == null) {
                continue;
            }
            String known = HEADERS.stream().filter(h -> h.equalsIgnoreCase(name)).findFirst().orElse(null);
            if (known == null) {
                problems.add(at(tuple.getKeyNode(), at + "." + name, "is not a header triage can see",
                        "use one of " + String.join(", ", HEADERS)));
                continue;
            }
            add(conditions, globs(tuple.getValueNode(), at + "." + name), g -> new Condition.HeaderMatches(known, g));
        }
    }

    private void any(Node value, String at, List<Condition> conditions) {
        if (!(value instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            problems.add(at(value, at, "must be a list of condition groups",
                    "write e.g. 'any: [{from: \"mailer-daemon@*\"}, {subject: \"undelivered mail\"}]'"));
            return;
        }
        List<List<Condition>> alternatives = new ArrayList<>();
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            String where = at + "[" + i + "]";
            if (items.get(i) instanceof MappingNode group && !group.getValue().isEmpty()) {
                alternatives.add(conditions(group, where));
            } else {
                problems.add(at(items.get(i), where, "must be a mapping of conditions", "write e.g. '- from: \"mailer-daemon@*\"'"));
            }
        }
        conditions.add(new Condition.AnyOf(alternatives));
    }

    private List<Glob> globs(Node node, String at) {
        List<String> patterns = strings(node, at, "a pattern or a list of patterns ('*' any text, '?' one character)");
        return patterns == null ? null : patterns.stream().map(Glob::of).toList();
    }

    private List<AddressPattern> addresses(Node node, String at) {
        List<String> patterns = strings(node, at, "an address or domain pattern or a list, e.g. [\"*@initech.example\", globex.example]");
        if (patterns == null) {
            return null;
        }
        for (String p : patterns) {
            if (p.chars().anyMatch(Character::isWhitespace) || p.indexOf('@') != p.lastIndexOf('@')) {
                problems.add(at(node, at, quote(p) + " is not an address or domain pattern",
                        "write 'name@domain' or a domain ('initech.example'), with * and ? as wildcards"));
                return null;
            }
        }
        return patterns.stream().map(AddressPattern::of).toList();
    }

    private static <T> void add(List<Condition> conditions, List<T> parsed, java.util.function.Function<List<T>, Condition> make) {
        if (parsed != null) {
            conditions.add(make.apply(parsed));
        }
    }

    // ---- then -------------------------------------------------------------------------------------------

    private TriageDecision decision(Node node, String id) {
        if (!(node instanceof MappingNode mapping)) {
            problems.add(at(node, "then", "must be a mapping", "write e.g. then: {type: case, category: general, queue: triage}"));
            return null;
        }
        int before = problems.size();
        Map<String, Node> fields = fields(mapping, THEN_KEYS, "then.");
        ItemType type = null;
        Node typeNode = fields.get("type");
        if (typeNode == null) {
            problems.add(at(node, "then.type", "is missing", "write case, approval, alert or ignore"));
        } else {
            String value = scalar(typeNode, "then.type");
            if (value != null) {
                try {
                    type = ItemType.valueOf(value.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    problems.add(at(typeNode, "then.type", quote(value) + " is not an item type", "write case, approval, alert or ignore"));
                }
            }
        }
        String category = required(fields, node, "category", "e.g. procurement/invoice");
        String queue = fields.containsKey("queue") || type != ItemType.IGNORE
                ? required(fields, node, "queue", "e.g. accounts-payable (only 'type: ignore' may go without)")
                : null;
        String assignee = fields.containsKey("assignee") ? scalar(fields.get("assignee"), "then.assignee") : null;
        String priority = "NORMAL";
        if (fields.containsKey("priority")) {
            String value = scalar(fields.get("priority"), "then.priority");
            if (value != null) {
                priority = value.toUpperCase(Locale.ROOT);
                if (!TriageDecision.PRIORITIES.contains(priority)) {
                    problems.add(at(fields.get("priority"), "then.priority", quote(value) + " is not a priority",
                            "write " + String.join(", ", TriageDecision.PRIORITIES)));
                }
            }
        }
        Duration sla = fields.containsKey("sla") ? sla(fields.get("sla")) : null;
        List<String> notify = List.of();
        if (fields.containsKey("notify")) {
            Node notifyNode = fields.get("notify");
            notify = strings(notifyNode, "then.notify", "a channel name or a list, e.g. [ap-team]");
            if (notify != null) {
                for (String channel : notify) {
                    if (!CHANNEL.matcher(channel).matches()) {
                        problems.add(at(notifyNode, "then.notify", quote(channel) + " is not a channel name",
                                "use letters, digits, '.', '_' and '-', e.g. ops-push"));
                    }
                }
            }
        }
        List<String> approvers = approvers(fields, node, type);
        String policy = null;
        if (fields.containsKey("policy")) {
            policy = scalar(fields.get("policy"), "then.policy");
            if (policy != null && !APPROVAL_NAME.matcher(policy).matches()) {
                problems.add(at(fields.get("policy"), "then.policy", quote(policy) + " is not a policy name",
                        "name a policy of approvals.yaml, e.g. purchase-order"));
            }
            if (type != null && type != ItemType.APPROVAL) {
                problems.add(at(fields.get("policy"), "then.policy", "is only for type: approval", "drop it, or write type: approval"));
            }
        }
        if (problems.size() > before || type == null) {
            return null;
        }
        return new TriageDecision(id, type, category, queue, assignee, priority, sla, notify, approvers, policy);
    }

    /** Who approves what an approval rule makes: groups of approvals.yaml and addresses; required for type approval. */
    private List<String> approvers(Map<String, Node> fields, Node then, ItemType type) {
        Node node = fields.get("approvers");
        if (node == null) {
            if (type == ItemType.APPROVAL) {
                problems.add(at(then, "then.approvers", "is missing, so nobody would be asked to approve what this rule makes",
                        "name a group of approvals.yaml or addresses, e.g. approvers: finance or approvers: [cfo@acme.example], or "
                                + "approvers: $queue for the approvers of the rule's queue (approvals.yaml's queues:)"));
            }
            return List.of();
        }
        if (type != null && type != ItemType.APPROVAL) {
            problems.add(at(node, "then.approvers", "is only for type: approval", "drop it, or write type: approval"));
            return List.of();
        }
        List<String> approvers = strings(node, "then.approvers", "a group of approvals.yaml or an address, or a list of them");
        if (approvers == null) {
            return List.of();
        }
        for (String approver : approvers) {
            if (!approver.equals("$queue") && !(approver.contains("@") ? APPROVER_ADDRESS : APPROVAL_NAME)
                    .matcher(approver.startsWith("queue:") ? approver.substring(6) : approver).matches()) {
                problems.add(at(node, "then.approvers", quote(approver) + " is neither an email address, a group name nor a queue",
                        "write an address such as cfo@acme.example, a group of approvals.yaml such as finance, or $queue "
                                + "(the approvers approvals.yaml's queues: names for this rule's queue)"));
            }
        }
        return approvers;
    }

    private Duration sla(Node node) {
        String value = scalar(node, "then.sla");
        if (value == null) {
            return null;
        }
        try {
            Duration sla = Duration.parse(value.toUpperCase(Locale.ROOT));
            if (sla.isNegative() || sla.isZero()) {
                problems.add(at(node, "then.sla", quote(value) + " is not longer than zero", "write e.g. PT4H or P2D"));
                return null;
            }
            return sla;
        } catch (DateTimeParseException e) {
            problems.add(at(node, "then.sla", quote(value) + " is not an ISO-8601 duration",
                    "write e.g. PT30M (30 minutes), PT4H (4 hours), P2D (2 days) or P1DT12H"));
            return null;
        }
    }

    private String required(Map<String, Node> fields, Node then, String key, String example) {
        Node node = fields.get(key);
        if (node == null) {
            problems.add(at(then, "then." + key, "is missing", "write " + example));
            return null;
        }
        return scalar(node, "then." + key);
    }

    // ---- nodes ------------------------------------------------------------------------------------------

    /** The mapping's entries by key, refusing keys not in {@code known} and keys given twice. */
    private Map<String, Node> fields(MappingNode mapping, List<String> known, String prefix) {
        Map<String, Node> fields = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            String key = keyNode instanceof ScalarNode s ? s.getValue() : null;
            if (key == null) {
                problems.add(at(keyNode, prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1),
                        "has a key that is not a plain name", "use one of " + String.join(", ", known)));
            } else if (!known.contains(key)) {
                String hint = known.stream().filter(k -> k.equalsIgnoreCase(key)).findFirst()
                        .map(k -> "did you mean '" + k + "'? Keys are case-sensitive; known keys here are ")
                        .orElse("known keys here are ");
                problems.add(at(keyNode, prefix + key, "is not a known key", hint + String.join(", ", known)));
            } else if (fields.putIfAbsent(key, tuple.getValueNode()) != null) {
                problems.add(at(keyNode, prefix + key, "is given twice", "merge the two into one"));
            }
        }
        return fields;
    }

    private static Node field(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
                return tuple.getValueNode();
            }
        }
        return null;
    }

    /** A non-blank text value; a problem (and null) otherwise. */
    private String scalar(Node node, String at) {
        if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag()) && !s.getValue().isBlank()) {
            return s.getValue().strip();
        }
        problems.add(at(node, at, node instanceof ScalarNode ? "is empty" : "must be a single value, not a list or mapping", null));
        return null;
    }

    /** One value or a non-empty list of non-blank values. */
    private List<String> strings(Node node, String at, String expected) {
        if (node instanceof ScalarNode) {
            String value = scalar(node, at);
            return value == null ? null : List.of(value);
        }
        if (node instanceof SequenceNode sequence && !sequence.getValue().isEmpty()) {
            List<String> values = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                String value = item instanceof ScalarNode ? scalar(item, at) : null;
                if (value == null) {
                    if (!(item instanceof ScalarNode)) {
                        problems.add(at(item, at, "must list plain values", "write " + expected));
                    }
                    return null;
                }
                values.add(value);
            }
            return values;
        }
        problems.add(at(node, at, node instanceof SequenceNode ? "is an empty list, which never matches" : "must be " + expected,
                "write " + expected));
        return null;
    }

    private Boolean bool(Node node, String at) {
        if (node instanceof ScalarNode s && Tag.BOOL.equals(s.getTag())) {
            return Set.of("true", "yes", "on").contains(s.getValue().toLowerCase(Locale.ROOT));
        }
        problems.add(at(node, at, "must be true or false", null));
        return null;
    }

    // ---- problems ---------------------------------------------------------------------------------------

    private ConfigProblem at(Node node, String key, String problem, String fix) {
        return new ConfigProblem(file, where(line(node), key), problem, fix);
    }

    private String where(int line, String key) {
        return where(line, rule, key);
    }

    /** "line 12, rule 'vendor-invoice', when.subject.regex": what a person needs to find the spot. */
    static String where(int line, String quotedRule, String key) {
        StringBuilder where = new StringBuilder("line ").append(line);
        if (quotedRule != null) {
            where.append(", rule ").append(quotedRule);
        }
        if (key != null && !key.isEmpty()) {
            where.append(", ").append(key);
        }
        return where.toString();
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    static String quote(String value) {
        return "'" + value + "'";
    }
}

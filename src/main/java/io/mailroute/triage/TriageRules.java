package io.mailroute.triage;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One loaded triage rules file: ordered rules, the first that matches decides, the last is the default.
 * Immutable and thread-safe. The file format is documented at the top of {@code config/triage.yaml}.
 */
public final class TriageRules {

    private final String source;
    private final List<Rule> rules;
    private final byte[] sha256;

    private TriageRules(String source, List<Rule> rules, byte[] sha256) {
        this.source = source;
        this.rules = List.copyOf(rules);
        this.sha256 = sha256;
    }

    /** Loads and validates the file; throws {@link ConfigException} listing every problem found. */
    public static TriageRules load(Path file) {
        return parse(file.toString(), read(file));
    }

    /** Validates without throwing: every problem found, empty when the file is fine. */
    public static List<ConfigProblem> check(Path file) {
        try {
            load(file);
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }

    /** Parses file content already read (the reloader reads once, hashes and parses the same bytes). */
    static TriageRules parse(String source, byte[] content) {
        TriageRulesParser.Result result = TriageRulesParser.parse(source, content);
        if (!result.problems().isEmpty()) {
            throw new ConfigException(result.problems());
        }
        return new TriageRules(source, result.rules(), digest(content));
    }

    static byte[] read(Path file) {
        try {
            if (Files.size(file) > TriageRulesParser.MAX_FILE_BYTES) {
                throw new ConfigException(TriageRulesParser.fileProblem(file.toString(),
                        "is larger than " + TriageRulesParser.MAX_FILE_BYTES / 1024 + " KiB", "split it or remove unused rules"));
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(TriageRulesParser.fileProblem(file.toString(), "file not found",
                    "create it (see config/triage.yaml in the repository) or pass --config DIR"));
        } catch (IOException e) {
            throw new ConfigException(TriageRulesParser.fileProblem(file.toString(), "cannot be read: " + e.getMessage(),
                    "check the file's permissions"));
        }
    }

    /** The decision of the first rule that matches; never null, since the last rule matches everything. */
    public TriageDecision classify(TriageInput input) {
        MailFacts mail = new MailFacts(Objects.requireNonNull(input, "input"));
        for (Rule rule : rules) {
            if (Condition.holds(Condition.all(rule.when(), mail, false))) {
                return rule.then();
            }
        }
        throw new IllegalStateException("no rule matched; the parser guarantees a default rule at the end");
    }

    /** Like {@link #classify}, with every rule evaluated up to the match and the reason of each condition. */
    public Explanation explain(TriageInput input) {
        MailFacts mail = new MailFacts(Objects.requireNonNull(input, "input"));
        List<Explanation.RuleVerdict> verdicts = new ArrayList<>();
        for (Rule rule : rules) {
            List<Condition.Check> checks = Condition.all(rule.when(), mail, true);
            boolean matched = Condition.holds(checks);
            List<String> reasons = checks.isEmpty()
                    ? List.of("+ default rule: matches every message")
                    : checks.stream().map(c -> (c.holds() ? "+ " : "- ") + c.reason()).toList();
            verdicts.add(new Explanation.RuleVerdict(rule.id(), matched, reasons));
            if (matched) {
                return new Explanation(rule.then(), verdicts);
            }
        }
        throw new IllegalStateException("no rule matched; the parser guarantees a default rule at the end");
    }

    /** An audience a rule's {@code notify:} names; channels.yaml must define it. */
    public record Notification(String ruleId, int line, String audience) {
        /** Where to look: "line 12, rule 'vendor-invoice', then.notify". */
        public String where() {
            return TriageRulesParser.where(line, TriageRulesParser.quote(ruleId), "then.notify");
        }
    }

    /** A rule that makes approvals: whom it names as approvers, which policy (null: the default), its items' queue. */
    public record ApprovalRule(String ruleId, int line, List<String> approvers, String policy, String queue) {
        /** Where to look: "line 12, rule 'approval-request', then.approvers". */
        public String where(String key) {
            return TriageRulesParser.where(line, TriageRulesParser.quote(ruleId), key);
        }
    }

    /** Every rule of type approval, in order. */
    public List<ApprovalRule> approvalRules() {
        return rules.stream().filter(r -> r.then().itemType() == ItemType.APPROVAL)
                .map(r -> new ApprovalRule(r.id(), r.line(), r.then().approvers(), r.then().policy(), r.then().queue())).toList();
    }

    /** Every audience the rules notify, rule by rule. */
    public List<Notification> notifications() {
        List<Notification> out = new ArrayList<>();
        rules.forEach(r -> r.then().notifyChannels().forEach(a -> out.add(new Notification(r.id(), r.line(), a))));
        return out;
    }

    /**
     * Rules that can never match, as warnings: their {@code mailbox:} names none of the monitored mailboxes, or
     * earlier rules that ask for nothing but the mailbox take all of its mail.
     */
    public List<ConfigProblem> neverMatching(Collection<String> monitoredMailboxes) {
        List<ConfigProblem> warnings = new ArrayList<>();
        if (monitoredMailboxes.isEmpty()) {
            return warnings;
        }
        Set<String> taken = new TreeSet<>();
        List<String> takers = new ArrayList<>();
        for (Rule rule : rules.subList(0, rules.size() - 1)) {
            Set<String> reach = reach(rule, monitoredMailboxes);
            String quoted = TriageRulesParser.quote(rule.id());
            mailboxConditions(rule).flatMap(c -> c.ids().stream())
                    .filter(glob -> monitoredMailboxes.stream().noneMatch(glob::matches))
                    .forEach(glob -> warnings.add(new ConfigProblem(source, TriageRulesParser.where(rule.line(), quoted,
                            "when.mailbox"), "'" + glob + "' is not a monitored mailbox of mailboxes.yaml "
                                    + new TreeSet<>(monitoredMailboxes) + (reach.isEmpty() ? ", so the rule never matches" : ""),
                            "fix the mailbox id, or remove it")));
            if (reach.isEmpty()) {
                continue;
            }
            if (taken.containsAll(reach)) {
                warnings.add(new ConfigProblem(source, TriageRulesParser.where(rule.line(), quoted, ""),
                        "never matches: " + String.join(", ", takers) + " before it take" + (takers.size() == 1 ? "s" : "")
                                + " every message of " + reach,
                        "move it above them, or narrow them with more conditions"));
            } else if (rule.when().stream().allMatch(c -> c instanceof Condition.MailboxIs)) {
                taken.addAll(reach);
                takers.add("rule " + quoted + " (line " + rule.line() + ")");
            }
        }
        return warnings;
    }

    /** The monitored mailboxes a rule can match mail of: every one its {@code mailbox:} conditions allow. */
    private static Set<String> reach(Rule rule, Collection<String> monitored) {
        Set<String> reach = new TreeSet<>(monitored);
        mailboxConditions(rule).forEach(c -> reach.removeIf(id -> c.ids().stream().noneMatch(glob -> glob.matches(id))));
        return reach;
    }

    private static java.util.stream.Stream<Condition.MailboxIs> mailboxConditions(Rule rule) {
        return rule.when().stream().filter(c -> c instanceof Condition.MailboxIs).map(c -> (Condition.MailboxIs) c);
    }

    /** The file the rules were loaded from. */
    public String source() {
        return source;
    }

    public int size() {
        return rules.size();
    }

    /** Rule ids in order, e.g. for logs and the API. */
    public List<String> ruleIds() {
        return rules.stream().map(Rule::id).toList();
    }

    boolean sameContent(byte[] otherSha256) {
        return MessageDigest.isEqual(sha256, otherSha256);
    }

    static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "TriageRules[" + source + ": " + rules.size() + " rules]";
    }
}

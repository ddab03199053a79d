package io.mailroute.approvals;

import io.mailroute.config.ConfigProblem;
import io.mailroute.triage.TriageRules;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code config/approvals.yaml}: named policies and groups of approvers, as {@link ApprovalsFile} read them.
 *
 * @param source  the file (for messages), or a description when it does not exist
 * @param mailbox the mailbox requests that come from the API or a route are sent from (null: none set)
 * @param groups  approver groups by name, each a list of addresses
 * @param queues  the approvers of a queue's approval items, by queue name (triage.yaml's queue:), each a list of
 *                addresses: what {@code approvers: $queue} in a rule and {@code queue:<name>} anywhere name
 * @param policies policies by name; always has {@link #DEFAULT_POLICY}
 */
public record ApprovalsConfig(String source, String mailbox, Map<String, List<String>> groups, Map<String, List<String>> queues,
        Map<String, Policy> policies) {

    /** In a triage rule's approvers: the approvers of the queue the rule puts its items in. */
    public static final String RULES_QUEUE = "$queue";
    /** Before a queue's name, {@code queue:accounts-payable}: that queue's approvers (rules, API, routes). */
    public static final String QUEUE_PREFIX = "queue:";

    /** The policy of a request or rule that names none. */
    public static final String DEFAULT_POLICY = "default";
    /** The default policy when the file defines none: any approver decides, within three days. */
    static final Policy BUILT_IN_DEFAULT = new Policy(DEFAULT_POLICY, ApprovalPolicy.of(ApprovalMode.ANY), Duration.ofDays(3),
            List.of(), List.of(), Urgent.NEVER);

    public ApprovalsConfig(String source, String mailbox, Map<String, List<String>> groups, Map<String, Policy> policies) {
        this(source, mailbox, groups, Map.of(), policies);
    }

    public ApprovalsConfig {
        groups = Map.copyOf(groups);
        queues = Map.copyOf(queues);
        policies = Map.copyOf(policies);
    }

    /**
     * A named policy.
     *
     * @param expires    how long the approvers have; null for no expiry
     * @param reminders  when to remind the approvers still asked, counted from the request
     * @param escalateTo who is told when it expires (addresses), possibly empty
     */
    public record Policy(String name, ApprovalPolicy rule, Duration expires, List<Duration> reminders, List<String> escalateTo,
            Urgent urgent) {
        public Policy {
            reminders = List.copyOf(reminders);
            escalateTo = List.copyOf(escalateTo);
        }
    }

    /**
     * When an approval is urgent (pushed at once as well as mailed): its priority is one of {@code priorities}, or its
     * {@code amount} field is over {@code amountOver} in {@code currency}.
     */
    public record Urgent(Set<String> priorities, BigDecimal amountOver, String currency) {
        static final Urgent NEVER = new Urgent(Set.of(), null, null);

        public Urgent {
            priorities = Set.copyOf(priorities);
        }

        public boolean applies(String priority, BigDecimal amount, String amountCurrency) {
            if (priority != null && priorities.contains(priority)) {
                return true;
            }
            return amountOver != null && amount != null && currency.equalsIgnoreCase(String.valueOf(amountCurrency))
                    && amount.compareTo(amountOver) > 0;
        }
    }

    public Optional<Policy> policy(String name) {
        return Optional.ofNullable(policies.get(name == null ? DEFAULT_POLICY : name));
    }

    /**
     * Approvers as requests and rules name them (addresses, group names, {@code queue:<name>}) as addresses, in order,
     * each once.
     *
     * @throws IllegalArgumentException naming the first that is neither an address, a group nor a queue with approvers
     */
    public List<String> expand(List<String> approversOrGroups) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> out = new ArrayList<>();
        for (String name : approversOrGroups) {
            for (String member : members(name)) {
                if (seen.add(member.toLowerCase(java.util.Locale.ROOT))) {
                    out.add(member);
                }
            }
        }
        return out;
    }

    /**
     * A rule's approvers as a request names them: {@value #RULES_QUEUE} becomes {@code queue:<the rule's queue>}.
     */
    public static List<String> forQueue(List<String> approvers, String queue) {
        return approvers.stream().map(a -> RULES_QUEUE.equals(a) ? QUEUE_PREFIX + queue : a).toList();
    }

    private List<String> members(String name) {
        if (name.startsWith(QUEUE_PREFIX)) {
            String queue = name.substring(QUEUE_PREFIX.length());
            List<String> members = queues.get(queue);
            if (members == null || members.isEmpty()) {
                throw new IllegalArgumentException("queue '" + queue + "' has no approvers in " + source + " "
                        + (queues.isEmpty() ? "(it names none under queues:)" : "(queues: " + new java.util.TreeSet<>(queues.keySet()) + ")"));
            }
            return members;
        }
        if (groups.containsKey(name)) {
            return groups.get(name);
        }
        if (Addresses.isAddress(name)) {
            return List.of(Addresses.normalize(name));
        }
        throw new IllegalArgumentException("'" + name + "' is neither an email address nor a group of approvers "
                + (groups.isEmpty() ? "(" + source + " defines none)" : "of " + source + " " + new java.util.TreeSet<>(groups.keySet())));
    }

    /**
     * What the triage rules name here and this file does not have: a group of approvers, a policy, or too few approvers
     * for the policy's quorum. {@code check}, the service's start and every reload of the rules ask this.
     */
    public List<ConfigProblem> problemsIn(TriageRules rules) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (TriageRules.ApprovalRule rule : rules.approvalRules()) {
            List<String> approvers = null;
            try {
                approvers = expand(forQueue(rule.approvers(), rule.queue()));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(rules.source(), rule.where("then.approvers"), e.getMessage(), e.getMessage().startsWith("queue")
                        ? "name the queue's approvers under queues: in " + source + ", e.g. queues: {" + rule.queue() + ": [finance]}"
                        : groups.isEmpty() ? "define the group under approvers: in " + source + ", or name addresses"
                                : "name one of the groups " + new java.util.TreeSet<>(groups.keySet()) + " or an address"));
            }
            Policy policy = policies.get(rule.policy() == null ? DEFAULT_POLICY : rule.policy());
            if (policy == null) {
                problems.add(new ConfigProblem(rules.source(), rule.where("then.policy"), "policy '" + rule.policy()
                        + "' is not defined in " + source, "name one of " + new java.util.TreeSet<>(policies.keySet())
                        + ", or define it under policies:"));
            } else if (approvers != null && policy.rule().problemWith(approvers.size()) != null) {
                problems.add(new ConfigProblem(rules.source(), rule.where("then.approvers"), "policy '" + policy.name() + "' ("
                        + policy.rule() + ") " + policy.rule().problemWith(approvers.size()),
                        "name more approvers, or lower the policy's quorum"));
            }
        }
        return problems;
    }
}

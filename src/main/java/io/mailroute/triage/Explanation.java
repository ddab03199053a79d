package io.mailroute.triage;

import io.mailroute.text.Counted;
import java.time.Duration;
import java.util.List;

/**
 * Why a message got its decision: every rule evaluated, in order, up to and including the one that matched.
 *
 * @param verdicts one per evaluated rule; the last one is the match
 */
public record Explanation(TriageDecision decision, List<RuleVerdict> verdicts) {

    /** Reasons held start with {@code "+ "}, reasons that failed with {@code "- "}. */
    public record RuleVerdict(String ruleId, boolean matched, List<String> reasons) {
        public RuleVerdict {
            reasons = List.copyOf(reasons);
        }
    }

    public Explanation {
        verdicts = List.copyOf(verdicts);
    }

    /** Multi-line text for {@code triage --explain}. */
    public String render() {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        int skipped = verdicts.size() - 1;
        out.append("Matched rule '").append(decision.ruleId()).append("'");
        out.append(skipped == 0 ? " (the first rule)" : " after " + skipped + " earlier rule" + (skipped == 1 ? "" : "s") + " did not match");
        out.append(nl);
        for (RuleVerdict verdict : verdicts) {
            out.append(nl).append(verdict.matched() ? "MATCH  " : "no     ").append("rule '").append(verdict.ruleId()).append("'").append(nl);
            for (String reason : verdict.reasons()) {
                out.append("         ").append(reason).append(nl);
            }
        }
        out.append(nl).append("Decision:").append(nl);
        line(out, "type", decision.itemType().name().toLowerCase(java.util.Locale.ROOT));
        line(out, "category", decision.category());
        line(out, "queue", decision.queue());
        line(out, "assignee", decision.assignee());
        line(out, "priority", decision.priority());
        line(out, "sla", decision.sla() == null ? null : sla(decision.sla()));
        line(out, "notify", decision.notifyChannels().isEmpty() ? null : String.join(", ", decision.notifyChannels()));
        return out.toString();
    }

    /** P3D rather than Java's PT72H, plus words: "P3D (3 days)". */
    static String sla(Duration sla) {
        long minutes = sla.toMinutes();
        if (sla.toSeconds() % 60 != 0 || minutes == 0) {
            return sla.toString();
        }
        if (minutes % (24 * 60) == 0) {
            return "P" + minutes / (24 * 60) + "D (" + Counted.of(minutes / (24 * 60), "day") + ")";
        }
        if (minutes % 60 == 0) {
            return sla + " (" + Counted.of(minutes / 60, "hour") + ")";
        }
        return sla + " (" + Counted.of(minutes, "minute") + ")";
    }

    private static void line(StringBuilder out, String name, String value) {
        out.append("  ").append(String.format("%-9s", name)).append(value == null ? "-" : value).append(System.lineSeparator());
    }
}

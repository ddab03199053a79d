package io.mailroute.approvals;

import java.util.List;
import java.util.Objects;

/**
 * The decision logic of an approval, and nothing else: given the mode, the approvers in order and what each
 * has decided so far, is it still pending (and whom to ask now), approved, rejected or sent back for changes?
 * Pure, so it is tested over a table of cases, and the service only stores what it says.
 *
 * <ul>
 *   <li>{@code any}: the first decision decides.</li>
 *   <li>{@code all}: approved when every approver approves; the first reject (or request for changes) decides.</li>
 *   <li>{@code sequence}: the approvers in order; each approve asks the next, a reject or request for changes ends it.</li>
 *   <li>{@code quorum N}: approved once N approve; once N approvals can no longer be reached, rejected (or
 *       changes requested, when no one rejected).</li>
 * </ul>
 */
public record ApprovalPolicy(ApprovalMode mode, int quorum) {

    /** The state of an approval as the decisions so far make it. */
    public enum Verdict { PENDING, APPROVED, REJECTED, CHANGES_REQUESTED }

    /** One approver and their decision, null while they have not decided. */
    public record Vote(String approver, Decision decision) {
        public Vote {
            Objects.requireNonNull(approver, "approver");
        }

        boolean undecided() {
            return decision == null;
        }
    }

    /** The verdict, and while pending, who may decide now (everyone asked so far who has not decided). */
    public record Outcome(Verdict verdict, List<String> askNow) {
        public Outcome {
            askNow = List.copyOf(askNow);
        }

        public boolean pending() {
            return verdict == Verdict.PENDING;
        }
    }

    public ApprovalPolicy {
        Objects.requireNonNull(mode, "mode");
        if (mode == ApprovalMode.QUORUM ? quorum < 1 : quorum != 0) {
            throw new IllegalArgumentException(mode == ApprovalMode.QUORUM ? "a quorum is at least 1, got " + quorum
                    : "only mode quorum has a quorum");
        }
    }

    public static ApprovalPolicy of(ApprovalMode mode) {
        return new ApprovalPolicy(mode, 0);
    }

    public static ApprovalPolicy quorumOf(int n) {
        return new ApprovalPolicy(ApprovalMode.QUORUM, n);
    }

    /** Why these approvers cannot work under this policy (a quorum larger than the approvers), or null. */
    public String problemWith(int approvers) {
        if (approvers < 1) {
            return "needs at least one approver";
        }
        if (mode == ApprovalMode.QUORUM && quorum > approvers) {
            return "quorum " + quorum + " needs at least " + quorum + " approvers, got " + approvers;
        }
        return null;
    }

    /** @param votes every approver in order (position), with their decision so far */
    public Outcome outcome(List<Vote> votes) {
        if (votes.isEmpty()) {
            throw new IllegalArgumentException("an approval has at least one approver");
        }
        return switch (mode) {
            case ANY -> votes.stream().filter(v -> !v.undecided()).findFirst()
                    .map(v -> decided(v.decision()))
                    .orElseGet(() -> pending(votes));
            case ALL -> {
                Outcome refusal = firstRefusal(votes);
                if (refusal != null) {
                    yield refusal;
                }
                yield votes.stream().allMatch(v -> v.decision() == Decision.APPROVE)
                        ? decided(Decision.APPROVE) : pending(votes);
            }
            case SEQUENCE -> {
                for (Vote vote : votes) {
                    if (vote.undecided()) {
                        yield new Outcome(Verdict.PENDING, List.of(vote.approver()));
                    }
                    if (vote.decision() != Decision.APPROVE) {
                        yield decided(vote.decision());
                    }
                }
                yield decided(Decision.APPROVE);
            }
            case QUORUM -> {
                long approvals = votes.stream().filter(v -> v.decision() == Decision.APPROVE).count();
                long open = votes.stream().filter(Vote::undecided).count();
                if (approvals >= quorum) {
                    yield decided(Decision.APPROVE);
                }
                if (approvals + open < quorum) {
                    boolean rejected = votes.stream().anyMatch(v -> v.decision() == Decision.REJECT);
                    yield decided(rejected ? Decision.REJECT : Decision.REQUEST_CHANGES);
                }
                yield pending(votes);
            }
        };
    }

    /** Whether this approver may decide now: one of the approvers, not decided yet, and asked (a sequence's turn). */
    public boolean mayDecide(String approver, List<Vote> votes) {
        Outcome outcome = outcome(votes);
        return outcome.pending() && outcome.askNow().stream().anyMatch(a -> a.equalsIgnoreCase(approver));
    }

    private static Outcome firstRefusal(List<Vote> votes) {
        boolean changes = false;
        for (Vote vote : votes) {
            if (vote.decision() == Decision.REJECT) {
                return decided(Decision.REJECT);
            }
            changes |= vote.decision() == Decision.REQUEST_CHANGES;
        }
        return changes ? decided(Decision.REQUEST_CHANGES) : null;
    }

    private static Outcome pending(List<Vote> votes) {
        return new Outcome(Verdict.PENDING, votes.stream().filter(Vote::undecided).map(Vote::approver).toList());
    }

    private static Outcome decided(Decision decision) {
        return new Outcome(Verdict.valueOf(decision.outcome()), List.of());
    }

    @Override
    public String toString() {
        return mode == ApprovalMode.QUORUM ? "quorum " + quorum : mode.configName();
    }
}

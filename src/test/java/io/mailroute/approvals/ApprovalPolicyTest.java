package io.mailroute.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decision logic over a table: policy, the decisions of approvers a, b and c in order ('-' undecided,
 * A approve, R reject, C request changes), and the outcome with whom to ask now.
 */
class ApprovalPolicyTest {

    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @CsvSource(delimiter = '|', textBlock = """
            any        | ---  | PENDING           | a b c
            any        | -A-  | APPROVED          |
            any        | R--  | REJECTED          |
            any        | --C  | CHANGES_REQUESTED |
            all        | ---  | PENDING           | a b c
            all        | A-A  | PENDING           | b
            all        | AAA  | APPROVED          |
            all        | A-R  | REJECTED          |
            all        | -C-  | CHANGES_REQUESTED |
            all        | CR-  | REJECTED          |
            sequence   | ---  | PENDING           | a
            sequence   | A--  | PENDING           | b
            sequence   | AA-  | PENDING           | c
            sequence   | AAA  | APPROVED          |
            sequence   | AR-  | REJECTED          |
            sequence   | C--  | CHANGES_REQUESTED |
            quorum 2   | ---  | PENDING           | a b c
            quorum 2   | A--  | PENDING           | b c
            quorum 2   | A-A  | APPROVED          |
            quorum 2   | R--  | PENDING           | b c
            quorum 2   | R-R  | REJECTED          |
            quorum 2   | RA-  | PENDING           | c
            quorum 2   | C-C  | CHANGES_REQUESTED |
            quorum 2   | CR-  | REJECTED          |
            quorum 3   | AAR  | REJECTED          |
            quorum 1   | --A  | APPROVED          |
            """)
    void decisionsSoFarMakeTheOutcome(String policy, String decisions, String verdict, String askNow) {
        ApprovalPolicy.Outcome outcome = policy(policy).outcome(votes(decisions));
        assertEquals(ApprovalPolicy.Verdict.valueOf(verdict), outcome.verdict());
        assertEquals(askNow == null ? List.of() : Arrays.asList(askNow.split(" ")), outcome.askNow());
    }

    @ParameterizedTest(name = "{0} {1}: {2} may decide = {3}")
    @CsvSource(delimiter = '|', textBlock = """
            sequence | --- | a | true
            sequence | --- | b | false
            sequence | A-- | b | true
            sequence | A-- | a | false
            sequence | A-- | z | false
            all      | A-- | a | false
            all      | A-- | C | true
            any      | A-- | b | false
            quorum 2 | A-- | c | true
            """)
    void onlyAnApproverWhoseTurnItIsMayDecide(String policy, String decisions, String approver, boolean may) {
        assertEquals(may, policy(policy).mayDecide(approver, votes(decisions)));
    }

    @Test
    void aQuorumLargerThanTheApproversIsNamedAndModesOtherThanQuorumHaveNone() {
        assertEquals("quorum 3 needs at least 3 approvers, got 2", ApprovalPolicy.quorumOf(3).problemWith(2));
        assertEquals(null, ApprovalPolicy.quorumOf(2).problemWith(2));
        assertEquals("needs at least one approver", ApprovalPolicy.of(ApprovalMode.ANY).problemWith(0));
        assertThrows(IllegalArgumentException.class, () -> new ApprovalPolicy(ApprovalMode.ALL, 2));
        assertThrows(IllegalArgumentException.class, () -> ApprovalPolicy.quorumOf(0));
    }

    @Test
    void anApprovalWithoutApproversHasNoOutcome() {
        assertThrows(IllegalArgumentException.class, () -> ApprovalPolicy.of(ApprovalMode.ANY).outcome(List.of()));
        assertTrue(ApprovalPolicy.of(ApprovalMode.ANY).outcome(votes("-")).pending());
        assertFalse(ApprovalPolicy.of(ApprovalMode.ANY).outcome(votes("A")).pending());
    }

    private static ApprovalPolicy policy(String text) {
        return text.startsWith("quorum") ? ApprovalPolicy.quorumOf(Integer.parseInt(text.substring(7)))
                : ApprovalPolicy.of(ApprovalMode.valueOf(text.toUpperCase()));
    }

    /** "A-R": a approved, b undecided, c rejected. */
    private static List<ApprovalPolicy.Vote> votes(String decisions) {
        List<ApprovalPolicy.Vote> votes = new ArrayList<>();
        for (int i = 0; i < decisions.length(); i++) {
            Decision d = switch (decisions.charAt(i)) {
                case 'A' -> Decision.APPROVE;
                case 'R' -> Decision.REJECT;
                case 'C' -> Decision.REQUEST_CHANGES;
                default -> null;
            };
            votes.add(new ApprovalPolicy.Vote(String.valueOf((char) ('a' + i)), d));
        }
        return votes;
    }
}

package io.mailroute.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.triage.TriageRules;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApprovalsFileTest {

    @TempDir
    Path dir;

    @Test
    void theShippedFileLoads() {
        ApprovalsConfig config = ApprovalsFile.load(Path.of("config", "approvals.yaml"));
        assertEquals("accounts", config.mailbox());
        assertEquals(List.of("r.okafor@acme.example"), config.groups().get("finance"));
        assertEquals(List.of("r.okafor@acme.example"), config.queues().get("approvals"), "the queue's group, as addresses");
        ApprovalsConfig.Policy po = config.policy("purchase-order").orElseThrow();
        assertEquals(ApprovalPolicy.of(ApprovalMode.ANY), po.rule());
        assertEquals(Duration.ofDays(3), po.expires());
        assertEquals(List.of(Duration.ofHours(24), Duration.ofHours(48)), po.reminders());
        assertEquals(List.of("team@acme.example"), po.escalateTo());
        assertTrue(po.urgent().applies("NORMAL", new BigDecimal("12480.00"), "EUR"), "over 10000 EUR");
        assertFalse(po.urgent().applies("NORMAL", new BigDecimal("12480.00"), "USD"), "another currency");
        assertFalse(po.urgent().applies("HIGH", new BigDecimal("9999"), "EUR"));
        assertTrue(po.urgent().applies("URGENT", null, null));
        assertEquals(ApprovalMode.SEQUENCE, config.policy("purchase-chain").orElseThrow().rule().mode());
    }

    @Test
    void withoutTheFileThereIsTheBuiltInDefaultAndNoGroups() {
        ApprovalsConfig config = ApprovalsFile.load(dir.resolve("approvals.yaml"));
        assertEquals(ApprovalsConfig.BUILT_IN_DEFAULT, config.policy(null).orElseThrow());
        assertTrue(config.groups().isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.expand(List.of("finance")));
        assertTrue(e.getMessage().contains("'finance' is neither an email address nor a group"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            bad mode           | "policies: {po: {mode: majority}}"                         | policies.po.mode | 'majority' is not a mode
            mode missing       | "policies: {po: {expires: P3D}}"                            | policies.po.mode | is missing
            bad duration       | "policies: {po: {mode: any, expires: 3 days}}"              | policies.po.expires | '3 days' is not an ISO-8601 duration
            zero duration      | "policies: {po: {mode: any, expires: PT0S}}"                | policies.po.expires | is not longer than zero
            bad reminder       | "policies: {po: {mode: any, reminders: [tomorrow]}}"        | policies.po.reminders[0] | 'tomorrow' is not an ISO-8601 duration
            reminder too late  | "policies: {po: {mode: any, expires: P1D, reminders: [P2D]}}" | policies.po.reminders[0] | P2D is not before the expiry (P1D)
            quorum missing     | "policies: {po: {mode: quorum}}"                            | policies.po.quorum | is missing
            quorum not a number| "policies: {po: {mode: quorum, quorum: two}}"               | policies.po.quorum | 'two' is not a whole number
            quorum on any      | "policies: {po: {mode: any, quorum: 2}}"                    | policies.po.quorum | is only for mode quorum
            unknown group      | "approvers: {finance: [a@acme.example]}\npolicies: {po: {mode: any, escalate-to: finanse}}" | policies.po.escalate-to | 'finanse' is neither an email address nor a group of approvers:
            unknown key        | "policies: {po: {mode: any, expiry: P3D}}"                  | policies.po.expiry | is not a known setting
            bad group member   | "approvers: {finance: [Rita Okafor]}"                        | approvers.finance | 'Rita Okafor' is not an email address
            bad group name     | "approvers: {Finance Team: [a@acme.example]}"               | approvers.Finance Team | is not a valid group name
            currency missing   | "policies: {po: {mode: any, urgent: {amount-over: 10000}}}" | policies.po.urgent.currency | is missing, and amount-over needs it
            bad priority       | "policies: {po: {mode: any, urgent: {priority: [P1]}}}"     | policies.po.urgent.priority | 'P1' is not a priority
            """)
    void aBrokenPolicyIsNamedWithFileKeyAndFix(String name, String yaml, String key, String problem) throws IOException {
        Path file = dir.resolve("approvals.yaml");
        Files.writeString(file, yaml.replace("\\n", "\n"));
        ConfigException e = assertThrows(ConfigException.class, () -> ApprovalsFile.load(file));
        assertEquals(1, e.problems().size(), e.problems().toString());
        ConfigProblem p = e.problems().get(0);
        assertEquals(file.toString(), p.file());
        assertEquals(key, p.key());
        assertTrue(p.problem().contains(problem), p.problem());
        assertFalse(p.fix() == null || p.fix().isBlank(), "says what to do: " + p);
    }

    @Test
    void triageRulesThatNameAGroupOrPolicyThisFileLacksAreNamedWithRuleAndLine() throws IOException {
        Path approvals = dir.resolve("approvals.yaml");
        Files.writeString(approvals, """
                approvers: {finance: [a@acme.example]}
                policies:
                  two-of-them: {mode: quorum, quorum: 2}
                """);
        Path rules = dir.resolve("triage.yaml");
        Files.writeString(rules, """
                rules:
                  - id: po
                    when: {subject: approve}
                    then: {type: approval, category: a, queue: q, approvers: [finanse], policy: purchase-order}
                  - id: pair
                    when: {subject: pair}
                    then: {type: approval, category: a, queue: q, approvers: finance, policy: two-of-them}
                  - id: fine
                    when: {subject: fine}
                    then: {type: approval, category: a, queue: q, approvers: [finance, b@acme.example], policy: two-of-them}
                  - id: default
                    then: {type: case, category: general, queue: triage}
                """);
        List<ConfigProblem> problems = ApprovalsFile.load(approvals).problemsIn(TriageRules.load(rules));
        assertEquals(List.of(
                rules + ": line 2, rule 'po', then.approvers: 'finanse' is neither an email address nor a group of approvers of "
                        + approvals + " [finance]; name one of the groups [finance] or an address",
                rules + ": line 2, rule 'po', then.policy: policy 'purchase-order' is not defined in " + approvals
                        + "; name one of [default, two-of-them], or define it under policies:",
                rules + ": line 5, rule 'pair', then.approvers: policy 'two-of-them' (quorum 2) quorum 2 needs at least 2 approvers, "
                        + "got 1; name more approvers, or lower the policy's quorum"),
                problems.stream().map(ConfigProblem::toString).toList());
    }
}

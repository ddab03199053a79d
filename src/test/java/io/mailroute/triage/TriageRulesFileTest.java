package io.mailroute.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A broken rules file is refused with every problem: file, line, rule id, key, what is wrong and what to do. */
class TriageRulesFileTest {

    private static final String DEFAULT_RULE = """
              - id: default
                then: {type: case, category: general, queue: triage}
            """;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            bad regex        | when: {subject: {regex: '^[FIRING'}}                 | line 3, rule 'broken', when.subject.regex | regex /^[FIRING/ does not compile: Unclosed character class
            bad regex in list| when: {body: {regex: [ok, '(unclosed']}}           | line 3, rule 'broken', when.body.regex    | regex /(unclosed/ does not compile
            SLA not ISO-8601 | then: {type: case, category: c, queue: q, sla: 3 days} | line 4, rule 'broken', then.sla       | '3 days' is not an ISO-8601 duration
            SLA of zero      | then: {type: case, category: c, queue: q, sla: PT0S}  | line 4, rule 'broken', then.sla          | is not longer than zero
            unknown when key | when: {sender: x@y.example}                           | line 3, rule 'broken', when.sender       | is not a known key
            case typo        | when: {replyto: true}                                 | line 3, rule 'broken', when.replyto      | is not a known key
            unknown then key | then: {type: case, category: c, queue: q, team: ap}  | line 4, rule 'broken', then.team         | is not a known key
            unknown rule key | whenever: {mailbox: x}                                | line 3, rule 'broken', whenever          | is not a known key
            bad priority     | then: {type: case, category: c, queue: q, priority: P1} | line 4, rule 'broken', then.priority   | 'P1' is not a priority
            bad item type    | then: {type: ticket, category: c, queue: q}          | line 4, rule 'broken', then.type         | 'ticket' is not an item type
            queue missing    | then: {type: alert, category: c}                     | line 4, rule 'broken', then.queue        | is missing
            bad verdict      | when: {authentication: {dmarc: failed}}              | line 3, rule 'broken', when.authentication.dmarc | 'failed' is not a verdict Gmail reports
            unseen header    | when: {headers: {X-Spam-Score: '*'}}                 | line 3, rule 'broken', when.headers.X-Spam-Score | is not a header triage can see
            empty list       | when: {from: []}                                     | line 3, rule 'broken', when.from         | is an empty list, which never matches
            not a boolean    | when: {replyTo: maybe}                               | line 3, rule 'broken', when.replyTo      | must be true or false
            nested any       | when: {any: [{mailbox: x}, {subject: {regex: '('}}]} | line 3, rule 'broken', when.any[1].subject.regex | does not compile
            contradiction    | when: {attachment: {present: false, type: '*/pdf'}} | line 3, rule 'broken', when.attachment.present | can never match
            approval, nobody | then: {type: approval, category: c, queue: q}        | line 4, rule 'broken', then.approvers    | is missing, so nobody would be asked to approve
            approvers on case| then: {type: case, category: c, queue: q, approvers: finance} | line 4, rule 'broken', then.approvers | is only for type: approval
            bad approver     | then: {type: approval, category: c, queue: q, approvers: [Finance Team]} | line 4, rule 'broken', then.approvers | 'Finance Team' is neither an email address, a group name nor a queue
            bad queue        | then: {type: approval, category: c, queue: q, approvers: ['queue:A Q']} | line 4, rule 'broken', then.approvers | 'queue:A Q' is neither an email address, a group name nor a queue
            policy on alert  | then: {type: alert, category: c, queue: q, policy: po} | line 4, rule 'broken', then.policy      | is only for type: approval
            """)
    void aBrokenRuleIsRefusedNamingItsLineRuleAndKey(String name, String brokenLine, String expectedWhere, String expectedProblem)
            throws IOException {
        String yaml = "rules:\n"
                + "  - id: broken\n"                                          // line 2
                + (brokenLine.startsWith("then:")
                        ? "    when: {mailbox: accounts}\n    " + brokenLine + "\n"   // broken 'then' on line 4
                        : "    " + brokenLine + "\n    then: {type: case, category: c, queue: q}\n") // broken line 3
                + DEFAULT_RULE;
        assertRefused(yaml, expectedWhere, expectedProblem);
    }

    @Test
    void aDuplicateIdNamesBothLines() throws IOException {
        assertRefused("""
                rules:
                  - id: invoices
                    when: {subject: invoice}
                    then: {type: case, category: c, queue: q}
                  - id: invoices
                    when: {subject: rechnung}
                    then: {type: case, category: c, queue: q}
                """ + DEFAULT_RULE, "line 5, rule 'invoices', id", "is also used by the rule at line 2");
    }

    @Test
    void aFileWithoutADefaultAtTheEndIsRefused() throws IOException {
        assertRefused("""
                rules:
                  - id: invoices
                    when: {subject: invoice}
                    then: {type: case, category: c, queue: q}
                  - id: hr
                    when: {mailbox: hr}
                    then: {type: case, category: c, queue: q}
                """, "line 5, rule 'hr'", "is the last rule but has a 'when'");
    }

    @Test
    void aCatchAllBeforeTheEndIsRefusedBecauseTheRulesAfterItCouldNeverMatch() throws IOException {
        assertRefused("""
                rules:
                  - id: everything
                    then: {type: case, category: c, queue: q}
                  - id: invoices
                    when: {subject: invoice}
                    then: {type: case, category: c, queue: q}
                """ + DEFAULT_RULE, "line 2, rule 'everything'", "the 2 rule(s) after it would never be used");
    }

    @Test
    void anEmptyWhenIsRefusedRatherThanTakenAsCatchAll() throws IOException {
        assertRefused("rules:\n  - id: oops\n    when: {}\n    then: {type: case, category: c, queue: q}\n" + DEFAULT_RULE,
                "line 3, rule 'oops', when", "must be a mapping of conditions");
    }

    @Test
    void aRuleWithoutIdIsNamedByItsPosition() throws IOException {
        assertRefused("rules:\n  - when: {mailbox: hr}\n    then: {type: case, category: c, queue: q}\n" + DEFAULT_RULE,
                "line 2, rule #1, id", "is missing");
    }

    @Test
    void aRuleIdMustBeUsableInLogsAndUrls() throws IOException {
        assertRefused("rules:\n  - id: Vendor Invoice\n    when: {mailbox: hr}\n    then: {type: case, category: c, queue: q}\n" + DEFAULT_RULE,
                "line 2, rule 'Vendor Invoice', id", "is not a valid rule id");
    }

    @Test
    void notYamlNamesTheLine() throws IOException {
        assertRefused("rules:\n  - id: a\n    when: {mailbox: hr\n    then: {type: case}\n", "line 4", "is not valid YAML");
    }

    @Test
    void notARulesFile() throws IOException {
        assertRefused("- just\n- a list\n", "line 1", "must be a mapping with a 'rules' list");
        assertRefused("rules: nothing\n", "line 1, rules", "must be a list of rules");
        assertRefused("mailboxes: []\n", "line 1, mailboxes", "is not a known key");
    }

    @Test
    void anEmptyOrMissingFileIsRefused() throws IOException {
        assertRefused("", "", "is empty");
        ConfigException missing = assertThrows(ConfigException.class, () -> TriageRules.load(dir.resolve("nope.yaml")));
        assertEquals("file not found", missing.problems().get(0).problem());
    }

    @Test
    void everyProblemInTheFileIsListedNotJustTheFirst() throws IOException {
        Path file = TriageFixtures.rulesFile(dir, """
                rules:
                  - id: one
                    when: {subject: {regex: '('}}
                    then: {type: case, category: c, queue: q, sla: soon}
                  - id: two
                    when: {labels: {some: [X]}}
                    then: {type: case, category: c, queue: q}
                """ + DEFAULT_RULE);

        List<ConfigProblem> problems = TriageRules.check(file);

        assertEquals(List.of("line 3, rule 'one', when.subject.regex", "line 4, rule 'one', then.sla", "line 6, rule 'two', when.labels.some"),
                problems.stream().map(ConfigProblem::key).toList(), problems.toString());
    }

    @Test
    void theMessageReadsAsOneLinePerProblemWithFileLineRuleAndFix() throws IOException {
        Path file = TriageFixtures.rulesFile(dir, "rules:\n  - id: slow\n    when: {mailbox: x}\n    then: {type: case, category: c, queue: q, sla: 2d}\n"
                + DEFAULT_RULE);

        ConfigException e = assertThrows(ConfigException.class, () -> TriageRules.load(file));

        assertEquals(file + ": line 4, rule 'slow', then.sla: '2d' is not an ISO-8601 duration; "
                + "write e.g. PT30M (30 minutes), PT4H (4 hours), P2D (2 days) or P1DT12H", e.getMessage());
    }

    @Test
    void aValidFileHasNoProblems() throws IOException {
        assertEquals(List.of(), TriageRules.check(TriageFixtures.rulesFile(dir, "rules:\n" + DEFAULT_RULE)));
    }

    private void assertRefused(String yaml, String expectedWhere, String expectedProblem) throws IOException {
        Path file = TriageFixtures.rulesFile(dir, yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> TriageRules.load(file), yaml);
        String all = e.problems().stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
        assertTrue(e.problems().stream().anyMatch(p -> p.key().equals(expectedWhere) && p.problem().contains(expectedProblem)),
                "expected [" + expectedWhere + ": ..." + expectedProblem + "...] among:\n" + all + "\nfor:\n" + yaml);
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertEquals(e.problems(), TriageRules.check(file), "check() and load() disagree");
    }
}

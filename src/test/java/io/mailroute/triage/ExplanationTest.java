package io.mailroute.triage;

import static io.mailroute.triage.TriageFixtures.mail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What `triage --explain` shows: the matching rule, and for each earlier rule why it did not match. */
class ExplanationTest {

    private static final TriageRules RULES = TriageRules.parse("rules.yaml", """
            rules:
              - id: newsletters
                when:
                  any:
                    - headers: {List-Id: "*"}
                    - from: ["newsletter@*", "*@news.*"]
                then: {type: ignore, category: newsletter}
              - id: bank-fraud
                when:
                  mailbox: accounts
                  body: "new bank details"
                  authentication: {dmarc: [fail, none]}
                then: {type: alert, category: fraud, queue: finance, priority: URGENT, sla: PT1H, notify: [finance-push]}
              - id: vendor-invoice
                when:
                  mailbox: accounts
                  from: "*@initech.example"
                  subject: {any: [invoice, rechnung]}
                  attachment: {type: application/pdf}
                then: {type: case, category: procurement/invoice, queue: accounts-payable, sla: P3D, notify: [ap-team]}
              - id: default
                then: {type: case, category: general, queue: triage}
            """.getBytes(StandardCharsets.UTF_8));

    private static final TriageInput INVOICE = mail().mailbox("accounts").from("billing@initech.example")
            .subject("Invoice INV-2026-0193").text("Please find attached our invoice.").attach("INV-2026-0193.pdf", "application/pdf")
            .build();

    @Test
    void verdictsListEveryRuleUpToTheMatchWithTheReasonOfEachCondition() {
        Explanation explanation = RULES.explain(INVOICE);

        assertEquals(List.of(
                new Explanation.RuleVerdict("newsletters", false, List.of(
                        "- any: none holds: (1) header List-Id is absent; "
                                + "(2) from billing@initech.example does not match any of [newsletter@*, *@news.*]")),
                new Explanation.RuleVerdict("bank-fraud", false, List.of(
                        "+ mailbox 'accounts' matches accounts",
                        "- body has none of \"new bank details\"",
                        "- dmarc is pass, not any of [fail, none]")),
                new Explanation.RuleVerdict("vendor-invoice", true, List.of(
                        "+ mailbox 'accounts' matches accounts",
                        "+ from billing@initech.example matches *@initech.example",
                        "+ subject has \"invoice\"",
                        "+ attachment 'INV-2026-0193.pdf' (application/pdf) has type application/pdf"))),
                explanation.verdicts());
        assertEquals(RULES.classify(INVOICE), explanation.decision());
    }

    @Test
    void renderNamesTheMatchAndWhyEachEarlierRuleDidNot() {
        String text = RULES.explain(INVOICE).render();

        assertTrue(text.startsWith("Matched rule 'vendor-invoice' after 2 earlier rules did not match"), text);
        assertInOrder(text,
                "no     rule 'newsletters'", "header List-Id is absent",
                "no     rule 'bank-fraud'", "- body has none of \"new bank details\"", "- dmarc is pass, not any of [fail, none]",
                "MATCH  rule 'vendor-invoice'", "+ subject has \"invoice\"",
                "Decision:", "type     case", "category procurement/invoice", "queue    accounts-payable",
                "assignee -", "priority NORMAL", "sla      P3D (3 days)", "notify   ap-team");
        assertTrue(!text.contains("rule 'default'"), "rules after the match are not evaluated:\n" + text);
    }

    @Test
    void theDefaultRuleSaysItMatchesEverything() {
        Explanation explanation = RULES.explain(mail().build());

        assertEquals(List.of("newsletters", "bank-fraud", "vendor-invoice", "default"),
                explanation.verdicts().stream().map(Explanation.RuleVerdict::ruleId).toList());
        assertEquals(List.of("+ default rule: matches every message"), explanation.verdicts().get(3).reasons());
        assertTrue(explanation.render().contains("Matched rule 'default' after 3 earlier rules did not match"));
    }

    @Test
    void aFirstRuleMatchIsSaidSo() {
        Explanation explanation = RULES.explain(mail().header("List-Id", "<news.hooli.example>").build());

        assertEquals(List.of(new Explanation.RuleVerdict("newsletters", true,
                List.of("+ any: (1) header List-Id '<news.hooli.example>' matches *"))), explanation.verdicts());
        assertTrue(explanation.render().startsWith("Matched rule 'newsletters' (the first rule)"), explanation.render());
        assertTrue(explanation.render().contains("queue    -"), "an ignored message has no queue");
    }

    @Test
    void aNotConditionSaysWhatWasNotWanted() {
        TriageRules rules = TriageRules.parse("not.yaml", """
                rules:
                  - id: unverified
                    when: {not: {authentication: {dmarc: pass}}}
                    then: {type: alert, category: c, queue: q}
                  - id: default
                    then: {type: case, category: general, queue: triage}
                """.getBytes(StandardCharsets.UTF_8));

        assertEquals(List.of("- not wanted, but dmarc is pass"), rules.explain(mail().build()).verdicts().get(0).reasons());
        assertEquals(List.of("+ not: dmarc is fail, not pass"), rules.explain(mail().dmarc("fail").build()).verdicts().get(0).reasons());
    }

    @Test
    void untrustedTextInReasonsIsShortAndOnOneLine() {
        Explanation explanation = RULES.explain(mail().mailbox("accounts\nFAKE LINE" + "x".repeat(500)).build());

        assertEquals(List.of("newsletters", "bank-fraud", "vendor-invoice", "default"),
                explanation.verdicts().stream().map(Explanation.RuleVerdict::ruleId).toList());
        List<String> reasons = explanation.verdicts().stream().flatMap(v -> v.reasons().stream()).toList();
        assertTrue(reasons.stream().anyMatch(r -> r.toLowerCase(java.util.Locale.ROOT).contains("fake line")), "the mailbox is quoted in a reason: " + reasons);
        for (String reason : reasons) {
            assertTrue(!reason.contains("\n") && reason.length() < 400, reason);
        }
        assertTrue(!explanation.render().toLowerCase(java.util.Locale.ROOT).contains("\nfake line"), explanation.render());
    }

    private static void assertInOrder(String text, String... parts) {
        int from = 0;
        for (String part : parts) {
            int at = text.indexOf(part, from);
            assertTrue(at >= 0, "expected '" + part + "' after position " + from + " in:\n" + text);
            from = at + part.length();
        }
    }
}

package io.mailroute.triage;

import static io.mailroute.triage.TriageFixtures.mail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which rule of src/test/resources/triage/every-condition.yaml each message reaches. */
class TriageRulesTest {

    private static TriageRules rules;

    @BeforeAll
    static void load() {
        rules = TriageRules.load(Path.of("src/test/resources/triage/every-condition.yaml"));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // nothing special: the default
                c("plain customer mail falls through to the default", mail(), "default"),
                // ordering
                c("first match wins over an identical later rule", mail().subject("ordering test"), "ordering-first"),
                // mailbox
                c("mailbox", mail().mailbox("hr"), "mailbox-hr"),
                c("mailbox id is case-insensitive", mail().mailbox("HR"), "mailbox-hr"),
                c("mailbox must match whole", mail().mailbox("hr-archive"), "default"),
                // sender
                c("sender address glob", mail().from("ceo@acme.example"), "sender-address"),
                c("sender address glob is anchored", mail().from("vice-ceo@acme.example"), "default"),
                c("sender domain", mail().from("billing@initech.example"), "sender-domain"),
                c("sender domain is exact, not its subdomains", mail().from("billing@mail.initech.example"), "default"),
                c("sender domain is anchored at the end", mail().from("billing@initech.example.evil"), "default"),
                c("sender subdomain glob", mail().from("nl@news.hooli.example"), "sender-subdomain"),
                c("sender glob is case-insensitive", mail().from("NL@NEWS.HOOLI.EXAMPLE"), "sender-subdomain"),
                c("*.domain does not match the bare domain", mail().from("nl@hooli.example"), "default"),
                c("@domain pattern", mail().from("k.weber@umbrella.example"), "sender-at-domain"),
                // recipients
                c("any To recipient", mail().to("someone@acme.example", "payroll@acme.example"), "to-recipient"),
                c("cc recipient", mail().cc("legal@acme.example"), "cc-recipient"),
                c("a cc rule ignores To", mail().to("legal@acme.example"), "default"),
                // subject keywords
                c("subject keyword, any case", mail().subject("Your RECHNUNG 12/2026"), "subject-any"),
                c("subject keyword matches whole words only", mail().subject("invoices attached"), "default"),
                c("a keyword inside a longer word is not the keyword", mail().subject("Abrechnung Oktober"), "default"),
                c("keywords with non-ASCII letters, any case", mail().subject("RÜCKFRAGE zur Lieferung"), "subject-umlaut"),
                c("keyword next to punctuation", mail().subject("Re: invoice?"), "subject-any"),
                c("subject all keywords, any order", mail().subject("Renewal of the contract"), "subject-all"),
                c("subject with only some of all", mail().subject("contract only"), "default"),
                c("phrase across extra whitespace", mail().subject("Price   change notice"), "subject-phrase"),
                c("phrase words in the wrong order", mail().subject("change in price"), "default"),
                // subject regex
                c("subject regex", mail().subject("[TICKET-42] printer"), "subject-regex"),
                c("subject regex anchored by ^", mail().subject("Re: [TICKET-42] printer"), "default"),
                // body
                c("body phrase across a line break", mail().text("Please note our new bank\ndetails below."), "body-keyword"),
                c("body rule does not look at the subject", mail().subject("new bank details").text("see subject"), "default"),
                c("HTML-only body is stripped of tags", mail().htmlOnly("<p>Our <b>new bank</b> details</p>"), "body-keyword"),
                c("HTML entities are decoded", mail().htmlOnly("<p>new&nbsp;bank&nbsp;details</p>"), "body-keyword"),
                c("HTML attributes are not text", mail().htmlOnly("<p title=\"new bank details\">hello</p>"), "default"),
                c("HTML script content is not text", mail().htmlOnly("<script>var s='new bank details'</script><p>hi</p>"), "default"),
                c("the text part wins over HTML", mail().text("hello").htmlOnly("<p>new bank details</p>").text("hello"), "default"),
                c("body regex", mail().text("Pay to IBAN: GB00 0000 0000"), "body-regex"),
                c("text: keyword in the subject", mail().subject("GDPR request"), "text-either"),
                c("text: keyword in the body", mail().text("a question about gdpr."), "text-either"),
                // attachments
                c("attachment content type", mail().attach("INV-1.pdf", "application/pdf"), "pdf-attachment"),
                c("attachment filename glob, any case", mail().attach("Q3.XLSX", "application/octet-stream"), "spreadsheet-by-name"),
                c("type and name on the same attachment", mail().attach("screenshot-1.png", "image/png"), "screenshot-image"),
                c("type and name on different attachments", mail().attach("screenshot.txt", "text/plain").attach("photo.png", "image/png"), "any-attachment"),
                c("attachment: true", mail().attach("notes.txt", "text/plain"), "any-attachment"),
                c("attachment: false", mail().mailbox("archive"), "archive-without-attachment"),
                c("attachment: false refuses mail with one", mail().mailbox("archive").attach("notes.txt", "text/plain"), "any-attachment"),
                // labels
                c("labels, any, case-insensitive", mail().labels("category_social"), "labels-any"),
                c("labels all: only one of two", mail().labels("IMPORTANT"), "default"),
                c("labels all: both", mail().labels("IMPORTANT", "Label_7"), "labels-all"),
                // authentication
                c("dmarc fail", mail().dmarc("fail"), "dmarc-fail"),
                c("dmarc verdict is matched exactly", mail().dmarc("none"), "default"),
                c("spf one of a list", mail().spf("neutral"), "spf-weak"),
                c("verdicts are compared case-insensitively", mail().dmarc("FAIL"), "dmarc-fail"),
                // reply
                c("reply to a known item", mail().replyToKnownItem(), "reply"),
                // headers
                c("header value glob, any case", mail().header("precedence", "Bulk"), "bulk-header"),
                c("header present", mail().header("List-Id", "Hooli News <news.hooli.example>"), "list-header"),
                c("header with another value", mail().header("Precedence", "first-class"), "default"),
                // any / not
                c("any: first alternative", mail().from("MAILER-DAEMON@mail.acme.example"), "any-group"),
                c("any: second alternative needs all of its conditions", mail().subject("Undeliverable: hi"), "default"),
                c("any: second alternative", mail().subject("Undeliverable: hi").header("Auto-Submitted", "auto-replied"), "any-group"),
                c("not: external sender", mail().mailbox("accounts").from("x@vendor.example"), "accounts-external"),
                c("not: internal sender", mail().mailbox("accounts").from("j.smith@acme.example"), "accounts-internal"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void messageReachesTheExpectedRule(String name, TriageFixtures.Mail mail, String expectedRule) {
        assertRule(expectedRule, mail.build());
    }

    @Test
    void decisionCarriesEverythingTheRuleSets() {
        TriageDecision decision = rules.classify(mail().mailbox("accounts").from("j.smith@acme.example").build());

        assertEquals(new TriageDecision("accounts-internal", ItemType.APPROVAL, "approval", "approvals", "j.smith", "HIGH",
                Duration.ofHours(4), List.of("approvers", "ops-push"), List.of("finance", "cfo@acme.example"), "purchase-order"),
                decision);
    }

    @Test
    void defaultsAreNormalPriorityNoSlaNoAssigneeNoChannels() {
        assertEquals(new TriageDecision("default", ItemType.CASE, "general", "triage", null, "NORMAL", null, List.of()),
                rules.classify(mail().build()));
    }

    @Test
    void aBodyIsSearchedOnlyInItsFirst64KiB() {
        String padding = "lorem ".repeat(MailFacts.MAX_TEXT_CHARS / 6 + 1);
        assertRule("body-keyword", mail().text("new bank details " + padding).build());
        assertRule("default", mail().text(padding + "new bank details").build());
    }

    @Test
    void aCatastrophicRegexGivesUpInsteadOfHangingIntake() {
        TriageRules slow = TriageRules.parse("slow.yaml", """
                rules:
                  - id: polynomial
                    when: {body: {regex: '(.*a){12}$'}}
                    then: {type: alert, category: x, queue: q}
                  - id: default
                    then: {type: case, category: general, queue: triage}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // Without a budget this takes hours: n^12 steps for n = 5000 (java.util.regex memoizes (a+)+, not this).
        TriageInput evil = mail().text("a".repeat(5000) + "!").build();

        TriageDecision decision = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> slow.classify(evil));

        assertEquals("default", decision.ruleId());
        String explained = slow.explain(evil).render();
        assertTrue(explained.contains("gave up after"), explained);
    }

    @Test
    void inputFromAParsedSeedMessage() throws Exception {
        // the seed support request has one real attachment (the screenshot)
        var parsed = TriageFixtures.parseAsDelivered(TriageFixtures.SEED.resolve("support@acme.example/01-portal-login-error.eml"),
                java.nio.file.Files.createTempDirectory("triage-att"));
        TriageInput input = TriageInput.from("support", parsed, List.of("INBOX"), false);

        assertEquals(List.of(new TriageInput.Attachment("portal-error.png", "image/png", input.attachments().get(0).size())),
                input.attachments());
        assertEquals(List.of("pass", "pass", "pass"), List.of(input.dkim(), input.spf(), input.dmarc()));
        assertEquals("m.chen@globex.example", input.fromAddress());
    }

    @Test
    void inputFromAParsedMailCountsInlinePartsOnlyWhenTheBodyDoesNotShowThem() throws Exception {
        String rfc822 = """
                From: a@initech.example
                To: support@acme.example
                Subject: parts
                Message-ID: <parts@initech.example>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b"

                --b
                Content-Type: text/html

                <p>hi <img src="cid:logo@x"></p>
                --b
                Content-Type: image/png; name="logo.png"
                Content-Disposition: inline; filename="logo.png"
                Content-ID: <logo@x>
                Content-Transfer-Encoding: base64

                iVBORw0KGgo=
                --b
                Content-Type: application/pdf; name="offer.pdf"
                Content-Disposition: inline; filename="offer.pdf"
                Content-Transfer-Encoding: base64

                JVBERi0xLjQK
                --b--
                """.replace("\n", "\r\n");
        var parsed = TriageFixtures.parseRaw(rfc822.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                java.nio.file.Files.createTempDirectory("triage-att"));

        List<String> names = TriageInput.from("support", parsed, null, false).attachments().stream()
                .map(TriageInput.Attachment::filename).toList();

        assertEquals(List.of("offer.pdf"), names);
    }

    @Test
    void aSenderStoredAsWrittenStillMatchesAddressAndDomainPatternsIgnoringCase() throws Exception {
        java.nio.file.Path store = java.nio.file.Files.createTempDirectory("triage-att");
        var boss = TriageFixtures.parseRaw(("From: The Boss <CEO(desk)@Globex.EXAMPLE>\r\nTo: support@acme.example\r\n"
                + "Subject: budget\r\n\r\nsee me\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII), store);
        var billing = TriageFixtures.parseRaw(("From: Billing@INITECH.example\r\nTo: support@acme.example\r\n"
                + "Subject: invoice\r\n\r\nattached\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII), store);

        assertEquals("CEO@globex.example", boss.from().address(), "the local part as written, the domain lower-cased");
        assertRule("sender-address", TriageInput.from("support", boss, List.of("INBOX"), false));
        assertRule("sender-domain", TriageInput.from("support", billing, List.of("INBOX"), false));
    }

    private static void assertRule(String expectedRule, TriageInput input) {
        TriageDecision decision = rules.classify(input);
        assertEquals(expectedRule, decision.ruleId(), () -> rules.explain(input).render());
        assertEquals(decision, rules.explain(input).decision(), "explain() and classify() disagree");
    }

    private static Arguments c(String name, TriageFixtures.Mail mail, String expectedRule) {
        return Arguments.of(name, mail, expectedRule);
    }
}

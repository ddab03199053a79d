package io.mailroute.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.MailboxSettings;
import io.mailroute.config.MailboxesFile;
import io.mailroute.gmail.mime.ParsedMail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped config/triage.yaml loads and sends every demo message where a person would. */
class ShippedTriageRulesTest {

    private static TriageRules rules;
    private static Map<String, String> mailboxIdByAddress;

    @TempDir
    Path attachments;

    @BeforeAll
    static void loadShippedConfig() {
        rules = TriageRules.load(TriageFixtures.SHIPPED_RULES);
        mailboxIdByAddress = MailboxesFile.load(Path.of("config", "mailboxes.yaml")).stream()
                .collect(Collectors.toMap(MailboxSettings::address, MailboxSettings::id));
    }

    @Test
    void shippedRulesLoadWithoutProblemsAndEndWithTheDefault() {
        assertEquals(List.of(), TriageRules.check(TriageFixtures.SHIPPED_RULES));
        assertTrue(rules.size() >= 15, rules.toString());
        assertEquals("default", rules.ruleIds().get(rules.size() - 1));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            support@acme.example/01-portal-login-error.eml       | support-urgent                 | CASE     | support            | HIGH
            support@acme.example/02-re-portal-login-error.eml    | reply-to-known-item            | CASE     | replies            | NORMAL
            support@acme.example/03-rueckfrage-lieferung.eml     | support-delivery               | CASE     | support            | NORMAL
            support@acme.example/04-hooli-newsletter.eml         | newsletters                    | IGNORE   |                    | NORMAL
            support@acme.example/05-bounce-undelivered.eml       | bounces                        | CASE     | bounces            | LOW
            support@acme.example/06-monitoring-alert.eml         | monitoring-alert               | ALERT    | ops-oncall         | URGENT
            accounts@acme.example/01-initech-invoice.eml         | vendor-invoice                 | CASE     | accounts-payable   | NORMAL
            accounts@acme.example/02-globex-purchase-order.eml   | purchase-order                 | CASE     | order-desk         | NORMAL
            accounts@acme.example/03-approve-po-4471.eml         | approval-request               | APPROVAL | approvals          | HIGH
            accounts@acme.example/04-payment-failed.eml          | payment-failed                 | CASE     | finance-exceptions | HIGH
            accounts@acme.example/05-initech-new-bank-details.eml| bank-details-change-unverified | ALERT    | finance-exceptions | URGENT
            hr@acme.example/01-leave-request.eml                 | hr-leave                       | CASE     | hr                 | NORMAL
            hr@acme.example/02-onboarding-request.eml            | hr-onboarding                  | CASE     | hr                 | HIGH
            """)
    void seedMailIsTriagedAsAPersonWould(String file, String rule, ItemType type, String queue, String priority) throws Exception {
        TriageDecision decision = rules.classify(seedInput(TriageFixtures.SEED.resolve(file)));

        assertEquals(Arrays.asList(rule, type, queue, priority),
                Arrays.asList(decision.ruleId(), decision.itemType(), decision.queue(), decision.priority()),
                file + "\n" + rules.explain(seedInput(TriageFixtures.SEED.resolve(file))).render());
    }

    @Test
    void everySeedMessageIsInTheTableAbove() throws IOException {
        // A new seed message must get an expectation here, so the demo never shows an unexplained decision.
        Set<String> expected = Set.of("01-portal-login-error.eml", "02-re-portal-login-error.eml", "03-rueckfrage-lieferung.eml",
                "04-hooli-newsletter.eml", "05-bounce-undelivered.eml", "06-monitoring-alert.eml", "01-initech-invoice.eml",
                "02-globex-purchase-order.eml", "03-approve-po-4471.eml", "04-payment-failed.eml",
                "05-initech-new-bank-details.eml", "01-leave-request.eml", "02-onboarding-request.eml");
        Set<String> seeded = new HashSet<>();
        for (Path eml : seedFiles()) {
            seeded.add(eml.getFileName().toString());
        }
        assertEquals(expected, seeded);
    }

    @Test
    void bankDetailsFraudIsCaughtEvenWhenGmailReportedNothing() throws Exception {
        // `triage --explain FILE.eml` parses the file as it is: no Authentication-Results, so every verdict is "none".
        Path eml = TriageFixtures.SEED.resolve("accounts@acme.example/05-initech-new-bank-details.eml");
        ParsedMail raw = TriageFixtures.parseRaw(Files.readAllBytes(eml), attachments);

        TriageDecision decision = rules.classify(TriageInput.from("accounts", raw, Set.of("INBOX"), false));

        assertEquals("bank-details-change-unverified", decision.ruleId());
    }

    @Test
    void theSameBankDetailsChangeFromAnAuthenticatedSenderIsACaseNotAnAlert() {
        TriageInput authenticated = TriageFixtures.mail().mailbox("accounts").from("billing@initech.example")
                .subject("New bank details from 1 January").text("Our bank account has changed.").build();

        TriageDecision decision = rules.classify(authenticated);

        assertEquals(List.of("bank-details-change", ItemType.CASE, "HIGH"),
                List.of(decision.ruleId(), decision.itemType(), decision.priority()));
    }

    @Test
    void everySeedMessageCanBeExplained() throws Exception {
        for (Path eml : seedFiles()) {
            Explanation explanation = rules.explain(seedInput(eml));
            assertEquals(rules.classify(seedInput(eml)), explanation.decision(), eml.toString());
            assertTrue(explanation.render().contains("'" + explanation.decision().ruleId() + "'"), eml.toString());
        }
    }

    /** The input intake would build: mailbox id from mailboxes.yaml, seed labels, reply = answers an earlier seed message. */
    private TriageInput seedInput(Path eml) throws Exception {
        Path mailboxDir = eml.getParent();
        String mailbox = mailboxIdByAddress.get(mailboxDir.getFileName().toString());
        Set<String> earlierIds = new HashSet<>();
        for (Path other : seedFiles()) {
            if (other.getParent().equals(mailboxDir) && other.getFileName().compareTo(eml.getFileName()) < 0) {
                earlierIds.add(TriageFixtures.parseAsDelivered(other, attachments).messageId());
            }
        }
        ParsedMail mail = TriageFixtures.parseAsDelivered(eml, attachments);
        List<String> answers = new ArrayList<>(mail.references());
        if (mail.inReplyTo() != null) {
            answers.add(mail.inReplyTo());
        }
        boolean reply = answers.stream().anyMatch(earlierIds::contains);
        return TriageInput.from(mailbox, mail, List.of("INBOX", "UNREAD"), reply);
    }

    private static List<Path> seedFiles() throws IOException {
        try (Stream<Path> files = Files.walk(TriageFixtures.SEED)) {
            return files.filter(f -> f.toString().endsWith(".eml")).sorted().toList();
        }
    }
}

package io.mailroute.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken configurations, one edit each to a copy of the shipped {@code config/}, and exactly what the one
 * validation says about each (file, key, problem); the service's start refuses the same problems.
 */
class ConfigValidationTest {

    /** Environment for configurations whose mailboxes read credentials from it. */
    private static final Map<String, String> ENVIRONMENT = Map.of("IT_SUPPORT_CLIENT_ID", "id", "IT_SUPPORT_CLIENT_SECRET", "s");

    /** Rules of the cases about triage: a narrow rule at line 2 and the default. */
    private static final String RULES = """
            rules:
              - id: invoices
                when: {mailbox: %s, subject: invoice}
                then: {type: case, category: ap, queue: ap, notify: [%s]}
              - id: default
                then: {type: case, category: general, queue: triage}
            """;

    @TempDir
    Path work;

    /**
     * An edit to one file (and lines added to application.properties) and what the validation must say, each
     * finding as "ERROR|WARN file|key|problem".
     */
    record Case(String name, String file, UnaryOperator<String> edit, List<String> expected, String properties) {
        Case(String name, String file, UnaryOperator<String> edit, List<String> expected) {
            this(name, file, edit, expected, null);
        }

        Case withProperties(String lines) {
            return new Case(name, file, edit, expected, lines);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> brokenConfigurations() {
        return Stream.of(
                new Case("an email channel's sender is no mailbox", "channels.yaml",
                        text -> text.replace("sender: support          #", "sender: suport           #"),
                        List.of("ERROR channels.yaml|channels.email.sender|mailbox 'suport' is not in mailboxes.yaml")),
                new Case("an owner is no recipient", "mailboxes.yaml",
                        text -> text.replace("  owners: [team]\n", "").replace("  - id: hr\n", "  - id: hr\n    owners: [team, ghost]\n"),
                        List.of("ERROR mailboxes.yaml|mailbox 'hr' owners|'ghost' is not a recipient in {config}/channels.yaml")),
                new Case("a rule notifies an audience that is not defined", "triage.yaml",
                        text -> RULES.formatted("accounts", "ap-teem"),
                        List.of("ERROR triage.yaml|line 2, rule 'invoices', then.notify|audience 'ap-teem' is not defined in "
                                + "{config}/channels.yaml")),
                new Case("a rule notifies the mailbox owners, whom a new item does not name", "triage.yaml",
                        text -> RULES.formatted("accounts", "mailbox-owners"),
                        List.of("ERROR triage.yaml|line 2, rule 'invoices', then.notify|audience 'mailbox-owners' has member "
                                + "$owners, which a new item (case.created) cannot name, so it would reach nobody")),
                new Case("a rule names a mailbox that is not monitored", "triage.yaml",
                        text -> RULES.formatted("acounts", "ap-team"),
                        List.of("WARN triage.yaml|line 2, rule 'invoices', when.mailbox|'acounts' is not a monitored mailbox "
                                + "of mailboxes.yaml [accounts, hr, support], so the rule never matches")),
                new Case("a rule after one that takes all of a mailbox's mail", "triage.yaml",
                        text -> """
                                rules:
                                  - id: everything-for-accounts
                                    when: {mailbox: accounts}
                                    then: {type: case, category: ap, queue: ap}
                                """ + RULES.formatted("accounts", "ap-team").substring("rules:\n".length()),
                        List.of("WARN triage.yaml|line 5, rule 'invoices'|never matches: rule 'everything-for-accounts' "
                                + "(line 2) before it takes every message of [accounts]")),
                new Case("a rule after one that takes the mail of every mailbox", "triage.yaml",
                        text -> """
                                rules:
                                  - id: everything
                                    when: {mailbox: "*"}
                                    then: {type: case, category: general, queue: triage}
                                """ + RULES.formatted("accounts", "ap-team").substring("rules:\n".length()),
                        List.of("WARN triage.yaml|line 5, rule 'invoices'|never matches: rule 'everything' "
                                + "(line 2) before it takes every message of [accounts]")),
                new Case("an approval rule names a group approvals.yaml does not define", "triage.yaml",
                        text -> text.replace("approvers: $queue,", "approvers: finanse,"),
                        List.of("ERROR triage.yaml|line {line of approval-request}, rule 'approval-request', then.approvers|'finanse' is neither an email "
                                + "address nor a group of approvers of {config}/approvals.yaml [finance, purchasing-chain]")),
                new Case("an approval rule asks its queue's approvers, and approvals.yaml names none for that queue", "approvals.yaml",
                        text -> text.replace("\nqueues:\n  approvals: [finance]\n", "\nqueues:\n  order-desk: [finance]\n"),
                        List.of("ERROR triage.yaml|line {line of approval-request}, rule 'approval-request', then.approvers|queue 'approvals' has no "
                                + "approvers in {config}/approvals.yaml (queues: [order-desk])")),
                new Case("a queue's approvers name a group that does not exist", "approvals.yaml",
                        text -> text.replace("  approvals: [finance]", "  approvals: [finanse]"),
                        List.of("ERROR approvals.yaml|queues.approvals|'finanse' is neither an email address nor a group of approvers:")),
                new Case("a policy with a mode that does not exist", "approvals.yaml",
                        text -> text.replace("mode: all", "mode: everyone"),
                        List.of("ERROR approvals.yaml|policies.contract-review.mode|'everyone' is not a mode")),
                new Case("approvals sent from a mailbox that is not monitored", "approvals.yaml",
                        text -> text.replace("mailbox: accounts", "mailbox: acounts"),
                        List.of("WARN approvals.yaml|mailbox|'acounts' is not a mailbox of mailboxes.yaml, so requests that "
                                + "name no mailbox are refused")),
                new Case("a report with a cron Quartz does not read", "reports.yaml",
                        text -> text.replace("cron: \"0 30 7 ? * MON\"", "cron: \"30 7 * * MON\""),
                        List.of("ERROR reports.yaml|line {line of weekly-sla-compliance cron}, report 'weekly-sla-compliance', "
                                + "schedule.cron|'30 7 * * MON' is not a Quartz cron expression: Invalid Month value: 'MON'")),
                new Case("a report sent to an audience channels.yaml does not define", "reports.yaml",
                        text -> text.replace("recipients: [ap-team,", "recipients: [ap-teem,"),
                        List.of("ERROR reports.yaml|line {line of monthly-approvals-summary recipients}, report "
                                + "'monthly-approvals-summary', recipients|audience 'ap-teem' is not defined in channels.yaml")),
                new Case("a report sent from a mailbox that is not in mailboxes.yaml", "reports.yaml",
                        text -> text.replace("mailbox: accounts", "mailbox: acounts"),
                        List.of("ERROR reports.yaml|line {line of monthly-approvals-summary mailbox}, report "
                                + "'monthly-approvals-summary', mailbox|'acounts' is not a mailbox of mailboxes.yaml")),
                new Case("a report of an unknown source type", "reports.yaml",
                        text -> text.replaceFirst("      type: sql\n", "      type: sqlite\n"),
                        List.of("ERROR reports.yaml|line {line of weekly-queue-status type}, report 'weekly-queue-status', "
                                + "source.type|'sqlite' is not a source type")),
                new Case("a report reading a datasource the file does not define", "reports.yaml",
                        text -> text.replaceFirst("      type: sql\n", "      type: jdbc\n      datasource: erp\n"),
                        List.of("ERROR reports.yaml|line {line of weekly-queue-status datasource}, report 'weekly-queue-status', "
                                + "source.datasource|'erp' is not a datasource of this file")),
                new Case("a report firing every hour without a period unit", "reports.yaml",
                        text -> text.replace("cron: \"0 30 7 ? * MON\"", "cron: \"0 30 * * * ?\""),
                        List.of("ERROR reports.yaml|line {line of weekly-sla-compliance cron}, report 'weekly-sla-compliance', "
                                + "schedule.cron|fires more than once a day, so its runs need a period unit")),
                new Case("a digest whose recipients own no queue and no mailbox", "reports.yaml",
                        text -> text.replace("recipients: [managers]", "recipients: [r.okafor@acme.example]"),
                        List.of("WARN reports.yaml|line {line of weekly-digest recipients}, report 'weekly-digest', "
                                + "recipients|none of the digest's recipients owns a queue or a mailbox (owners: queues: and "
                                + "mailboxes: in channels.yaml), so it never sends anything")),
                new Case("reports to send, and the report channel is not in channels.yaml", "channels.yaml",
                        text -> text.replace("  report-email:\n", "  report-mail:\n"),
                        List.of("ERROR application.properties|mailroute.reports.channel|names 'report-email', which is not an "
                                + "email channel of channels.yaml, and {config}/reports.yaml has reports to send")),
                new Case("a resolved alert routed to $sender, whom it does not name", "channels.yaml",
                        text -> text.replace("\nrouting:\n", "\nrouting:\n  alert.resolved: [customer]\n"),
                        List.of("ERROR channels.yaml|routing.alert.resolved|audience 'customer' has member $sender, "
                                + "which an event of type alert.resolved cannot name, so it would reach nobody")),
                new Case("a per-event template that is a path, not a name", "channels.yaml",
                        text -> text.replace("item.status-update: status-update}", "item.status-update: ../../etc/passwd}"),
                        List.of("ERROR channels.yaml|channels.customer-reply.templates.item.status-update|'../../etc/passwd' "
                                + "is not a template name")),
                new Case("a queue's alerts owned by an audience that is not defined", "channels.yaml",
                        text -> text.replace("    finance-exceptions: [ap-team]\n", "    finance-exceptions: [ap-teem]\n"),
                        List.of("ERROR channels.yaml|owners.queues.finance-exceptions|audience 'ap-teem' is not defined",
                                "ERROR channels.yaml|owners.queues.finance-exceptions|names no audience, so its alerts would "
                                        + "reach nobody")),
                new Case("a mailbox's alerts owned, and there is no such mailbox", "channels.yaml",
                        text -> text.replace("\nowners:\n", "\nowners:\n  mailboxes: {archive: [ap-team]}\n"),
                        List.of("ERROR channels.yaml|owners.mailboxes.archive|'archive' is not a mailbox of mailboxes.yaml")),
                new Case("an indentation mistake in channels.yaml", "channels.yaml",
                        text -> """
                                channels:
                                  email:
                                    type: email
                                     sender: support
                                """,
                        List.of("ERROR channels.yaml|line 4|is not valid YAML at column 12: mapping values are not allowed here")),
                new Case("a channel sends from the fallback sender, and there is none", "application.properties",
                        text -> text + "\nmailroute.fallback-sender = none\n",
                        List.of("WARN channels.yaml|channels.owner-email.sender|sends from the fallback sender, but "
                                + "mailroute.fallback-sender is none, so its email fails")),
                new Case("sandbox credentials while the sandbox runs elsewhere", "application.properties",
                        text -> text + "\nmailroute.sandbox.url = http://127.0.0.1:8025/\n",
                        List.of("ERROR mailboxes.yaml|mailbox 'support' credentials|'sandbox' credentials come from the "
                                        + "built-in sandbox, which this configuration does not start",
                                "ERROR mailboxes.yaml|mailbox 'accounts' credentials|'sandbox' credentials come from the "
                                        + "built-in sandbox, which this configuration does not start",
                                "ERROR mailboxes.yaml|mailbox 'hr' credentials|'sandbox' credentials come from the "
                                        + "built-in sandbox, which this configuration does not start",
                                "ERROR mailboxes.yaml|mailbox 'notify' credentials|'sandbox' credentials come from the "
                                        + "built-in sandbox, which this configuration does not start",
                                sandboxChannel("team-hook.url"), sandboxChannel("finance-system.url"),
                                sandboxChannel("team-mobile.serviceAccount"),
                                sandboxChannel("team-browser.vapidPublicKey"), sandboxChannel("team-appworks.gatewayUrl"),
                                "ERROR application.properties|mailroute.console.google.domains|Google sign-in is on, but "
                                        + "environment variable MAILROUTE_GOOGLE_CLIENT_ID is not set",
                                "ERROR application.properties|mailroute.console.google.domains|Google sign-in is on, but "
                                        + "environment variable MAILROUTE_GOOGLE_CLIENT_SECRET is not set")),
                new Case("mailboxes on a sandbox elsewhere while channels still say sandbox", "mailboxes.yaml",
                        text -> MAILBOXES_ON_A_SANDBOX,
                        List.of(sandboxChannel("team-hook.url"), sandboxChannel("finance-system.url"),
                                sandboxChannel("team-mobile.serviceAccount"),
                                sandboxChannel("team-browser.vapidPublicKey"), sandboxChannel("team-appworks.gatewayUrl")))
                        .withProperties("mailroute.sandbox.enabled = false\nmailroute.console.google.domains =\nmailroute.sandbox.url = http://127.0.0.1:8025/\n"
                                + "mailroute.fallback-sender = mailbox:support\n"),
                new Case("gmail: sandbox with no sandbox at all", "mailboxes.yaml",
                        text -> MAILBOXES_ON_A_SANDBOX,
                        List.of(noSandbox("support"), noSandbox("accounts"), noSandbox("hr"),
                                sandboxChannel("team-hook.url"), sandboxChannel("finance-system.url"),
                                sandboxChannel("team-mobile.serviceAccount"),
                                sandboxChannel("team-browser.vapidPublicKey"), sandboxChannel("team-appworks.gatewayUrl")))
                        .withProperties("mailroute.sandbox.enabled = false\nmailroute.console.google.domains =\nmailroute.fallback-sender = mailbox:support\n"),
                new Case("Google sign-in at Google without its OAuth client in the environment", "application.properties",
                        text -> text + "\nmailroute.console.google.issuer = https://accounts.google.com\n",
                        List.of("ERROR application.properties|mailroute.console.google.domains|Google sign-in is on, but "
                                        + "environment variable MAILROUTE_GOOGLE_CLIENT_ID is not set",
                                "ERROR application.properties|mailroute.console.google.domains|Google sign-in is on, but "
                                        + "environment variable MAILROUTE_GOOGLE_CLIENT_SECRET is not set")),
                new Case("Google sign-in for something that is no domain, back to a plain-http public address",
                        "application.properties", text -> text + "\nmailroute.console.google.domains = acme.example, "
                                + "@acme\nmailroute.console.public-url = http://mailroute.acme.example\n",
                        List.of("ERROR application.properties|mailroute.console.google.domains|'@acme' is not a domain",
                                "ERROR application.properties|mailroute.console.public-url|'http://mailroute.acme.example' "
                                        + "is neither https nor http on loopback")),
                new Case("no message fetched at a time", "application.properties",
                        text -> text.replace("mailroute.intake.fetch-ahead = 4", "mailroute.intake.fetch-ahead = 0"),
                        List.of("ERROR application.properties|mailroute.intake.fetch-ahead|'0' is not 1 or more")),
                new Case("a delivery lease a slow Gmail send can outlast", "application.properties",
                        text -> text.replace("mailroute.delivery.lease = 1m", "mailroute.delivery.lease = 45s"),
                        List.of("WARN application.properties|mailroute.delivery.lease|is 45s, less than twice "
                                + "mailroute.gmail.http-timeout (30s): a slow send can outlast its lease, and another worker "
                                + "then sends the delivery again")),
                new Case("a shared PostgreSQL, and each instance signs links with its own key file", "application.properties",
                        text -> text + "\nmailroute.db.url = jdbc:postgresql://127.0.0.1:5432/mailroute\n",
                        List.of("WARN application.properties|mailroute.links.key-file|is where this instance keeps its own "
                                + "link key, but mailroute.db.url is PostgreSQL, which several instances may share: a link one "
                                + "of them signed would be refused by the others")),
                new Case("a cluster on the H2 file", "application.properties",
                        text -> text.replace("mailroute.cluster.enabled = false", "mailroute.cluster.enabled = true"),
                        List.of("ERROR application.properties|mailroute.cluster.enabled|is true, but mailroute.db.url is unset "
                                + "(an H2 file under mailroute.data-dir): an H2 file is open in one process at a time, so "
                                + "instances cannot share it")),
                new Case("a node id that cannot go into Quartz's tables and the logs", "application.properties",
                        text -> text.replace("# mailroute.cluster.node-id = node-1", "mailroute.cluster.node-id = node 1; drop"),
                        List.of("ERROR application.properties|mailroute.cluster.node-id|is \"node 1; drop\"")),
                new Case("a check-in so slow that a dead node's polls wait too long", "application.properties",
                        text -> text.replace("mailroute.cluster.checkin-interval = 5s", "mailroute.cluster.checkin-interval = 1m")
                                .replace("mailroute.cluster.enabled = false", "mailroute.cluster.enabled = true")
                                + "\nmailroute.db.url = jdbc:postgresql://127.0.0.1:5432/mailroute\n",
                        List.of("ERROR application.properties|mailroute.cluster.checkin-interval|is PT1M",
                                "WARN application.properties|mailroute.links.key-file|is where this instance keeps its own "
                                + "link key, but mailroute.db.url is PostgreSQL, which several instances may share: a link one "
                                + "of them signed would be refused by the others"))
        ).map(Arguments::of);
    }

    /** The demo's monitored mailboxes on a sandbox, with client credentials from the environment. */
    private static final String MAILBOXES_ON_A_SANDBOX = """
            mailboxes:
              - {id: support, address: support@acme.example, credentials: env:IT_SUPPORT, gmail: sandbox}
              - {id: accounts, address: accounts@acme.example, credentials: env:IT_SUPPORT, gmail: sandbox}
              - {id: hr, address: hr@acme.example, credentials: env:IT_SUPPORT, gmail: sandbox}
            """;

    private static String noSandbox(String mailbox) {
        return "ERROR mailboxes.yaml|mailbox '" + mailbox + "' gmail|'sandbox' needs a sandbox, and this configuration has "
                + "none (mailroute.sandbox.enabled is false and mailroute.sandbox.url is not set)";
    }

    /** The line (from 1) of the shipped file that a rule starts on, so that a comment added above it breaks no case. */
    private static int lineOf(Path file, String text) {
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(file + " has no line " + text);
    }

    /**
     * "{line of weekly-sla-compliance cron}": the line of the first key {@code cron} (or recipients, mailbox, type,
     * datasource) after that report's id in the (edited) reports.yaml, so that edits above it break no case.
     */
    private static String reportLine(String expected, Path reports) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{line of ([a-z-]+) ([a-z]+)\\}").matcher(expected);
        if (!m.find()) {
            return expected;
        }
        int report = lineOf(reports, "- id: " + m.group(1));
        List<String> lines;
        try {
            lines = Files.readAllLines(reports);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (int i = report; i < lines.size(); i++) {
            if (lines.get(i).contains(m.group(2) + ":")) {
                return m.replaceFirst(String.valueOf(i + 1));
            }
        }
        throw new AssertionError(reports + " has no " + m.group(2) + " after report " + m.group(1));
    }

    private static String sandboxChannel(String key) {
        return "ERROR channels.yaml|channels." + key + "|'sandbox' means the built-in sandbox, which this configuration does "
                + "not start (it starts only with mailroute.sandbox.enabled=true, mailroute.sandbox.url unset and a mailbox "
                + "with gmail: sandbox)";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenConfigurations")
    void checkNamesFileKeyAndProblem(Case broken) throws IOException {
        Path config = brokenCopy(broken);
        ConfigValidation.Findings findings = new ConfigCheck(config, Path.of("routes"), ENVIRONMENT::get).findings();
        List<String> found = new ArrayList<>();
        findings.problems().forEach(p -> found.add(line("ERROR", p, config)));
        findings.warnings().forEach(w -> found.add(line("WARN", w, config)));
        assertEquals(broken.expected().stream().map(e -> e.replace("{config}", config.toString()))
                .map(e -> !e.contains("{line of approval-request}") ? e : e.replace("{line of approval-request}",
                        String.valueOf(lineOf(config.resolve("triage.yaml"), "- id: approval-request"))))
                .map(e -> reportLine(e, config.resolve("reports.yaml")))
                .toList(), found);
        findings.problems().forEach(p -> assertFalse(p.fix() == null || p.fix().isBlank(), "says what to do: " + p));
    }

    @Test
    void theServiceRefusesToStartWithTheProblemsCheckNamesBeforeItOpensAnything() throws IOException {
        for (Case broken : List.of(caseNamed("an email channel's sender is no mailbox"),
                caseNamed("a resolved alert routed to $sender, whom it does not name"))) {
            Path config = brokenCopy(broken);
            Path data = config.resolveSibling("data");
            Files.writeString(config.resolve("application.properties"), "\nmailroute.data-dir = " + data + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            List<ConfigProblem> checked = new ConfigCheck(config, Path.of("routes"), System::getenv).problems();
            try (CamelContext context = Configs.propertiesOnly(config)) {
                ConfigException refused = assertThrows(ConfigException.class, () -> new MailrouteBeans(config).configure(context));
                assertEquals(checked, refused.problems());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertFalse(Files.exists(data), "no database, no sandbox, nothing started: " + broken);
        }
    }

    @Test
    void withoutAChannelsFileTheNotifyAndOwnersThatReachNobodyAreOneWarning() throws IOException {
        Path config = Files.createDirectories(work.resolve("config"));
        for (String file : List.of("application.properties", "mailboxes.yaml")) {
            Files.copy(Path.of("config", file), config.resolve(file));
        }
        Files.writeString(config.resolve("triage.yaml"), RULES.formatted("accounts", "ap-team"));
        ConfigValidation.Findings findings = new ConfigCheck(config, Path.of("routes"), System::getenv).findings();
        assertEquals(List.of(), findings.problems());
        assertEquals(List.of("WARN channels.yaml||does not exist, so nobody is notified, though triage rules (notify:) and "
                + "mailboxes (owners:) name [ap-team, team]"), findings.warnings().stream().map(w -> line("WARN", w, config)).toList());
    }

    @Test
    void theShippedConfigurationHasNoFindings() {
        ConfigValidation.Findings findings = new ConfigCheck(Path.of("config"), Path.of("routes"), System::getenv).findings();
        assertEquals(List.of(), findings.problems());
        assertEquals(List.of(), findings.warnings());
    }

    private static Case caseNamed(String name) {
        return brokenConfigurations().map(a -> (Case) a.get()[0]).filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private Path brokenCopy(Case broken) throws IOException {
        Path config = Files.createDirectories(work.resolve(Integer.toHexString(broken.name().hashCode())).resolve("config"));
        for (String file : List.of("application.properties", "mailboxes.yaml", "triage.yaml", "channels.yaml", "approvals.yaml",
                "reports.yaml")) {
            Files.copy(Path.of("config", file), config.resolve(file));
        }
        Path file = config.resolve(broken.file());
        String edited = broken.edit().apply(Files.readString(file));
        assertTrue(!edited.equals(Files.readString(file)), "the edit changes " + broken.file() + ": " + broken);
        Files.writeString(file, edited);
        if (broken.properties() != null) {
            Files.writeString(config.resolve("application.properties"), "\n" + broken.properties(),
                    java.nio.file.StandardOpenOption.APPEND);
        }
        return config;
    }

    /** "ERROR channels.yaml|channels.email.sender|mailbox ..." with the file relative to the config directory. */
    private static String line(String severity, ConfigProblem p, Path config) {
        return severity + " " + config.relativize(Path.of(p.file())) + "|" + p.key() + "|" + p.problem();
    }
}

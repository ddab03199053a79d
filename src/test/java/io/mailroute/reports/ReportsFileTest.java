package io.mailroute.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.reports.ReportDefinition.Delivery;
import io.mailroute.reports.ReportDefinition.Format;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReportsFileTest {

    /** A valid file: one datasource, and a report whose lines the cases below edit (the report starts at line 7). */
    private static final String VALID = """
            datasources:
              erp:
                url: jdbc:postgresql://127.0.0.1:5432/erp
                user: reports
                password: env:ERP_DB_PASSWORD
            reports:
              - id: statements
                owner: team
                mailbox: accounts
                schedule: {cron: "0 0 6 1 * ?", zone: Europe/Berlin}
                source:
                  type: jdbc
                  datasource: erp
                  query: "SELECT invoice, amount FROM invoice WHERE customer_email = :customer AND due >= :periodStart"
                format: pdf
                recipients: [customers, $owners, ap@acme.example]
                perRecipient: true
                recipientParameter: customer
                delivery: both
                linkLifetime: 3d
                acknowledgeWithin: 2d
                subject: "Statement {{period.start}}"
                body: statement.txt.mustache
            """;

    @TempDir
    Path dir;

    @Test
    void theShippedFileLoads() {
        ReportsConfig config = ReportsFile.load(Path.of("config", "reports.yaml"), Path.of("config", "templates"));
        assertEquals(List.of("weekly-queue-status", "weekly-sla-compliance", "monthly-approvals-summary", "mailbox-status-pack",
                        "weekly-digest"),
                List.copyOf(config.reports().keySet()));
        ReportDefinition demo = config.report("weekly-queue-status").orElseThrow();
        assertEquals("Weekly queue status", demo.title());
        assertEquals(new ReportDefinition.Schedule("0 0 7 ? * MON", ZoneId.of("Europe/Berlin")), demo.schedule());
        assertEquals(Format.PDF, demo.format());
        assertEquals(Delivery.ATTACHMENT, demo.delivery());
        assertEquals(ReportDefinition.DEFAULT_LINK_LIFETIME, demo.linkLifetime());
        assertEquals(List.of("ops-email"), demo.recipients().audiences());
        assertEquals("support", demo.mailbox());
        ReportDefinition.SqlSource sql = (ReportDefinition.SqlSource) demo.source();
        assertEquals(List.of("periodStart", "periodEnd"), sql.query().parameters());
        ReportDefinition sla = config.report("weekly-sla-compliance").orElseThrow();
        assertEquals(Duration.ofDays(14), sla.linkLifetime());
        assertEquals(Optional.of(Duration.ofDays(2)), sla.acknowledgeWithin());
        assertTrue(config.report("mailbox-status-pack").orElseThrow().recipients().owners());
        assertEquals(List.of("r.okafor@acme.example"), config.report("monthly-approvals-summary").orElseThrow().recipients().addresses());
    }

    @Test
    void withoutTheFileThereAreNoReports() {
        ReportsConfig config = ReportsFile.load(dir.resolve("reports.yaml"));
        assertTrue(config.reports().isEmpty());
        assertTrue(config.datasources().isEmpty());
    }

    @Test
    void everySettingOfAValidReportIsRead() throws IOException {
        Files.writeString(dir.resolve("statement.txt.mustache"), "Dear {{recipient}},\n");
        ReportsConfig config = ReportsFile.load(write(VALID), dir);
        ReportDefinition report = config.report("statements").orElseThrow();
        assertEquals("statements", report.title(), "no title: the id");
        assertEquals(new ReportDefinition.JdbcSource("erp", report.source() instanceof ReportDefinition.JdbcSource j ? j.query() : null),
                report.source());
        assertEquals(List.of("customer", "periodStart"), ((ReportDefinition.JdbcSource) report.source()).query().parameters());
        assertEquals(new ReportDefinition.Recipients(List.of("customers"), List.of("ap@acme.example"), true), report.recipients());
        assertTrue(report.perRecipient());
        assertEquals("customer", report.recipientParameter());
        assertEquals(Delivery.BOTH, report.delivery());
        assertEquals(Duration.ofDays(3), report.linkLifetime());
        assertEquals(new ReportDefinition.Template(null, "Statement {{period.start}}"), report.subject());
        assertEquals(new ReportDefinition.Template("statement.txt.mustache", null), report.body());
        assertEquals("line 10, report 'statements', schedule.cron", report.where("schedule.cron"));
        ReportsConfig.Datasource erp = config.datasources().get("erp");
        assertEquals("jdbc:postgresql://127.0.0.1:5432/erp", erp.url());
        assertEquals(Optional.of("secret"), erp.password(Map.of("ERP_DB_PASSWORD", "secret")::get));
        assertEquals(Optional.of("reports"), erp.user(name -> null));
    }

    /** An edit of {@link #VALID} and the one problem it must give: where ("line N, report 'id', key") and what. */
    record Case(String name, UnaryOperator<String> edit, String where, String problem) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> brokenReports() {
        return Stream.of(
                new Case("a cron Quartz does not read", t -> t.replace("0 0 6 1 * ?", "0 6 1 * *"),
                        "line 10, report 'statements', schedule.cron", "'0 6 1 * *' is not a Quartz cron expression"),
                new Case("a cron with both day fields", t -> t.replace("0 0 6 1 * ?", "0 0 6 1 * MON"),
                        "line 10, report 'statements', schedule.cron", "'0 0 6 1 * MON' is not a Quartz cron expression"),
                new Case("an unknown time zone", t -> t.replace("Europe/Berlin", "Europe/Springfield"),
                        "line 10, report 'statements', schedule.zone", "'Europe/Springfield' is not a time zone"),
                new Case("no time zone", t -> t.replace(", zone: Europe/Berlin", ""),
                        "line 10, report 'statements', schedule.zone", "is missing"),
                new Case("an unknown source type", t -> t.replace("type: jdbc", "type: ftp"),
                        "line 12, report 'statements', source.type", "'ftp' is not a source type"),
                new Case("an unknown datasource", t -> t.replace("datasource: erp", "datasource: crm"),
                        "line 13, report 'statements', source.datasource", "'crm' is not a datasource of this file"),
                new Case("a setting another source type has", t -> t.replace("datasource: erp", "datasource: erp\n      url: https://x.example/"),
                        "line 14, report 'statements', source.url", "is not a known setting of a jdbc source"),
                new Case("perRecipient without recipientParameter", t -> t.replace("    recipientParameter: customer\n", ""),
                        "line 17, report 'statements', perRecipient", "is true, but recipientParameter is missing"),
                new Case("a recipientParameter the query does not bind", t -> t.replace("recipientParameter: customer", "recipientParameter: client"),
                        "line 18, report 'statements', recipientParameter", "'client' is not bound in the query (:client)"),
                new Case("a query parameter no run supplies", t -> t.replace(":periodStart", ":since"),
                        "line 14, report 'statements', source.query", "binds :since, which no run supplies"),
                new Case("statements chained with ;", t -> t.replace("AND due >= :periodStart\"", "AND due >= :periodStart; DELETE FROM invoice\""),
                        "line 14, report 'statements', source.query", "chains statements with ';'"),
                new Case("a query that is no SELECT", t -> t.replace("\"SELECT invoice, amount FROM invoice WHERE", "\"UPDATE invoice SET paid = true WHERE"),
                        "line 14, report 'statements', source.query", "starts with UPDATE, not SELECT or WITH"),
                new Case("a WITH that writes", t -> t.replace("\"SELECT invoice, amount FROM invoice WHERE customer_email = :customer",
                                "\"WITH gone AS (DELETE FROM invoice RETURNING *) SELECT invoice, amount FROM gone WHERE customer_email = :customer"),
                        "line 14, report 'statements', source.query", "contains DELETE, so it is not a single read-only SELECT"),
                new Case("an unknown format", t -> t.replace("format: pdf", "format: xlsx"),
                        "line 15, report 'statements', format", "'xlsx' is not one of csv, html, pdf"),
                new Case("an unknown delivery", t -> t.replace("delivery: both", "delivery: fax"),
                        "line 19, report 'statements', delivery", "'fax' is not one of attachment, link, both"),
                new Case("a link lifetime for a report that only attaches", t -> t.replace("delivery: both", "delivery: attachment"),
                        "line 20, report 'statements', linkLifetime", "is only for delivery: link or both"),
                new Case("a link lifetime that is no duration", t -> t.replace("linkLifetime: 3d", "linkLifetime: a week"),
                        "line 20, report 'statements', linkLifetime", "'a week' is not a duration"),
                new Case("an acknowledgement deadline of zero", t -> t.replace("acknowledgeWithin: 2d", "acknowledgeWithin: 0d"),
                        "line 21, report 'statements', acknowledgeWithin", "'0d' is not longer than zero"),
                new Case("a placeholder a report cannot name", t -> t.replace("$owners", "$assignee"),
                        "line 16, report 'statements', recipients", "'$assignee' is neither an audience of channels.yaml, an address nor $owners"),
                new Case("a recipient that is no address", t -> t.replace("ap@acme.example", "ap@acme"),
                        "line 16, report 'statements', recipients", "'ap@acme' is not an email address"),
                new Case("no recipients", t -> t.replace("[customers, $owners, ap@acme.example]", "[]"),
                        "line 16, report 'statements', recipients", "is empty, so the report reaches nobody"),
                new Case("a template file that does not exist", t -> t.replace("statement.txt.mustache", "statment.txt.mustache"),
                        "line 23, report 'statements', body", "statment.txt.mustache does not exist"),
                new Case("an inline template with an open section", t -> t.replace("Statement {{period.start}}", "Statement {{#period}}"),
                        "line 22, report 'statements', subject", "is not a valid Mustache template"),
                new Case("no mailbox", t -> t.replace("    mailbox: accounts\n", ""),
                        "line 7, report 'statements', mailbox", "is missing"),
                new Case("an unknown setting", t -> t.replace("delivery: both", "delivery: both\n    cc: [x@acme.example]"),
                        "line 20, report 'statements', cc", "is not a known setting"),
                new Case("a report id that is not a name", t -> t.replace("id: statements", "id: Customer Statements"),
                        "line 7, report '#1', id", "'Customer Statements' is not a valid report id"),
                new Case("a datasource password written in the file", t -> t.replace("password: env:ERP_DB_PASSWORD", "password: hunter2"),
                        "line 5, datasources.erp.password", "is written in the file, and secrets never are"),
                new Case("a datasource that is no JDBC URL", t -> t.replace("jdbc:postgresql://127.0.0.1:5432/erp", "postgres://127.0.0.1/erp"),
                        "line 3, datasources.erp.url", "'postgres://127.0.0.1/erp' is not a JDBC URL"),
                new Case("a datasource no driver reads", t -> t.replace("jdbc:postgresql:", "jdbc:oracle:thin:"),
                        "line 3, datasources.erp.url", "no JDBC driver in Mailroute reads 'oracle' URLs"),
                new Case("perRecipient on an http source", t -> t.replace("""
                                  type: jdbc
                                  datasource: erp
                                  query: "SELECT invoice, amount FROM invoice WHERE customer_email = :customer AND due >= :periodStart"
                            """, """
                                  type: http
                                  url: https://erp.acme.example/export
                                  format: json
                            """),
                        "line 17, report 'statements', perRecipient", "needs an sql or jdbc source (this one is http)"),
                new Case("an http source with credentials in its URL", t -> t.replace("""
                                  type: jdbc
                                  datasource: erp
                                  query: "SELECT invoice, amount FROM invoice WHERE customer_email = :customer AND due >= :periodStart"
                            """, """
                                  type: http
                                  url: https://user:pw@erp.acme.example/export
                                  format: json
                            """).replace("    perRecipient: true\n    recipientParameter: customer\n", ""),
                        "line 13, report 'statements', source.url", "is not an http(s) URL without credentials"),
                new Case("a file source whose pattern is a path", t -> t.replace("""
                                  type: jdbc
                                  datasource: erp
                                  query: "SELECT invoice, amount FROM invoice WHERE customer_email = :customer AND due >= :periodStart"
                            """, """
                                  type: file
                                  directory: /srv/exports
                                  pattern: ../ledger-*.csv
                            """).replace("    perRecipient: true\n    recipientParameter: customer\n", ""),
                        "line 14, report 'statements', source.pattern", "'../ledger-*.csv' is not a file name glob"),
                new Case("two reports with one id", t -> t + t.substring(t.indexOf("  - id: statements")),
                        "line 24, report 'statements', id", "is also the id of the report at line 7")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenReports")
    void aBrokenReportIsNamedWithFileLineReportKeyAndWhatToDo(Case broken) throws IOException {
        Files.writeString(dir.resolve("statement.txt.mustache"), "Dear {{recipient}},\n");
        String edited = broken.edit().apply(VALID);
        assertFalse(edited.equals(VALID), "the edit changes the file: " + broken);
        Path file = write(edited);
        ConfigException e = assertThrows(ConfigException.class, () -> ReportsFile.load(file, dir));
        assertEquals(1, e.problems().size(), e.problems().toString());
        ConfigProblem p = e.problems().get(0);
        assertEquals(file.toString(), p.file());
        assertEquals(broken.where(), p.key());
        assertTrue(p.problem().contains(broken.problem()), p.problem());
        assertFalse(p.fix() == null || p.fix().isBlank(), "says what to do: " + p);
    }

    @Test
    void everyProblemOfTheFileIsListedAtOnce() throws IOException {
        Path file = write(VALID.replace("Europe/Berlin", "Mars/Olympus").replace("format: pdf", "format: doc"));
        Files.writeString(dir.resolve("statement.txt.mustache"), "x");
        ConfigException e = assertThrows(ConfigException.class, () -> ReportsFile.load(file, dir));
        assertEquals(List.of("line 10, report 'statements', schedule.zone", "line 15, report 'statements', format"),
                e.problems().stream().map(ConfigProblem::key).toList());
    }

    @Test
    void aYamlSyntaxErrorNamesItsLine() throws IOException {
        Path file = write("reports:\n  - id: x\n   owner: team\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ReportsFile.load(file, dir));
        assertEquals("line 3", e.problems().get(0).key());
    }

    @Test
    void whatTheReportsNameInTheOtherFilesIsChecked() throws IOException {
        Files.writeString(dir.resolve("statement.txt.mustache"), "x");
        ReportsConfig config = ReportsFile.load(write(VALID.replace("owner: team", "owner: tema")), dir);
        List<ConfigProblem> problems = config.problemsIn(Set.of("support", "notify"), Set.of("team"),
                Map.of("ops-email", List.of("team"), "assignee-push", List.of("$assignee")));
        assertEquals(List.of(
                "line 9, report 'statements', mailbox|'accounts' is not a mailbox of mailboxes.yaml",
                "line 8, report 'statements', owner|'tema' is neither an email address nor a recipient of channels.yaml",
                "line 16, report 'statements', recipients|audience 'customers' is not defined in channels.yaml"),
                problems.stream().map(p -> p.key() + "|" + p.problem()).toList());
        ReportsConfig assignees = ReportsFile.load(write(VALID.replace("[customers,", "[assignee-push,")), dir);
        assertEquals(List.of("audience 'assignee-push' has member $assignee, which a report cannot name, so it would reach nobody"),
                assignees.problemsIn(Set.of("accounts"), Set.of("team"), Map.of("assignee-push", List.of("$assignee")))
                        .stream().map(ConfigProblem::problem).toList());
        assertEquals(List.of(), assignees.problemsIn(null, null, null), "files that could not be read are not checked");
    }

    @Test
    void aDatasourceWhoseVariableIsNotSetIsNamed() throws IOException {
        Files.writeString(dir.resolve("statement.txt.mustache"), "x");
        ReportsConfig config = ReportsFile.load(write(VALID.replace("user: reports", "user: env:ERP_DB_USER")), dir);
        assertEquals(List.of("line 2, datasources.erp.user|environment variable ERP_DB_USER is not set, so the reports reading "
                        + "this datasource fail"),
                config.unsetVariables(Map.of("ERP_DB_PASSWORD", "s")::get).stream().map(p -> p.key() + "|" + p.problem()).toList());
        assertEquals(List.of(), config.unsetVariables(Map.of("ERP_DB_PASSWORD", "s", "ERP_DB_USER", "u")::get));
        assertNull(config.datasources().get("erp").user());
    }

    /** A digest (its report starts at line 2). */
    private static final String DIGEST = """
            reports:
              - id: weekly-digest
                owner: team
                mailbox: support
                schedule: {cron: "0 0 8 ? * MON", zone: Europe/Berlin}
                source: {type: digest, sections: [engagement], unowned: everything, sendWhenEmpty: true}
                recipients: [managers]
                subject: "Digest {{period.key}}"
            """;

    @Test
    void aDigestIsReadWithItsSectionsAndIsMadeForEachRecipientWithoutADocumentOrALink() throws IOException {
        ReportDefinition digest = ReportsFile.load(write(DIGEST), dir).report("weekly-digest").orElseThrow();
        assertEquals(new ReportDefinition.DigestSource(List.of(ReportDefinition.DigestSource.Section.ENGAGEMENT),
                ReportDefinition.DigestSource.Unowned.EVERYTHING, true), digest.source());
        assertTrue(digest.perRecipient());
        assertNull(digest.recipientParameter());
        assertNull(digest.body(), "a digest's body: is optional (an introduction)");
        assertEquals(Optional.empty(), digest.acknowledgeWithin());

        ReportDefinition defaults = ReportsFile.load(write(DIGEST.replace(
                "{type: digest, sections: [engagement], unowned: everything, sendWhenEmpty: true}", "{type: digest}")), dir)
                .report("weekly-digest").orElseThrow();
        assertEquals(new ReportDefinition.DigestSource(List.of(ReportDefinition.DigestSource.Section.ACTIVITY,
                ReportDefinition.DigestSource.Section.ENGAGEMENT), ReportDefinition.DigestSource.Unowned.NOTHING, false),
                defaults.source(), "both sections; who owns no queue gets nothing; an empty period sends nothing");
    }

    static Stream<Arguments> brokenDigests() {
        return Stream.of(
                new Case("an unknown section", t -> t.replace("sections: [engagement]", "sections: [engagment]"),
                        "line 6, report 'weekly-digest', source.sections", "'engagment' is not a digest section"),
                new Case("a section twice", t -> t.replace("[engagement]", "[engagement, engagement]"),
                        "line 6, report 'weekly-digest', source.sections", "names engagement twice"),
                new Case("an unknown unowned", t -> t.replace("unowned: everything", "unowned: all"),
                        "line 6, report 'weekly-digest', source.unowned", "'all' is not one of nothing, everything"),
                new Case("sendWhenEmpty not a boolean", t -> t.replace("sendWhenEmpty: true", "sendWhenEmpty: sometimes"),
                        "line 6, report 'weekly-digest', source.sendWhenEmpty", "must be true or false"),
                new Case("an unknown digest setting", t -> t.replace("unowned:", "owners:"),
                        "line 6, report 'weekly-digest', source.owners", "is not a known setting of a digest source"),
                new Case("a format", t -> t + "    format: pdf\n",
                        "line 9, report 'weekly-digest', format", "is not for a digest"),
                new Case("a download link", t -> t + "    delivery: link\n",
                        "line 9, report 'weekly-digest', delivery", "is not for a digest"),
                new Case("an acknowledgement", t -> t + "    acknowledgeWithin: 2d\n",
                        "line 9, report 'weekly-digest', acknowledgeWithin", "is not for a digest")).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenDigests")
    void aBrokenDigestNamesTheLineAndTheKey(Case broken) throws IOException {
        Path file = write(broken.edit().apply(DIGEST));
        ConfigException e = assertThrows(ConfigException.class, () -> ReportsFile.load(file, dir));
        assertEquals(1, e.problems().size(), e.problems().toString());
        ConfigProblem p = e.problems().get(0);
        assertEquals(broken.where(), p.key());
        assertTrue(p.problem().contains(broken.problem()), p.problem());
        assertFalse(p.fix() == null || p.fix().isBlank(), "says what to do: " + p);
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("reports.yaml"), yaml);
    }
}

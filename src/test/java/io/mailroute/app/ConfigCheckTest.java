package io.mailroute.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigProblem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCheckTest {

    @TempDir
    Path work;

    @Test
    void theShippedConfigurationAndRoutesAreValid() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new ConfigCheck(Path.of("config"), Path.of("routes")).run(print(out), print(err));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("OK"));
    }

    @Test
    void aBrokenMailboxFileIsReportedWithFileAndKey() throws IOException {
        Path config = copyOfShippedConfig();
        Files.writeString(config.resolve("mailboxes.yaml"), """
                mailboxes:
                  - id: support
                    address: support@acme.example
                    credentials: env:MAILROUTE_TEST_NOT_SET
                    pollInterval: every now and then
                """);
        List<ConfigProblem> problems = new ConfigCheck(config, Path.of("routes")).problems();
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("mailboxes[0].pollInterval", problems.get(0).key());
        assertTrue(problems.get(0).file().endsWith("mailboxes.yaml"));
    }

    @Test
    void aBadTypedPropertyIsReportedWithItsKey() throws IOException {
        Path config = copyOfShippedConfig();
        Files.writeString(config.resolve("application.properties"),
                Files.readString(config.resolve("application.properties"))
                        + "\nmailroute.intake.backoff-max = forever\nmailroute.db.pool-size = eight\n");
        Files.copy(Path.of("config", "mailboxes.yaml"), config.resolve("mailboxes.yaml"));
        List<ConfigProblem> problems = new ConfigCheck(config, Path.of("routes")).problems();
        assertEquals(List.of("mailroute.db.pool-size", "mailroute.intake.backoff-max"),
                problems.stream().map(ConfigProblem::key).toList(), problems.toString());
    }

    @Test
    void missingEnvironmentCredentialsNameTheVariable() throws IOException {
        Path config = copyOfShippedConfig();
        Files.writeString(config.resolve("mailboxes.yaml"), """
                mailboxes:
                  - {id: support, address: support@acme.example, credentials: env:MAILROUTE_TEST_NOT_SET}
                """);
        List<ConfigProblem> problems = new ConfigCheck(config, Path.of("routes")).problems();
        assertTrue(problems.get(0).toString().contains("MAILROUTE_TEST_NOT_SET_CLIENT_ID"), problems.toString());
        assertTrue(problems.get(1).toString().contains("MAILROUTE_TEST_NOT_SET_CLIENT_SECRET"), problems.toString());
        // a refresh token is optional: 'connect' stores one
        assertTrue(problems.stream().noneMatch(p -> p.toString().contains("REFRESH_TOKEN")), problems.toString());
    }

    @Test
    void anEventTypeRoutedToPeopleButNotPlannedIsNamed() throws IOException {
        Path config = copyOfShippedConfig();
        Files.copy(Path.of("config", "mailboxes.yaml"), config.resolve("mailboxes.yaml"));
        Files.writeString(config.resolve("channels.yaml"), Files.readString(config.resolve("channels.yaml"))
                .replace("\nrouting:\n", "\nrouting:\n  report.sent: [ops-team]\n"));
        List<ConfigProblem> problems = new ConfigCheck(config, Path.of("routes")).problems();
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("routing.report.sent", problems.get(0).key());
        assertTrue(problems.get(0).problem().contains("deliver-plan"), problems.toString());
    }

    @Test
    void aFallbackSenderOrOwnerThatDoesNotExistIsNamed() throws IOException {
        Path config = copyOfShippedConfig();
        Files.writeString(config.resolve("mailboxes.yaml"), """
                mailboxes:
                  - {id: support, address: support@acme.example, credentials: sandbox, gmail: sandbox, owners: [team, nobody]}
                """);
        List<ConfigProblem> problems = new ConfigCheck(config, Path.of("routes")).problems();
        assertEquals(2, problems.size(), problems.toString());
        assertEquals("mailroute.fallback-sender", problems.get(0).key(), problems.toString());
        assertTrue(problems.get(0).problem().contains("'notify'"), problems.toString());
        assertEquals("mailbox 'support' owners", problems.get(1).key(), problems.toString());
        assertTrue(problems.get(1).problem().contains("'nobody'"), problems.toString());
    }

    @Test
    void pushTargetsDeclaredInChannelsYamlFollowTheTargetRules() throws IOException {
        Path config = copyOfShippedConfig();
        Files.copy(Path.of("config", "mailboxes.yaml"), config.resolve("mailboxes.yaml"));
        Files.writeString(config.resolve("channels.yaml"), Files.readString(config.resolve("channels.yaml")).replace(
                "      - {channel: team-appworks, address: ops.team}",
                "      - {channel: team-appworks, address: \"ops.team,ceo\"}\n"
                        + "      - {channel: team-browser, address: \"http://push.example.com/sub/1\"}"));
        List<ConfigProblem> problems = new ConfigCheck(config, Path.of("routes")).problems();
        assertEquals(List.of("recipients.team.devices[2].address", "recipients.team.devices[3].address"),
                problems.stream().map(ConfigProblem::key).toList(), problems.toString());
        assertTrue(problems.get(0).file().endsWith("channels.yaml"), problems.toString());
        assertTrue(problems.get(0).problem().contains("comma"), problems.toString());
        assertTrue(problems.get(1).problem().contains("https URL"), problems.toString());
    }

    @Test
    void aBrokenTriageRuleIsReportedWithItsLineAndId() throws IOException {
        Path config = copyOfShippedConfig();
        Files.copy(Path.of("config", "mailboxes.yaml"), config.resolve("mailboxes.yaml"));
        Files.writeString(config.resolve("triage.yaml"), """
                rules:
                  - id: invoices
                    when: {subject: invoice}
                    then: {type: case, category: ap, queue: ap, sla: three days}
                  - id: default
                    then: {type: case, category: general, queue: triage}
                """);
        List<ConfigProblem> problems = new ConfigCheck(config, Path.of("routes")).problems();
        assertEquals(1, problems.size(), problems.toString());
        String line = problems.get(0).toString();
        assertTrue(line.contains("triage.yaml") && line.contains("invoices") && line.contains("line 4") && line.contains("then.sla"), line);
    }

    @Test
    void aBrokenRouteFileAndAMissingTemplateAreReported() throws IOException {
        Path routes = Files.createDirectories(work.resolve("routes"));
        Files.writeString(routes.resolve("broken.camel.yaml"), """
                - route:
                    id: broken
                    from:
                      uri: timer:x
                      steps:
                        - to: {uri: log:x, notAnOption: [1, 2
                """);
        List<ConfigProblem> problems = new ConfigCheck(Path.of("config"), routes).problems();
        assertTrue(problems.stream().anyMatch(p -> p.file().endsWith("broken.camel.yaml")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> "gmail-intake".equals(p.key())), problems.toString());
    }

    @Test
    void anEndpointWithoutARoleIsReportedWithItsFileAndVerb() throws IOException {
        Path routes = Files.createDirectories(work.resolve("routes"));
        for (String shipped : List.of("gmail-intake.camel.yaml", "deliver.camel.yaml")) {
            Files.copy(Path.of("routes", shipped), routes.resolve(shipped));
        }
        Files.writeString(routes.resolve("open-door.camel.yaml"), """
                - rest:
                    path: /hooks
                    post:
                      - id: open-door-receive
                        path: /erp
                        to: direct:open-door
                - route:
                    id: open-door
                    from:
                      uri: direct:open-door
                      steps:
                        - log: received
                """);
        List<ConfigProblem> problems = new ConfigCheck(Path.of("config"), routes).problems();
        assertEquals(List.of(routes.resolve("open-door.camel.yaml").toAbsolutePath() + ": POST /hooks/erp (open-door-receive): "
                + "declares no role; give it 'security: [{key: token, scopes: <role>}]' with one of viewer, operator, admin"),
                problems.stream().map(ConfigProblem::toString).toList());
    }

    private Path copyOfShippedConfig() throws IOException {
        Path config = Files.createDirectories(work.resolve("config"));
        Files.copy(Path.of("config", "application.properties"), config.resolve("application.properties"));
        Files.copy(Path.of("config", "triage.yaml"), config.resolve("triage.yaml"));
        Files.copy(Path.of("config", "channels.yaml"), config.resolve("channels.yaml"));
        Files.copy(Path.of("config", "approvals.yaml"), config.resolve("approvals.yaml"));
        return config;
    }

    private static PrintStream print(ByteArrayOutputStream buffer) {
        return new PrintStream(buffer, true, StandardCharsets.UTF_8);
    }
}

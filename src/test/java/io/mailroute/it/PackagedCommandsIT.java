package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar's commands as a person types them: {@code check}, {@code triage}, {@code sandbox} (the demo: DemoFirstStartIT). */
class PackagedCommandsIT {

    @TempDir
    Path work;

    @Test
    void checkAcceptsTheShippedConfiguration() throws Exception {
        ServiceProcess.CommandResult result = run(List.of("check"));
        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("OK"), result.output());
    }

    @Test
    void checkNamesEachProblemAndExitsOne() throws Exception {
        Path config = Files.createDirectories(work.resolve("config"));
        Files.copy(Path.of("config", "application.properties"), config.resolve("application.properties"));
        Files.copy(Path.of("config", "triage.yaml"), config.resolve("triage.yaml"));
        Files.copy(Path.of("config", "approvals.yaml"), config.resolve("approvals.yaml"));
        Files.writeString(config.resolve("mailboxes.yaml"), """
                mailboxes:
                  - id: support
                    address: support@acme.example
                    credentials: sandbox
                    gmail: sandbox
                    quotaUnitsPerSecond: lots
                  - id: support
                    address: billing@acme.example
                    credentials: password123
                """);
        ServiceProcess.CommandResult result = run(List.of("check", "--config", config.toString()));
        assertEquals(1, result.exit(), result.output());
        assertTrue(result.output().contains("mailboxes.yaml: mailboxes[0].quotaUnitsPerSecond: 'lots' is not a positive whole number"),
                result.output());
        assertTrue(result.output().contains("mailboxes[1].credentials"), result.output());
        assertTrue(result.output().contains("mailboxes[1].id"), result.output());
        assertTrue(result.output().contains("3 problems found."), result.output());
    }

    @Test
    void theServiceRefusesWhatCheckRefusesWithExit78AndTheSameLines() throws Exception {
        Path config = Files.createDirectories(work.resolve("config"));
        for (String file : List.of("application.properties", "mailboxes.yaml", "triage.yaml", "approvals.yaml")) {
            Files.copy(Path.of("config", file), config.resolve(file));
        }
        Files.writeString(config.resolve("channels.yaml"), Files.readString(Path.of("config", "channels.yaml"))
                .replace("\nrouting:\n", "\nrouting:\n  alert.resolved: [customer-ack]\n"));
        ServiceProcess.CommandResult check = run(List.of("check", "--config", config.toString()));
        assertEquals(1, check.exit(), check.output());
        String problem = check.output().lines().filter(l -> l.startsWith("ERROR ")).findFirst().orElseThrow();
        assertTrue(problem.contains("channels.yaml: routing.alert.resolved: audience 'customer-ack' has member $sender"),
                check.output());

        ServiceProcess.CommandResult start = ServiceProcess.runJar(List.of("-Dmailroute.data-dir=" + work.resolve("data"),
                "-Dcamel.server.port=0", "-Dcamel.management.port=0"), List.of("--config", config.toString()));
        assertEquals(78, start.exit(), start.output());
        assertTrue(start.output().lines().anyMatch(problem::equals), start.output());
        assertTrue(!Files.exists(work.resolve("data")), "refused before anything started: " + start.output());
    }

    @Test
    void triageExplainNamesTheMatchingRuleAndWhyEarlierOnesDidNot() throws Exception {
        ServiceProcess.CommandResult result = run(List.of("triage", "--explain", "config/sandbox/mail/accounts@acme.example/03-approve-po-4471.eml"));
        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("(mailbox accounts)"), "the mailbox is found from the To address: " + result.output());
        assertTrue(result.output().contains("Matched rule 'approval-request'"), result.output());
        assertTrue(result.output().contains("no     rule 'bank-details-change'"), result.output());
        assertTrue(result.output().contains("type     approval"), result.output());

        ServiceProcess.CommandResult missing = run(List.of("triage", "--explain", "no-such.eml"));
        assertEquals(2, missing.exit(), missing.output());
    }

    @Test
    void theSandboxCommandSaysWhereItListens() throws Exception {
        int port = ServiceProcess.freePort();
        Process sandbox = start(List.of("sandbox", "--port", String.valueOf(port), "--seed", "config/sandbox"));
        try {
            java.io.BufferedReader lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = lines.readLine();
            } while (line != null && !line.startsWith("Gmail sandbox listening"));
            assertEquals("Gmail sandbox listening on http://127.0.0.1:" + port + "/", line);
        } finally {
            sandbox.destroy();
            sandbox.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static ServiceProcess.CommandResult run(List<String> args) throws IOException, InterruptedException {
        return ServiceProcess.runJar(List.of(), args);
    }

    private static Process start(List<String> args) throws IOException {
        return new ProcessBuilder(ServiceProcess.jarCommand(List.of(), args)).redirectErrorStream(true).start();
    }
}

package io.mailroute.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigProblem;
import io.mailroute.delivery.ChannelsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** owners: in channels.yaml: each problem with its file, key and what to do. */
class AlertOwnersFileTest {

    private static final String BASE = """
            channels:
              email: {type: email, sender: support}
            recipients:
              mei: {email: mei@acme.example}
            audiences:
              ap-team: {members: [mei], via: [email]}
              customer-ack: {members: [$sender], via: [email]}
            """;

    @TempDir
    Path dir;

    @Test
    void theShippedChannelsFileHasOwnersThatCheckClean() {
        Path shipped = Path.of("config", "channels.yaml");
        assertEquals(List.of(), AlertOwnersFile.check(shipped, ChannelsFile.load(shipped), List.of("support", "accounts", "hr")));
        AlertOwners owners = AlertOwnersFile.load(shipped, ChannelsFile.load(shipped));
        assertEquals(Optional.of(List.of("ap-team")), owners.ofQueue("finance-exceptions"));
        assertEquals(List.of("ops-team"), owners.fallback());
    }

    @Test
    void everyProblemNamesItsKey() throws IOException {
        Path file = Files.writeString(dir.resolve("channels.yaml"), BASE + """
                owners:
                  queues: {finance-exceptions: [ap-team, nobody-team], support: [customer-ack], triage: []}
                  mailboxes: {accounts: [ap-team], archive: [ap-team]}
                  default: [ap-team]
                  teams: {x: [ap-team]}
                """);
        List<ConfigProblem> problems = AlertOwnersFile.check(file, ChannelsFile.load(file), List.of("accounts"));
        List<String> keys = problems.stream().map(ConfigProblem::key).toList();
        assertEquals(List.of("owners.teams", "owners.queues.finance-exceptions", "owners.queues.support",
                "owners.queues.support", "owners.queues.triage", "owners.mailboxes.archive"), keys, problems.toString());
        assertTrue(problems.get(1).problem().contains("audience 'nobody-team' is not defined"), problems.get(1).toString());
        assertTrue(problems.get(2).problem().contains("[$sender]"), "a placeholder an alert cannot name: " + problems.get(2));
        assertTrue(problems.get(5).fix().contains("[accounts]"), problems.get(5).toString());
        assertTrue(problems.stream().allMatch(p -> p.file().equals(file.toString())));
    }

    @Test
    void noOwnersSectionMeansNobodyOwnsAnything() throws IOException {
        Path file = Files.writeString(dir.resolve("channels.yaml"), BASE);
        assertEquals(AlertOwners.none(), AlertOwnersFile.load(file, ChannelsFile.load(file)));
        assertEquals(List.of(), ChannelsFile.check(Files.writeString(dir.resolve("with.yaml"), BASE
                + "owners: {default: [ap-team]}\n")), "channels.yaml itself accepts the section");
    }
}

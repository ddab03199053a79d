package io.mailroute.escalation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.ChannelsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** escalate: per channel in channels.yaml: what it means, and each problem with its file, key and what to do. */
class EscalationFileTest {

    private static final Set<String> CRITICAL = Set.of("URGENT", "HIGH");

    @TempDir
    Path dir;

    private Path file(String emailEscalate, String primaryEscalate) throws IOException {
        return Files.writeString(dir.resolve("channels.yaml"), """
                channels:
                  email:
                    type: email
                    sender: support
                %s
                  oncall-primary:
                    type: fcm
                    serviceAccount: sandbox
                %s
                recipients:
                  mei: {email: mei@acme.example}
                audiences:
                  ops-email: {members: [mei], via: [email]}
                  primary: {members: [mei], via: [oncall-primary]}
                """.formatted(emailEscalate.isEmpty() ? "" : "    escalate: " + emailEscalate,
                primaryEscalate.isEmpty() ? "" : "    escalate: " + primaryEscalate));
    }

    @Test
    void theShippedChannelsFileEscalatesUrgentEmailThatNobodyOpened() {
        Path shipped = Path.of("config", "channels.yaml");
        ChannelsConfig channels = ChannelsFile.load(shipped);
        assertEquals(List.of(), EscalationFile.check(shipped, channels));
        EscalationPolicy email = EscalationFile.load(shipped, channels, CRITICAL).get("email");
        assertEquals(EscalationPolicy.Condition.UNOPENED, email.condition());
        assertTrue(email.covers("URGENT") && !email.covers("HIGH") && !email.covers("NORMAL"), email.toString());
        assertFalse(channels.channels().get("email").settings().containsKey("escalate"), "not a channel setting");
    }

    @Test
    void aChainWithACycleIsFineAndPrioritiesDefaultToTheCriticalOnes() throws IOException {
        Path path = file("{unopenedFor: 15m, to: [primary]}", "{unackedFor: 10m, to: [ops-email], priorities: [urgent, any]}");
        ChannelsConfig channels = ChannelsFile.load(path);
        assertEquals(List.of(), EscalationFile.check(path, channels), "A → B → A ends where it comes back");
        Map<String, EscalationPolicy> policies = EscalationFile.load(path, channels, CRITICAL);
        assertEquals(new EscalationPolicy("email", EscalationPolicy.Condition.UNOPENED, Duration.ofMinutes(15),
                List.of("primary"), CRITICAL), policies.get("email"));
        EscalationPolicy primary = policies.get("oncall-primary");
        assertEquals(EscalationPolicy.Condition.UNACKED, primary.condition());
        assertEquals(Duration.ofMinutes(10), primary.after());
        assertEquals(Set.of("URGENT", "ANY"), primary.priorities());
        assertEquals(Map.of(), EscalationFile.load(file("", ""), channels, CRITICAL), "no escalate:, no policies");
    }

    @Test
    void everyProblemNamesItsKeyAndWhatToDo() throws IOException {
        Path path = file("{unopenedFor: soon, to: [nobody], priorities: [CRITICAL], after: 5m}",
                "{unopenedFor: 5m, unackedFor: 5m, to: []}");
        List<ConfigProblem> problems = EscalationFile.check(path, ChannelsFile.load(path));
        assertEquals(List.of("channels.email.escalate.after", "channels.email.escalate.unopenedFor",
                "channels.email.escalate.to", "channels.email.escalate.priorities", "channels.oncall-primary.escalate",
                "channels.oncall-primary.escalate.to"), problems.stream().map(ConfigProblem::key).toList(), problems.toString());
        assertTrue(problems.get(1).problem().contains("\"soon\" is not a duration"), problems.get(1).toString());
        assertTrue(problems.get(2).problem().contains("audience 'nobody' is not defined")
                && problems.get(2).fix().contains("ops-email"), problems.get(2).toString());
        assertTrue(problems.get(3).fix().contains("LOW, NORMAL, HIGH, URGENT"), problems.get(3).toString());
        assertTrue(problems.get(4).problem().contains("both unopenedFor and unackedFor"), problems.get(4).toString());
        assertTrue(problems.get(5).problem().contains("reach nobody"), problems.get(5).toString());
        assertTrue(problems.stream().allMatch(p -> p.file().equals(path.toString())));
        assertThrows(ConfigException.class, () -> EscalationFile.load(path, ChannelsFile.load(path), CRITICAL));
    }

    @Test
    void neitherConditionNorAPositiveDurationIsRefused() throws IOException {
        Path path = file("{to: [primary]}", "{unackedFor: 0s, to: [ops-email]}");
        List<ConfigProblem> problems = EscalationFile.check(path, ChannelsFile.load(path));
        assertEquals(List.of("channels.email.escalate", "channels.oncall-primary.escalate.unackedFor"),
                problems.stream().map(ConfigProblem::key).toList(), problems.toString());
        assertTrue(problems.get(0).problem().contains("neither unopenedFor nor unackedFor"));
        assertTrue(problems.get(1).problem().contains("not a positive duration"));
    }
}

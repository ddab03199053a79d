package io.mailroute.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The benchmark's knobs and the configuration it gives the service. */
class BenchSettingsTest {

    @Test
    void defaultsAreTheIssuesSizesAndQuickLowersThemUnlessAKnobIsGiven() {
        BenchSettings full = BenchSettings.from(new Properties());
        assertEquals(10_000, full.messages());
        assertEquals(List.of(1, 20), full.mailboxCounts());
        assertEquals(1_000, full.latencyMessages());
        assertEquals(25_000_000, full.bigMessageBytes());
        assertEquals(BenchSettings.ALL_PHASES, full.phases());

        Properties quick = new Properties();
        quick.setProperty("bench.quick", "true");
        quick.setProperty("bench.messages", "300");
        quick.setProperty("bench.phases", "throughput,latency");
        quick.setProperty("bench.throughput.poll", "500ms");
        BenchSettings small = BenchSettings.from(quick);
        assertEquals(300, small.messages());
        assertEquals(List.of(1, 2), small.mailboxCounts());
        assertEquals(100, small.latencyMessages());
        assertEquals(Duration.ofMillis(500), small.throughputPoll());
        assertTrue(small.runs("latency"));
        assertFalse(small.runs("cost"));
    }

    @Test
    void theThroughputRunsUseTheShippedTriageRulesWithoutTheirNotifications() throws Exception {
        String shipped = Files.readString(Path.of("config", "triage.yaml"));
        String rules = ServiceWorld.withoutNotifications(shipped);
        assertTrue(shipped.lines().anyMatch(l -> !l.strip().startsWith("#") && l.contains("notify:")));
        assertFalse(rules.lines().anyMatch(l -> !l.strip().startsWith("#") && l.contains("notify")), rules);
        assertEquals(shipped.lines().filter(l -> l.contains("- id:")).count(), rules.lines().filter(l -> l.contains("- id:")).count());
    }
}

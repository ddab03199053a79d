package io.mailroute.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The benchmark as a build step: {@code mvn -Pbench verify} (the bench profile's failsafe execution
 * runs this class and nothing else; its name matches neither surefire's nor failsafe's default
 * patterns, so {@code mvn verify} never runs it). Knobs are passed as {@code -Dbench.*} on the mvn
 * command line. It fails only when a measurement could not be made at all, never on a figure.
 */
class BenchRun {

    @Test
    void measuresIntakeLatencyAndCostAndWritesTheTableAndResultsJson() throws Exception {
        JsonNode results = Bench.run(BenchSettings.fromSystemProperties());
        assertTrue(results.path("errors").isEmpty(), "some measurements could not be made: " + results.path("errors"));
    }
}

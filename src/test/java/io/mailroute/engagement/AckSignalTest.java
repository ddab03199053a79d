package io.mailroute.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What an app may POST to an acknowledgement URL, and what is refused with a reason. */
class AckSignalTest {

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("{\"event\":\"opened\"}", AckSignal.opened()),
                Arguments.of("  {\"event\":\"acted\",\"action\":\"approve\"}\n", AckSignal.acted("approve")),
                Arguments.of("{\"event\":\"ACTED\",\"action\":\"Snooze-1h\"}", AckSignal.acted("snooze-1h")),
                Arguments.of("{\"event\":\"dismissed\",\"action\":\"ignored-for-dismissal\"}",
                        new AckSignal(AckSignal.Kind.DISMISSED, null)),
                Arguments.of("event=opened", AckSignal.opened()),
                Arguments.of("event=acted&action=approve", AckSignal.acted("approve")),
                Arguments.of(Map.of("event", List.of("acted"), "action", "reject"), AckSignal.acted("reject")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void accepted(Object body, AckSignal expected) {
        assertEquals(expected, AckSignal.parse(body));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(null, "field 'event' is missing"),
                Arguments.of("", "field 'event' is missing"),
                Arguments.of("{\"event\":\"clicked\"}", "not opened, dismissed or acted"),
                Arguments.of("{\"event\":\"acted\"}", "'acted' needs its action"),
                Arguments.of("event=acted&action=<script>", "'acted' needs its action"),
                Arguments.of("{\"event\":\"acted\",\"action\":\"" + "a".repeat(65) + "\"}", "'acted' needs its action"),
                Arguments.of("{\"event\":[\"opened\"]}", "field 'event' must be a string"),
                Arguments.of("{\"event\":", "not a JSON object"),
                Arguments.of("event=opened&pad=" + "x".repeat(AckSignal.MAX_BODY_CHARS), "longer than"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource
    void refused(Object body, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AckSignal.parse(body));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}

package io.mailroute.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({"500ms,500", "5s,5000", "2m,120000", "1h,3600000", "1d,86400000", "PT1.5S,1500", "pt5s,5000", "' 7s ',7000"})
    void parsesShortAndIsoForms(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "5 seconds", "s5", "-5s"})
    void rejectsWhatIsNotADuration(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertEquals(true, e.getMessage().contains("5s"), e.getMessage());
    }
}

package io.mailroute.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CountedTest {

    @ParameterizedTest
    @CsvSource({"0, 0 deliveries", "1, 1 delivery", "2, 2 deliveries"})
    void theNounAgreesWithTheCount(long count, String expected) {
        assertEquals(expected, Counted.of(count, "delivery", "deliveries"));
    }

    @ParameterizedTest
    @CsvSource({"0, 0 messages", "1, 1 message", "12, 12 messages"})
    void aRegularNounAddsAnS(long count, String expected) {
        assertEquals(expected, Counted.of(count, "message"));
    }
}

package io.mailroute.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.json.Json;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code after} and {@code limit}, read the same way by every list endpoint: in range or refused, never bent. */
class ApiPagingTest {

    @ParameterizedTest(name = "limit={0} -> {1}")
    @CsvSource(nullValues = "null", value = {
            "null, 50", "'', 50", "1, 1", "50, 50", "500, 500", "' 20 ', 20"})
    void aLimitInRangeIsTaken(String limit, int expected) {
        assertEquals(expected, ApiQueries.limit(limit));
    }

    @ParameterizedTest(name = "limit={0} is refused")
    @CsvSource({"0", "-1", "501", "1000000", "2147483647", "99999999999", "9999999999999999999999", "abc", "1.5", "+5", "0x10"})
    void aLimitOutOfRangeIsRefusedNamingIt(String limit) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ApiQueries.limit(limit));
        assertEquals("limit must be a whole number from 1 to 500, got '" + limit + "'", refused.getMessage());
    }

    @ParameterizedTest(name = "after={0} -> {1}")
    @CsvSource(nullValues = "null", value = {"null, 0", "'', 0", "0, 0", "17, 17", "9007199254740993, 9007199254740993"})
    void anAfterOfZeroOrMoreIsTaken(String after, long expected) {
        assertEquals(expected, ApiQueries.after(after));
    }

    @ParameterizedTest(name = "after={0} is refused")
    @CsvSource({"-5", "-1", "abc", "1e3", "99999999999999999999"})
    void aNegativeOrNonNumericAfterIsRefusedNamingIt(String after) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ApiQueries.after(after));
        assertTrue(refused.getMessage().startsWith("after must be 0 or the id or seq of the last item seen"), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("got '" + after + "'"), refused.getMessage());
    }

    /** Each list endpoint reads its parameters through the helper, before it asks the database anything. */
    @Test
    void everyListEndpointRefusesTheSameInputs() {
        ApiQueries queries = new ApiQueries(null, null, null, Json.newMapper());
        ItemApi items = new ItemApi(null, Json.newMapper());
        DeliveryApi deliveries = new DeliveryApi(null, null, Json.newMapper(), null);
        List<BiConsumer<String, String>> endpoints = List.of(
                (after, limit) -> queries.messages(null, null, after, limit),
                (after, limit) -> queries.events(null, null, after, limit),
                (after, limit) -> items.list(null, null, null, null, null, after, limit),
                (after, limit) -> deliveries.list(null, null, null, after, limit));
        for (BiConsumer<String, String> endpoint : endpoints) {
            for (String limit : List.of("0", "-1", "2147483647", "1000000")) {
                assertTrue(assertThrows(IllegalArgumentException.class, () -> endpoint.accept(null, limit))
                        .getMessage().startsWith("limit must be"));
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> endpoint.accept("-5", null))
                    .getMessage().startsWith("after must be"));
        }
    }
}

package io.mailroute.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HtmlEntitiesTest {

    @ParameterizedTest(name = "&{0}; is {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "amp|&", "lt|<", "GT|>", "quot|\"", "nbsp|' '",
        "eacute|é", "Eacute|É", "auml|ä", "Ouml|Ö", "ccedil|ç", "ntilde|ñ", "atilde|ã", "icirc|î", "aring|å", "szlig|ß",
        "mdash|—", "#233|é", "#xE9|é", "#X1F44D|\uD83D\uDC4D",
        "#0|NULL", "#x110000|NULL", "#abc|NULL", "bogus|NULL", "1acute|NULL", "eacutex|NULL", "|NULL", "verylongname|NULL"})
    void decodesTheEntitiesMailUses(String name, String expected) {
        assertEquals(expected, HtmlEntities.decode(name == null ? "" : name));
    }

    @Test
    void theEndOfAReferenceIsLookedForOnlyAsFarAsANameCanBeLong() {
        assertEquals(7, HtmlEntities.referenceEnd("&eacute;x", 0, 9));
        assertEquals(-1, HtmlEntities.referenceEnd("&eacute;x", 0, 7), "not at or past the end given");
        assertEquals(-1, HtmlEntities.referenceEnd("&" + "a".repeat(20) + ";", 0, 22));
        String ampersands = "&".repeat(1_000_000) + ";";
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < ampersands.length() - 1; i++) {
                HtmlEntities.referenceEnd(ampersands, i, ampersands.length());
            }
        }, "a hang guard, not a speed claim");
    }
}

package io.mailroute.gmail.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PushNotificationTest {

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesGmailsNotificationWithItsNumericHistoryId() {
        PushNotification n = PushNotification.decode(base64("{\"emailAddress\":\"Support@Acme.example\",\"historyId\":9876543210123}"));
        assertEquals("support@acme.example", n.emailAddress(), "addresses compare lower-case");
        assertEquals(new BigInteger("9876543210123"), n.historyId());
    }

    @Test
    void aHistoryIdAsAStringIsTakenToo() {
        assertEquals(BigInteger.valueOf(1006), PushNotification.decode(base64("{\"emailAddress\":\"a@b.example\",\"historyId\":\"1006\"}"))
                .historyId());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not base64          | %%%                                           | not base64",
        "not json            | B64:hello                                     | not JSON",
        "an array            | B64:[1,2]                                     | not a JSON object",
        "no address          | B64:{\"historyId\":5}                         | emailAddress",
        "no history id       | B64:{\"emailAddress\":\"a@b.example\"}        | historyId",
        "negative history id | B64:{\"emailAddress\":\"a@b.example\",\"historyId\":-3} | historyId",
    })
    void badDataSaysWhatIsWrong(String name, String data, String said) {
        String given = data.startsWith("B64:") ? base64(data.substring(4)) : data;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PushNotification.decode(given));
        assertTrue(e.getMessage().contains(said), e.getMessage());
    }

    @Test
    void aCursorCoversTheNotificationFromItsHistoryIdOn() {
        PushNotification n = PushNotification.decode(base64("{\"emailAddress\":\"a@b.example\",\"historyId\":1000}"));
        assertTrue(n.coveredBy("1000"));
        assertTrue(n.coveredBy("10000"), "compared as numbers, not as text");
        assertFalse(n.coveredBy("999"));
        assertFalse(n.coveredBy(null), "no cursor yet: the first sync has not run");
    }
}

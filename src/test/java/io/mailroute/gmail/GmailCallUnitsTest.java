package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gmail's published units for each request Mailroute makes, read from the request as the client sends it. */
class GmailCallUnitsTest {

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
            "GET,    /gmail/v1/users/me/profile,                         1",
            "GET,    /gmail/v1/users/me/labels,                          1",
            "POST,   /gmail/v1/users/me/labels,                          5",
            "GET,    /gmail/v1/users/me/history,                         2",
            "GET,    /gmail/v1/users/me/messages,                        5",
            "GET,    /gmail/v1/users/me/messages/18c0ab,                 5",
            "GET,    /gmail/v1/users/me/messages/18c0ab/attachments/a1,  5",
            "POST,   /gmail/v1/users/me/messages/18c0ab/modify,          5",
            "POST,   /gmail/v1/users/me/messages/send,                   100",
            "POST,   /upload/gmail/v1/users/me/messages/send,            100",
            "POST,   /gmail/v1/users/me/messages,                        25",
            "POST,   /gmail/v1/users/me/messages/batchModify,            50",
            "DELETE, /gmail/v1/users/me/messages/18c0ab,                 10",
            "GET,    /gmail/v1/users/me/threads/t1,                      10",
            "POST,   /gmail/v1/users/me/watch,                           100",
            "POST,   /gmail/v1/users/me/stop,                            50",
            "POST,   /sandbox/prefix/gmail/v1/users/support%40acme.example/stop, 50",
            "GET,    /gmail/v1/users/me/settings/filters,                10",
            "GET,    /oauth2/v4/token,                                   10",
    })
    void unitsOfEachRequest(String method, String path, int units) {
        assertEquals(units, GmailCallUnits.of(method, path));
    }
}

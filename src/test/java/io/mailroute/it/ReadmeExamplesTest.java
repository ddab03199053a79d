package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's examples are read as a shell would read them, or the test that runs them says why not. */
class ReadmeExamplesTest {

    private static final String TEXT = """
            ## What the demo shows

            | what | where |
            |---|---|
            | events | `curl -s 'http://127.0.0.1:8080/api/events?type=case.created'` |
            | move | `curl -s -X PATCH http://127.0.0.1:8080/api/items/1 -H 'Content-Type: application/json' -d '{"state":"IN_PROGRESS"}'` |
            | metrics | `curl -s http://127.0.0.1:9876/observe/metrics \\| grep mailroute_` |
            | file | `data/attachments/<sha256>` |

            Open the address (or `curl -si` it): a mention, not an example.

            ```
            curl -s -X POST 'http://127.0.0.1:8025/sandbox/admin/users/a@b.example/messages' \\
                 -H "Authorization: Bearer $TOKEN" --data-binary 'raw mail'
            ```

            ## Next
            `curl -s http://127.0.0.1:8080/elsewhere`
            """;

    @Test
    void curlsComeFromCodeBlocksAndTableCellsOfTheSectionOnly() {
        List<ReadmeExamples.Curl> curls = ReadmeExamples.curls(ReadmeExamples.section(TEXT, "What the demo shows"),
                Map.of("TOKEN", "t0k"));
        assertEquals(List.of("POST /sandbox/admin/users/a@b.example/messages", "GET /api/events?type=case.created",
                "PATCH /api/items/1", "GET /observe/metrics"), curls.stream().map(ReadmeExamples.Curl::request).toList());
    }

    @Test
    void aCommandIsSplitAsTheShellSplitsIt() {
        ReadmeExamples.Curl patch = ReadmeExamples.parseCurl("curl -s -X PATCH http://127.0.0.1:8080/api/items/1 "
                + "-H 'Content-Type: application/json' -H \"X-Actor: \\\"mei\\\" ${WHO}\" -d '{\"a\":1}'", Map.of("WHO", "me"));
        assertEquals("PATCH", patch.method());
        assertEquals(Map.of("Content-Type", "application/json", "X-Actor", "\"mei\" me"), patch.headers());
        assertArrayEquals("{\"a\":1}".getBytes(StandardCharsets.UTF_8), patch.body());
        assertNull(patch.grep());
        assertEquals(8080, patch.port());

        ReadmeExamples.Curl metrics = ReadmeExamples.parseCurl("curl -s http://127.0.0.1:9876/observe/metrics | grep mailroute_", Map.of());
        assertEquals("GET", metrics.method());
        assertEquals("mailroute_", metrics.grep());
    }

    @Test
    void anOptionOrVariableTheTestDoesNotKnowFailsNamingIt() {
        AssertionError option = assertThrows(AssertionError.class,
                () -> ReadmeExamples.parseCurl("curl -k https://127.0.0.1:8080/api/items", Map.of()));
        assertTrue(option.getMessage().contains("curl option -k"), option.getMessage());
        AssertionError variable = assertThrows(AssertionError.class,
                () -> ReadmeExamples.parseCurl("curl -H \"Authorization: Bearer $MAILROUTE_TOKEN\" http://127.0.0.1:8080/", Map.of()));
        assertTrue(variable.getMessage().contains("$MAILROUTE_TOKEN"), variable.getMessage());
    }
}

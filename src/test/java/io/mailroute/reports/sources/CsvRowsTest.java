package io.mailroute.reports.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CSV reader alone: what RFC 4180 allows is read, and what it does not is named by its line. */
class CsvRowsTest {

    private static List<List<String>> read(String csv) throws SourceException {
        try {
            return SourceFixtures.all(CsvRows.table("t", new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8, "the CSV", "Fix it."));
        } catch (SourceException.Unchecked e) {
            throw e.sourceException();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            lines ending in CR       | a,b\\r1,2\\r3,4                  | [[a, b], [1, 2], [3, 4]]
            no line break at the end | a,b\\n1,2                        | [[a, b], [1, 2]]
            empty fields             | a,b,c\\n,,\\n\\"\\",x,          | [[a, b, c], [, , ], [, x, ]]
            blank lines skipped      | a\\n\\n1\\r\\n\\r\\n2\\n\\n    | [[a], [1], [2]]
            only a header            | a,b\\n                           | [[a, b]]
            """)
    void validCsvIsRead(String name, String csv, String expected) throws Exception {
        assertEquals(expected, read(unescape(csv)).toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a quote inside a field     | a,b\\n1,x\\"y\\n          | the CSV is not valid CSV: line 2 has a quote inside a field that does not start with one
            text after a closing quote | a,b\\n1,2\\n\\"x\\"y,3\\n | the CSV is not valid CSV: line 3 has text after a closing quote
            a field too many           | a,b\\n\\"1\\r\\n1\\",2,3   | the CSV: line 2 has 3 fields but the header line has 2 columns
            nothing at all             | ''                         | the CSV is empty: it needs a header line naming the columns
            """)
    void invalidCsvIsNamedByItsLine(String name, String csv, String message) {
        SourceException e = assertThrows(SourceException.class, () -> read(unescape(csv)));
        assertEquals(message, e.getMessage().substring(0, message.length()), e.getMessage());
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n").replace("\\\"", "\"");
    }
}

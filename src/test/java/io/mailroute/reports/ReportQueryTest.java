package io.mailroute.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReportQueryTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            a ; and DELETE inside a string        | SELECT 'a; DELETE FROM x' AS note FROM t WHERE d >= :periodStart | periodStart
            a trailing ;                          | SELECT a FROM t WHERE d < :periodEnd;                             | periodEnd
            a comment first, then WITH            | -- weekly\\nWITH w AS (SELECT a FROM t) SELECT a FROM w         | -
            a quoted name that says update        | SELECT a AS "update" FROM t                                       | -
            a PostgreSQL cast and a parameter     | SELECT a::text FROM t WHERE c = :customer AND d >= :periodStart   | customer;periodStart
            """)
    void aSingleReadingSelectIsAccepted(String name, String sql, String parameters) {
        ReportQuery query = ReportQuery.of(sql.replace("\\n", "\n"));
        assertEquals(parameters.equals("-") ? List.of() : List.of(parameters.split(";")), query.parameters());
        assertTrue(!query.sql().endsWith(";"), query.sql());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            two statements                        | SELECT a FROM t; DROP TABLE t                       | chains statements with ';'
            a ; hidden after an E-string escape   | SELECT E'x\\'' ; DELETE FROM t                      | chains statements with ';'
            an update                             | UPDATE t SET a = 1                                  | starts with UPDATE, not SELECT or WITH
            a parenthesis first                   | (SELECT a FROM t)                                   | starts with '(', not SELECT or WITH
            a data-changing WITH                  | WITH d AS (DELETE FROM t RETURNING a) SELECT a FROM d | contains DELETE
            SELECT INTO a new table               | SELECT a INTO copy FROM t                           | contains INTO
            row locks                             | SELECT a FROM t FOR UPDATE                          | contains UPDATE
            a positional parameter                | SELECT a FROM t WHERE b = ?                         | has a '?' parameter
            nothing but a comment                 | -- nothing                                          | is empty
            """)
    void anythingElseIsRefusedSayingWhy(String name, String sql, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportQuery.of(sql));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}

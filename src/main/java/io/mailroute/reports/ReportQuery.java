package io.mailroute.reports;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.jdbc.core.SqlParameter;
import org.springframework.jdbc.core.namedparam.EmptySqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;

/**
 * A report's query text from {@code reports.yaml}: one read-only SELECT (or WITH ... SELECT) with named parameters,
 * checked when the file is read. The check reads the text the way the database does (string literals, quoted names
 * and comments are skipped), so a {@code ;} or {@code DELETE} inside a string is no finding and one outside is.
 * It guards against mistakes in configuration; it is not a sandbox: the runs should still use a read-only connection.
 *
 * @param sql        the text, without a trailing {@code ;}
 * @param parameters the named parameters it binds ({@code :periodStart}), each once, in order of appearance
 */
public record ReportQuery(String sql, List<String> parameters) {

    /** Words that change data or schema, lock rows or write files: never in a report's query. */
    private static final Set<String> WRITING = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "TRUNCATE", "DROP",
            "ALTER", "CREATE", "GRANT", "REVOKE", "CALL", "EXECUTE", "COPY", "INTO", "LOCK");

    public ReportQuery {
        parameters = List.copyOf(parameters);
    }

    /**
     * The query, or an {@link IllegalArgumentException} whose message says what is wrong ("chains statements with ';'",
     * "starts with UPDATE, not SELECT or WITH" ...), phrased to follow a key name.
     */
    public static ReportQuery of(String text) {
        Scan scan = scan(text);
        if (scan.words.isEmpty()) {
            throw new IllegalArgumentException("is empty");
        }
        String first = scan.words.get(0);
        if (!scan.startsWithWord || !first.equals("SELECT") && !first.equals("WITH")) {
            throw new IllegalArgumentException("starts with " + (scan.startsWithWord ? first : "'" + scan.firstChar + "'")
                    + ", not SELECT or WITH: a report reads with one SELECT");
        }
        if (scan.chained) {
            throw new IllegalArgumentException("chains statements with ';': a report reads with one SELECT");
        }
        for (String word : scan.words) {
            if (WRITING.contains(word)) {
                throw new IllegalArgumentException("contains " + word + ", so it is not a single read-only SELECT");
            }
        }
        if (scan.positional) {
            throw new IllegalArgumentException("has a '?' parameter: a report binds named parameters only");
        }
        String sql = scan.trailingSemicolon < 0 ? text.strip() : text.substring(0, scan.trailingSemicolon).strip();
        Set<String> names = new LinkedHashSet<>();
        for (SqlParameter parameter : NamedParameterUtils.buildSqlParameterList(NamedParameterUtils.parseSqlStatement(sql),
                new EmptySqlParameterSource())) {
            names.add(parameter.getName());
        }
        return new ReportQuery(sql, new ArrayList<>(names));
    }

    private static final class Scan {
        final List<String> words = new ArrayList<>();
        boolean startsWithWord;
        char firstChar;
        boolean chained;
        boolean positional;
        /** Where a last ';' with nothing but blanks and comments after it is, or -1. */
        int trailingSemicolon = -1;
    }

    /** The words, ';' and '?' outside literals, quoted names and comments. */
    private static Scan scan(String text) {
        Scan scan = new Scan();
        int n = text.length();
        int i = 0;
        boolean seenCode = false;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                continue;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (!seenCode) {
                seenCode = true;
                scan.firstChar = c;
                scan.startsWithWord = Character.isLetter(c);
            }
            if (scan.trailingSemicolon >= 0) {
                scan.chained = true; // code after a ';'
                scan.trailingSemicolon = -1;
            }
            if (c == '\'' || c == '"') {
                // E'...' strings (PostgreSQL) take backslash escapes; standard ones only doubled quotes
                boolean backslashes = c == '\'' && i > 0 && (text.charAt(i - 1) == 'E' || text.charAt(i - 1) == 'e')
                        && (i < 2 || !Character.isLetterOrDigit(text.charAt(i - 2)) && text.charAt(i - 2) != '_');
                i = closing(text, i + 1, c, backslashes);
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_' || text.charAt(i) == '$')) {
                    i++;
                }
                boolean parameter = start > 0 && text.charAt(start - 1) == ':';
                if (!parameter) {
                    scan.words.add(text.substring(start, i).toUpperCase(Locale.ROOT));
                }
                continue;
            }
            if (c == ';') {
                if (scan.chained) {
                    i++;
                    continue;
                }
                scan.trailingSemicolon = i;
            } else if (c == '?') {
                scan.positional = true;
            }
            i++;
        }
        return scan;
    }

    /** The index after the quote that closes a literal or quoted name opened before {@code from}. */
    private static int closing(String text, int from, char quote, boolean backslashes) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (backslashes && c == '\\') {
                i += 2;
            } else if (c == quote && i + 1 < text.length() && text.charAt(i + 1) == quote) {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        return i;
    }
}

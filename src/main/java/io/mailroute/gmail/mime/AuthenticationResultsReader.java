package io.mailroute.gmail.mime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads Gmail's verdicts from Authentication-Results (RFC 8601). Only the topmost header whose
 * authserv-id is exactly {@code mx.google.com} counts: Gmail prepends its own, and any other,
 * including lower ones claiming to be Gmail, was written by whoever sent the mail.
 */
final class AuthenticationResultsReader {

    static final String GMAIL_AUTHSERV_ID = "mx.google.com";

    private AuthenticationResultsReader() {
    }

    /** @param headerValues Authentication-Results values, topmost first; may be null. */
    static AuthVerdicts read(String[] headerValues) {
        if (headerValues == null) {
            return AuthVerdicts.none();
        }
        for (String value : headerValues) {
            List<String> clauses = clauses(HeaderText.raw(value));
            if (clauses.isEmpty()) {
                continue;
            }
            // The authserv-id may be followed by a version number: "mx.google.com 1".
            String authservId = clauses.get(0).strip().split("\\s+")[0];
            if (authservId.equalsIgnoreCase(GMAIL_AUTHSERV_ID)) {
                List<String> results = clauses.subList(1, clauses.size());
                return new AuthVerdicts(verdict(results, "dkim"), verdict(results, "spf"), verdict(results, "dmarc"));
            }
        }
        return AuthVerdicts.none();
    }

    /** A method may be reported more than once (one per DKIM signature): any pass wins, else the first result. */
    private static String verdict(List<String> results, String method) {
        String first = null;
        for (String clause : results) {
            String[] tokens = clause.strip().split("\\s+");
            String head = tokens[0].toLowerCase(Locale.ROOT);
            int eq = head.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = head.substring(0, eq);
            int slash = name.indexOf('/'); // method version: "dkim/1=pass"
            if (slash >= 0) {
                name = name.substring(0, slash);
            }
            String result = head.substring(eq + 1);
            if (!name.equals(method) || !result.matches("[a-z]+")) {
                continue;
            }
            if (result.equals("pass")) {
                return result;
            }
            if (first == null) {
                first = result;
            }
        }
        return first == null ? "none" : first;
    }

    /** Splits on ';' outside quoted strings, with (comments) removed. */
    static List<String> clauses(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        String plain = HeaderText.withoutComments(value);
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < plain.length(); i++) {
            char c = plain.charAt(i);
            if (c == '\\' && quoted && i + 1 < plain.length()) {
                current.append(c).append(plain.charAt(++i));
            } else if (c == ';' && !quoted) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                quoted ^= c == '"';
                current.append(c);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString());
        }
        return out;
    }
}

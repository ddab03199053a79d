package io.mailroute.gmail.mime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads Gmail's verdicts from Authentication-Results (RFC 8601). Only the topmost header counts, and only when
 * its authserv-id is exactly {@code mx.google.com}: Gmail prepends its own on receipt, so any lower one, even one
 * claiming to be Gmail's, was written by whoever sent the mail; and when the topmost is not Gmail's, Gmail
 * stamped nothing (the message was inserted, not received) and a lower "mx.google.com" one is as forged.
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
        String topmost = null;
        for (String value : headerValues) {
            if (value != null && !value.isBlank()) {
                topmost = value;
                break;
            }
        }
        List<String> clauses = clauses(HeaderText.raw(topmost));
        if (clauses.isEmpty()) {
            return AuthVerdicts.none();
        }
        // The authserv-id may be followed by a version number: "mx.google.com 1".
        String authservId = clauses.get(0).strip().split("\\s+")[0];
        if (!authservId.equalsIgnoreCase(GMAIL_AUTHSERV_ID)) {
            return AuthVerdicts.none();
        }
        List<String> results = clauses.subList(1, clauses.size());
        return new AuthVerdicts(verdict(results, "dkim"), verdict(results, "spf"), verdict(results, "dmarc"),
                passDomains(results, "dkim", "header.d", "header.i"), passDomains(results, "dmarc", "header.from"));
    }

    /**
     * The domain of each passing result of {@code method}, from the first of {@code properties} it names
     * ({@code header.i=@mail.globex.example} and {@code header.i=ann@globex.example} name their domain after the
     * at-sign); lower-cased, without a final dot, in order, no duplicates.
     */
    private static List<String> passDomains(List<String> results, String method, String... properties) {
        List<String> domains = new ArrayList<>();
        for (String clause : results) {
            String[] tokens = clause.strip().split("\\s+");
            if (!"pass".equals(result(tokens[0], method))) {
                continue;
            }
            String domain = null;
            for (int p = 0; p < properties.length && domain == null; p++) {
                domain = property(tokens, properties[p]);
            }
            if (domain != null) {
                int at = domain.lastIndexOf('@');
                domain = domain.substring(at + 1);
                domain = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
                if (!domain.isEmpty() && !domains.contains(domain)) {
                    domains.add(domain);
                }
            }
        }
        return domains;
    }

    /** The lower-cased value of {@code name=value} among the tokens of one result, quotes removed; null when absent. */
    private static String property(String[] tokens, String name) {
        for (int i = 1; i < tokens.length; i++) {
            int eq = tokens[i].indexOf('=');
            if (eq > 0 && tokens[i].substring(0, eq).equalsIgnoreCase(name)) {
                String value = tokens[i].substring(eq + 1).replace("\"", "").toLowerCase(Locale.ROOT);
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /** The result of a clause's first token when it reports {@code method} ("dkim/1=pass" too), else null. */
    private static String result(String firstToken, String method) {
        String head = firstToken.toLowerCase(Locale.ROOT);
        int eq = head.indexOf('=');
        if (eq < 0) {
            return null;
        }
        String name = head.substring(0, eq);
        int slash = name.indexOf('/'); // method version: "dkim/1=pass"
        if (slash >= 0) {
            name = name.substring(0, slash);
        }
        String result = head.substring(eq + 1);
        return name.equals(method) && result.matches("[a-z]+") ? result : null;
    }

    /** A method may be reported more than once (one per DKIM signature): any pass wins, else the first result. */
    private static String verdict(List<String> results, String method) {
        String first = null;
        for (String clause : results) {
            String result = result(clause.strip().split("\\s+")[0], method);
            if (result == null) {
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

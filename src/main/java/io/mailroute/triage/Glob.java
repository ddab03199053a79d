package io.mailroute.triage;

import java.util.Locale;

/**
 * A case-insensitive, anchored wildcard pattern: {@code *} is any run of characters, {@code ?} one character,
 * everything else is literal ({@code *@initech.example}, {@code *.pdf}, {@code image/*}). Matched without
 * regular expressions, in time proportional to pattern × text at worst, so untrusted text cannot slow it down.
 */
record Glob(String pattern, String lowered) {

    static Glob of(String pattern) {
        return new Glob(pattern, pattern.toLowerCase(Locale.ROOT));
    }

    boolean matches(String text) {
        if (text == null) {
            return false;
        }
        String s = text.toLowerCase(Locale.ROOT);
        String p = lowered;
        int si = 0;
        int pi = 0;
        int starPi = -1;
        int starSi = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                si++;
                pi++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                starPi = pi++;
                starSi = si;
            } else if (starPi >= 0) {
                pi = starPi + 1;
                si = ++starSi;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}

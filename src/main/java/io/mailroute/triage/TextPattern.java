package io.mailroute.triage;

import java.util.regex.Pattern;

/**
 * A keyword or a regular expression searched in subject or body text.
 *
 * <p>A keyword matches whole words, case-insensitively: {@code invoice} finds "Invoice INV-1" but not
 * "invoices"; a phrase ({@code new bank details}) matches its words separated by any whitespace.
 *
 * <p>A regular expression (Java syntax, case-insensitive, searched anywhere in the text) runs on at most
 * {@link MailFacts#MAX_TEXT_CHARS} characters and with a budget of {@link #REGEX_STEP_BUDGET} character
 * reads. A pattern that backtracks catastrophically on some mail gives up and counts as no match, so it
 * cannot hang intake.
 */
final class TextPattern {

    static final long REGEX_STEP_BUDGET = 2_000_000L;

    private final String source;
    private final Pattern pattern;
    private final boolean keyword;

    private TextPattern(String source, Pattern pattern, boolean keyword) {
        this.source = source;
        this.pattern = pattern;
        this.keyword = keyword;
    }

    static TextPattern keyword(String word) {
        String trimmed = word.strip();
        StringBuilder regex = new StringBuilder();
        if (isWordChar(trimmed.charAt(0))) {
            regex.append("(?<![\\p{L}\\p{N}_])");
        }
        String[] parts = trimmed.split("\\s+");
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append("\\s+");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        if (isWordChar(trimmed.charAt(trimmed.length() - 1))) {
            regex.append("(?![\\p{L}\\p{N}_])");
        }
        return new TextPattern(trimmed, Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE), true);
    }

    /** @throws java.util.regex.PatternSyntaxException when the expression does not compile */
    static TextPattern regex(String expression) {
        return new TextPattern(expression, Pattern.compile(expression, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE), false);
    }

    /** Searches the text; a regular expression that spends its budget gives up (and counts as no match). */
    Found search(String text) {
        if (keyword) {
            return pattern.matcher(text).find() ? Found.YES : Found.NO; // quoted words, fixed look-arounds: linear
        }
        try {
            return pattern.matcher(new BudgetedText(text, REGEX_STEP_BUDGET)).find() ? Found.YES : Found.NO;
        } catch (Budget | StackOverflowError exhausted) {
            // java.util.regex also recurses per repetition of some groups: a long body can exhaust the stack.
            return Found.GAVE_UP;
        }
    }

    enum Found { YES, NO, GAVE_UP }

    String source() {
        return source;
    }

    @Override
    public String toString() {
        return keyword ? "\"" + source + "\"" : "/" + source + "/";
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    /** Thrown from inside the regex engine when the step budget is spent; never escapes this class. */
    static final class Budget extends RuntimeException {
        Budget() {
            super(null, null, false, false);
        }
    }

    /** A string that counts every character the regex engine reads and stops it past the budget. */
    private static final class BudgetedText implements CharSequence {
        private final String text;
        private final long[] remaining;
        private final int offset;
        private final int length;

        BudgetedText(String text, long budget) {
            this(text, new long[] {budget}, 0, text.length());
        }

        private BudgetedText(String text, long[] remaining, int offset, int length) {
            this.text = text;
            this.remaining = remaining;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public char charAt(int index) {
            if (--remaining[0] < 0) {
                throw new Budget();
            }
            return text.charAt(offset + index);
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BudgetedText(text, remaining, offset + start, end - start);
        }

        @Override
        public String toString() {
            return text.substring(offset, offset + length);
        }
    }
}

package io.mailroute.sandbox;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gmail's search language ({@code messages.list?q=}) for the operators Mailroute and its tests use:
 * {@code from: to: cc: bcc: subject: label: in: is: has:attachment category: filename: rfc822msgid:
 * newer_than: older_than: after: before: larger: smaller:}, bare words, "quoted phrases", {@code -}
 * negation, {@code OR}, {@code ( )} grouping and {@code { }} any-of groups. Words match whole words,
 * case-insensitively. An unknown operator is searched as text, as Gmail does.
 */
final class MessageQuery {

    /** Gmail interprets calendar dates in search as midnight Pacific time. */
    static final ZoneId SEARCH_ZONE = ZoneId.of("America/Los_Angeles");

    private static final Set<String> OPERATORS = Set.of("from", "to", "cc", "bcc", "subject", "label", "in", "is",
            "has", "category", "filename", "rfc822msgid", "newer_than", "older_than", "after", "before",
            "newer", "older", "larger", "smaller", "size");

    interface Node {
        boolean matches(MessageFacts facts, Instant now);
    }

    private final Node root;
    private final boolean searchesSpamOrTrash;

    private MessageQuery(Node root, boolean searchesSpamOrTrash) {
        this.root = root;
        this.searchesSpamOrTrash = searchesSpamOrTrash;
    }

    /** @throws IllegalArgumentException for a query Gmail would reject (bad date, unbalanced group) */
    static MessageQuery parse(String q) {
        if (q == null || q.isBlank()) {
            return new MessageQuery((f, now) -> true, false);
        }
        Parser parser = new Parser(tokenize(q));
        List<Node> nodes = parser.sequence(null);
        return new MessageQuery(and(nodes), parser.mentionsSpamOrTrash);
    }

    boolean matches(MessageFacts facts, Instant now) {
        return root.matches(facts, now);
    }

    /** Gmail hides SPAM and TRASH from search unless the query asks for them with in:/label:. */
    boolean searchesSpamOrTrash() {
        return searchesSpamOrTrash;
    }

    // ---- tokens

    private record Token(String kind, String op, String value) {
    }

    private static List<Token> tokenize(String q) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = q.length();
        while (i < n) {
            char c = q.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == '{' || c == '}') {
                tokens.add(new Token(String.valueOf(c), null, null));
                i++;
            } else if (c == '-' && i + 1 < n && !Character.isWhitespace(q.charAt(i + 1))) {
                tokens.add(new Token("-", null, null));
                i++;
            } else if (c == '"') {
                int close = q.indexOf('"', i + 1);
                int end = close < 0 ? n : close;
                tokens.add(new Token("word", null, q.substring(i + 1, end)));
                i = close < 0 ? n : close + 1;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(q.charAt(i)) && "(){}\"".indexOf(q.charAt(i)) < 0) {
                    i++;
                }
                String word = q.substring(start, i);
                int colon = word.indexOf(':');
                String op = colon > 0 ? word.substring(0, colon).toLowerCase(Locale.ROOT) : null;
                if (op != null && OPERATORS.contains(op)) {
                    String value = word.substring(colon + 1);
                    if (value.isEmpty() && i < n && q.charAt(i) == '"') { // subject:"a phrase"
                        int close = q.indexOf('"', i + 1);
                        int end = close < 0 ? n : close;
                        tokens.add(new Token("op", op, q.substring(i + 1, end)));
                        i = close < 0 ? n : close + 1;
                    } else if (value.isEmpty() && i < n && q.charAt(i) == '(') { // subject:(all these words)
                        int close = q.indexOf(')', i + 1);
                        if (close < 0) {
                            throw new IllegalArgumentException("Invalid query: unbalanced '(' after " + op + ":");
                        }
                        for (String part : q.substring(i + 1, close).trim().split("\\s+")) {
                            if (!part.isEmpty()) {
                                tokens.add(new Token("op", op, part));
                            }
                        }
                        i = close + 1;
                    } else {
                        tokens.add(new Token("op", op, value));
                    }
                } else if (word.equals("OR") || word.equals("|")) {
                    tokens.add(new Token("OR", null, null));
                } else if (!word.equals("AND")) {
                    tokens.add(new Token("word", null, word));
                }
            }
        }
        return tokens;
    }

    // ---- grammar: sequence := orExpr* ; orExpr := unary (OR unary)* ; unary := '-' unary | (..) | {..} | term

    private static final class Parser {
        private final List<Token> tokens;
        private int pos;
        boolean mentionsSpamOrTrash;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        List<Node> sequence(String closing) {
            List<Node> nodes = new ArrayList<>();
            while (pos < tokens.size()) {
                if (closing != null && tokens.get(pos).kind().equals(closing)) {
                    pos++;
                    return nodes;
                }
                nodes.add(orExpr());
            }
            if (closing != null) {
                throw new IllegalArgumentException("Invalid query: missing '" + closing + "'");
            }
            return nodes;
        }

        private Node orExpr() {
            List<Node> alternatives = new ArrayList<>(List.of(unary()));
            while (pos < tokens.size() && tokens.get(pos).kind().equals("OR")) {
                pos++;
                if (pos < tokens.size()) {
                    alternatives.add(unary());
                }
            }
            return alternatives.size() == 1 ? alternatives.get(0) : or(alternatives);
        }

        private Node unary() {
            Token t = tokens.get(pos++);
            switch (t.kind()) {
                case "-":
                    if (pos >= tokens.size()) {
                        return (f, now) -> true;
                    }
                    Node negated = unary();
                    return (f, now) -> !negated.matches(f, now);
                case "(":
                    return and(sequence(")"));
                case "{":
                    return or(sequence("}"));
                case "op":
                    return operator(t.op(), t.value());
                case "word":
                    return text(t.value());
                default: // a stray ')', '}' or OR is ignored, as Gmail does
                    return (f, now) -> true;
            }
        }

        private Node operator(String op, String rawValue) {
            String value = rawValue.trim();
            String lower = value.toLowerCase(Locale.ROOT);
            switch (op) {
                case "from":
                    return addressTerm(value, f -> f.from());
                case "to":
                    return addressTerm(value, f -> f.to() + " , " + f.cc() + " , " + f.bcc());
                case "cc":
                    return addressTerm(value, MessageFacts::cc);
                case "bcc":
                    return addressTerm(value, MessageFacts::bcc);
                case "subject":
                    return (f, now) -> containsWords(f.subject(), value);
                case "label":
                case "in":
                    if (lower.equals("spam") || lower.equals("trash") || lower.equals("anywhere")) {
                        mentionsSpamOrTrash = true;
                    }
                    return lower.equals("anywhere") ? (f, now) -> true : (f, now) -> hasLabel(f, value);
                case "is":
                    return isTerm(lower);
                case "has":
                    if (lower.equals("attachment")) {
                        return (f, now) -> !f.filenames().isEmpty();
                    }
                    if (lower.equals("userlabels") || lower.equals("nouserlabels")) {
                        boolean wanted = lower.equals("userlabels");
                        return (f, now) -> f.labelIds().stream().anyMatch(id -> id.startsWith("Label_")) == wanted;
                    }
                    return text(value);
                case "category":
                    String label = "CATEGORY_" + (lower.equals("primary") ? "PERSONAL" : value.toUpperCase(Locale.ROOT));
                    return (f, now) -> f.labelIds().contains(label);
                case "filename":
                    return (f, now) -> f.filenames().stream().map(n -> n.toLowerCase(Locale.ROOT))
                            .anyMatch(n -> n.equals(lower) || n.endsWith("." + lower) || containsWords(n, lower));
                case "rfc822msgid":
                    String bare = lower.replaceAll("^<|>$", "");
                    return (f, now) -> f.rfc822MessageId() != null
                            && f.rfc822MessageId().toLowerCase(Locale.ROOT).replaceAll("^<|>$", "").equals(bare);
                case "newer_than":
                case "newer":
                    return relativeAge(value, true);
                case "older_than":
                case "older":
                    return relativeAge(value, false);
                case "after":
                    long after = dateMillis(value);
                    return (f, now) -> f.internalDateMillis() >= after;
                case "before":
                    long before = dateMillis(value);
                    return (f, now) -> f.internalDateMillis() < before;
                case "larger":
                case "size":
                    long min = sizeBytes(value);
                    return (f, now) -> f.sizeBytes() > min;
                case "smaller":
                    long max = sizeBytes(value);
                    return (f, now) -> f.sizeBytes() < max;
                default:
                    return text(op + ":" + value);
            }
        }
    }

    // ---- term semantics

    private static Node addressTerm(String value, java.util.function.Function<MessageFacts, String> field) {
        if (value.equalsIgnoreCase("me")) {
            return (f, now) -> containsWords(field.apply(f), f.owner());
        }
        return (f, now) -> containsWords(field.apply(f), value);
    }

    private static Node isTerm(String what) {
        return switch (what) {
            case "unread" -> (f, now) -> f.labelIds().contains("UNREAD");
            case "read" -> (f, now) -> !f.labelIds().contains("UNREAD");
            case "starred" -> (f, now) -> f.labelIds().contains("STARRED");
            case "important" -> (f, now) -> f.labelIds().contains("IMPORTANT");
            case "sent" -> (f, now) -> f.labelIds().contains("SENT");
            case "draft" -> (f, now) -> f.labelIds().contains("DRAFT");
            default -> (f, now) -> false;
        };
    }

    private static boolean hasLabel(MessageFacts facts, String name) {
        String wanted = normalizeLabel(name);
        return facts.labelIds().stream().anyMatch(id -> normalizeLabel(id).equals(wanted))
                || facts.labelNames().stream().anyMatch(n -> normalizeLabel(n).equals(wanted));
    }

    /** Gmail lets a search name "My Label/Sub" as my-label-sub. */
    private static String normalizeLabel(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[\\s/_\\-]+", "-");
    }

    private static Node text(String value) {
        return (f, now) -> containsWords(f.subject(), value) || containsWords(f.text(), value)
                || containsWords(f.from(), value) || containsWords(f.to(), value) || containsWords(f.cc(), value)
                || f.filenames().stream().anyMatch(n -> containsWords(n, value));
    }

    /** Whole-word (or whole-phrase) containment, case-insensitive; punctuation separates words. */
    static boolean containsWords(String haystack, String needle) {
        if (haystack == null || needle == null) {
            return false;
        }
        String trimmed = needle.trim();
        if (trimmed.isEmpty()) {
            return true;
        }
        StringBuilder regex = new StringBuilder("(?<![\\p{L}\\p{N}])");
        String[] words = trimmed.split("\\s+");
        for (int i = 0; i < words.length; i++) {
            if (i > 0) {
                regex.append("[\\s\\p{Punct}]+");
            }
            regex.append(Pattern.quote(words[i]));
        }
        regex.append("(?![\\p{L}\\p{N}])");
        Matcher m = Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE).matcher(haystack);
        return m.find();
    }

    private static Node relativeAge(String value, boolean newer) {
        Matcher m = Pattern.compile("(\\d+)([dmyh])", Pattern.CASE_INSENSITIVE).matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid query: bad age '" + value + "' (use e.g. 2d, 3m, 1y)");
        }
        long amount = Long.parseLong(m.group(1));
        char unit = Character.toLowerCase(m.group(2).charAt(0));
        return (f, now) -> {
            ZonedDateTime reference = now.atZone(SEARCH_ZONE);
            ZonedDateTime threshold = switch (unit) {
                case 'h' -> reference.minusHours(amount);
                case 'd' -> reference.minusDays(amount);
                case 'm' -> reference.minusMonths(amount);
                default -> reference.minusYears(amount);
            };
            long t = threshold.toInstant().toEpochMilli();
            return newer ? f.internalDateMillis() > t : f.internalDateMillis() <= t;
        };
    }

    /** yyyy/mm/dd (midnight Pacific, as Gmail) or epoch seconds. */
    static long dateMillis(String value) {
        if (value.matches("\\d{9,}")) {
            return Long.parseLong(value) * 1000;
        }
        Matcher m = Pattern.compile("(\\d{4})[/-](\\d{1,2})[/-](\\d{1,2})").matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid query: bad date '" + value + "' (use yyyy/mm/dd or epoch seconds)");
        }
        try {
            return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))
                    .atStartOfDay(SEARCH_ZONE).toInstant().toEpochMilli();
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("Invalid query: bad date '" + value + "'");
        }
    }

    private static long sizeBytes(String value) {
        Matcher m = Pattern.compile("(\\d+)([kKmM]?)").matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid query: bad size '" + value + "' (use e.g. 10K or 2M)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> n * 1024;
            case "m" -> n * 1024 * 1024;
            default -> n;
        };
    }

    private static Node and(List<Node> nodes) {
        List<Node> copy = List.copyOf(nodes);
        return (f, now) -> copy.stream().allMatch(n -> n.matches(f, now));
    }

    private static Node or(List<Node> nodes) {
        List<Node> copy = List.copyOf(nodes);
        return (f, now) -> copy.isEmpty() || copy.stream().anyMatch(n -> n.matches(f, now));
    }
}

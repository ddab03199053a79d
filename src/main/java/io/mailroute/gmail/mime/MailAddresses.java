package io.mailroute.gmail.mime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Address-list headers (From, To, Cc, Reply-To) to {@link MailAddress}es, read by RFC 5322 but as leniently as mail
 * clients read them: comments are dropped wherever they stand ({@code pete(his account)@silly.test(his host)}), the
 * obsolete forms are accepted (spaces around dots and at-signs, source routes), groups are flattened, and words
 * that are no address are left out. Where the header is broken the way real mail breaks it, the reading is the
 * one a person would make: two addresses without a comma are two addresses, and words before a bare address are
 * its display name ({@code Big Bug bb@bug.com}). Words before an angle address are its display name even when they
 * look like an address, as every client shows them: the address in brackets is the one mail goes to.
 *
 * <p>The local part is kept as written, quotes included ({@code "big bug bb"@bug.com} needs them to be an address
 * at all, and local parts are case-sensitive); the domain is lower-cased. Nothing here recurses on the input, so
 * no header can exhaust the stack.
 */
final class MailAddresses {

    /** RFC 5321's limit for a path, and the width of the columns addresses are stored in. */
    static final int MAX_ADDRESS_CHARS = 320;
    /** The width of the column display names are stored in. */
    static final int MAX_NAME_CHARS = 998;

    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?[^?\\s]+\\?[bBqQ]\\?[^?\\s]*\\?=");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final String SPECIALS = "<>@,;:.";

    private enum Kind { ATOM, QUOTED, COMMENT, LITERAL, SPACE, SPECIAL }

    /**
     * One lexical token. {@code text} is as written (quotes and brackets included); {@code value} is the content
     * of a quoted string or a comment with its escapes resolved. An unterminated quoted string is not {@code closed}.
     */
    private record Token(Kind kind, String text, String value, boolean closed) {

        boolean is(char special) {
            return kind == Kind.SPECIAL && text.charAt(0) == special;
        }

        boolean isSpace() {
            return kind == Kind.SPACE || kind == Kind.COMMENT;
        }
    }

    /** A run of tokens between spaces or comments; {@code commentsInside} were glued over, {@code commentsAfter} follow it. */
    private static final class Word {
        final List<Token> tokens = new ArrayList<>();
        final List<String> commentsAfter = new ArrayList<>();
        int commentsInside;
        private boolean at;

        void add(Token t) {
            tokens.add(t);
            at |= t.is('@');
        }

        void addAll(Word other) {
            tokens.addAll(other.tokens);
            at |= other.at;
        }

        boolean hasAt() {
            return at;
        }

        boolean gluesAtEnd() {
            Token last = tokens.get(tokens.size() - 1);
            return last.is('.') || last.is('@');
        }

        boolean gluesAtStart() {
            return tokens.get(0).is('.') || tokens.get(0).is('@');
        }
    }

    private MailAddresses() {
    }

    /** All mailboxes in the given header values, in order, groups flattened, duplicates dropped (addresses compared ignoring case). */
    static List<MailAddress> parse(String[] headerValues) {
        Map<String, MailAddress> byAddress = new LinkedHashMap<>();
        if (headerValues != null) {
            for (String value : headerValues) {
                for (MailAddress a : parse(HeaderText.raw(value))) {
                    byAddress.putIfAbsent(a.address().toLowerCase(Locale.ROOT), a);
                }
            }
        }
        return List.copyOf(byAddress.values());
    }

    /** The mailboxes of one unfolded header value, in order. */
    static List<MailAddress> parse(String raw) {
        List<MailAddress> result = new ArrayList<>();
        if (raw == null || raw.isBlank()) {
            return result;
        }
        for (List<Token> element : elements(tokenize(raw))) {
            mailboxes(element, result);
        }
        return result;
    }

    // ---- lexing -------------------------------------------------------------------------------------

    private static List<Token> tokenize(String s) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ')') { // a stray ')' separates, as a space
                while (i < s.length() && " \t\r\n)".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                tokens.add(new Token(Kind.SPACE, " ", null, true));
            } else if (c == '(') {
                i = comment(s, i, tokens);
            } else if (c == '"') {
                i = quoted(s, i, tokens);
            } else if (c == '[') {
                int end = s.indexOf(']', i);
                end = end < 0 ? s.length() : end + 1;
                tokens.add(new Token(Kind.LITERAL, s.substring(i, end), null, true));
                i = end;
            } else if (SPECIALS.indexOf(c) >= 0) {
                tokens.add(new Token(Kind.SPECIAL, String.valueOf(c), null, true));
                i++;
            } else {
                i = atom(s, i, tokens);
            }
        }
        return tokens;
    }

    /** Comments nest and take backslash escapes; one left open runs to the end of the header. */
    private static int comment(String s, int start, List<Token> tokens) {
        StringBuilder value = new StringBuilder();
        int depth = 0;
        int i = start;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '\\' && i < s.length()) {
                value.append(s.charAt(i++));
                continue;
            }
            if (c == '(' && depth++ == 0) {
                continue;
            }
            if (c == ')' && --depth == 0) {
                break;
            }
            value.append(c);
        }
        tokens.add(new Token(Kind.COMMENT, s.substring(start, i), value.toString(), depth == 0));
        return i;
    }

    private static int quoted(String s, int start, List<Token> tokens) {
        StringBuilder value = new StringBuilder();
        int i = start + 1;
        boolean closed = false;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '\\' && i < s.length()) {
                value.append(s.charAt(i++));
            } else if (c == '"') {
                closed = true;
                break;
            } else {
                value.append(c);
            }
        }
        tokens.add(new Token(Kind.QUOTED, s.substring(start, i), value.toString(), closed));
        return i;
    }

    /** An atom; an RFC 2047 encoded word is one atom even when a sender left a special (a comma, a dot) in it. */
    private static int atom(String s, int start, List<Token> tokens) {
        if (s.startsWith("=?", start)) {
            Matcher word = ENCODED_WORD.matcher(s).region(start, s.length());
            if (word.lookingAt()) {
                tokens.add(new Token(Kind.ATOM, word.group(), null, true));
                return word.end();
            }
        }
        int i = start + 1; // the first character is the atom's: the scan always moves on
        while (i < s.length() && " \t\r\n()\"[".indexOf(s.charAt(i)) < 0 && SPECIALS.indexOf(s.charAt(i)) < 0) {
            i++;
        }
        tokens.add(new Token(Kind.ATOM, s.substring(start, i), null, true));
        return i;
    }

    // ---- structure ----------------------------------------------------------------------------------

    /**
     * Splits at commas and semicolons outside angle brackets. A colon before any address starts a group: the
     * group's name is dropped and its members read like any other element.
     */
    private static List<List<Token>> elements(List<Token> tokens) {
        List<List<Token>> elements = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        boolean inAngle = false;
        boolean addressBegun = false; // a colon after an at-sign or a bracket is no group's
        for (Token t : tokens) {
            if (t.is('<')) {
                inAngle = true;
            } else if (t.is('>')) {
                inAngle = false;
            } else if (!inAngle && (t.is(',') || t.is(';') || t.is(':') && !addressBegun)) {
                if (!t.is(':')) {
                    elements.add(current);
                }
                current = new ArrayList<>();
                addressBegun = false;
                continue;
            }
            addressBegun |= t.is('@') || t.is('<');
            current.add(t);
        }
        elements.add(current);
        return elements;
    }

    /** The mailboxes of one element: display name and angle address pairs, and bare addresses around them. */
    private static void mailboxes(List<Token> element, List<MailAddress> out) {
        int start = 0;
        while (start <= element.size()) {
            int open = indexOf(element, '<', start);
            if (open < 0) {
                bare(element.subList(start, element.size()), out);
                return;
            }
            int close = indexOf(element, '>', open);
            if (close < 0) {
                close = element.size();
            }
            String name = displayName(phrase(element.subList(start, open)));
            String address = addrSpec(withoutRoute(withoutSpaces(element.subList(open + 1, close))));
            start = close + 1;
            if (address != null) {
                if (name == null) { // "<ann@globex.example> (Ann)": the old way to name a mailbox
                    int next = indexOf(element, '<', start);
                    name = trailingCommentName(element.subList(Math.min(start, element.size()), next < 0 ? element.size() : next));
                }
                out.add(new MailAddress(address, name));
            }
        }
    }

    /**
     * Addresses without angle brackets. Words are the runs between spaces and comments; a dot or at-sign at the
     * edge of a word joins it to its neighbour when that makes an address ({@code jdoe@machine(comment).  example}).
     * Words that are no address name the address after them; a lone comment after an address names it.
     */
    private static void bare(List<Token> tokens, List<MailAddress> out) {
        List<Word> words = glued(words(tokens));
        List<String> nameWords = new ArrayList<>();
        for (Word w : words) {
            if (!w.hasAt()) {
                nameWords.add(phrase(w.tokens));
                continue;
            }
            String address = addrSpec(w.tokens);
            if (address != null) {
                String name = displayName(String.join(" ", nameWords));
                if (name == null && w.commentsInside == 0 && w.commentsAfter.size() == 1) {
                    name = displayName(w.commentsAfter.get(0));
                }
                out.add(new MailAddress(address, name));
            }
            nameWords.clear();
        }
    }

    private static List<Word> words(List<Token> tokens) {
        List<Word> words = new ArrayList<>();
        Word current = new Word();
        for (Token t : tokens) {
            if (!t.isSpace()) {
                current.add(t);
                continue;
            }
            if (!current.tokens.isEmpty()) {
                words.add(current);
                current = new Word();
            }
            if (t.kind() == Kind.COMMENT && !words.isEmpty()) { // comments before the first word are no one's
                words.get(words.size() - 1).commentsAfter.add(t.value());
            }
        }
        if (!current.tokens.isEmpty()) {
            words.add(current);
        }
        return words;
    }

    private static List<Word> glued(List<Word> words) {
        List<Word> glued = new ArrayList<>();
        for (Word w : words) {
            Word last = glued.isEmpty() ? null : glued.get(glued.size() - 1);
            if (last != null && (last.gluesAtEnd() || w.gluesAtStart()) && (last.hasAt() || w.hasAt())) {
                last.addAll(w);
                last.commentsInside += last.commentsAfter.size();
                last.commentsAfter.clear();
                last.commentsAfter.addAll(w.commentsAfter);
            } else {
                glued.add(w);
            }
        }
        return glued;
    }

    // ---- pieces -------------------------------------------------------------------------------------

    /**
     * {@code local@domain} from tokens without spaces or comments, or null when they are no address: the local part
     * as written, the domain lower-cased.
     */
    private static String addrSpec(List<Token> tokens) {
        int at = -1;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).is('@')) {
                at = i;
            }
        }
        if (at <= 0 || at == tokens.size() - 1) {
            return null;
        }
        List<Token> local = tokens.subList(0, at);
        List<Token> domain = tokens.subList(at + 1, tokens.size());
        if (!isLocalPart(local) || !isDomain(domain)) {
            return null;
        }
        String host = text(domain).toLowerCase(Locale.ROOT);
        String address = text(local) + "@" + (host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
        return address.length() > MAX_ADDRESS_CHARS ? null : HeaderText.clean(address);
    }

    /** Dot-separated atoms and quoted strings (lenient about where the dots are, as Gmail is). */
    private static boolean isLocalPart(List<Token> local) {
        boolean word = false;
        for (Token t : local) {
            if (t.kind() == Kind.ATOM && t.text().chars().allMatch(MailAddresses::isAtext)
                    || t.kind() == Kind.QUOTED && t.closed()) {
                word = true;
            } else if (!t.is('.')) {
                return false;
            }
        }
        return word;
    }

    /** A domain literal, or labels separated by single dots (a final dot, the DNS root, is tolerated). */
    private static boolean isDomain(List<Token> domain) {
        if (domain.size() == 1 && domain.get(0).kind() == Kind.LITERAL) {
            return domain.get(0).text().endsWith("]");
        }
        if (domain.size() > 1 && domain.get(domain.size() - 1).is('.')) {
            domain = domain.subList(0, domain.size() - 1);
        }
        for (int i = 0; i < domain.size(); i++) {
            Token t = domain.get(i);
            boolean label = i % 2 == 0;
            if (label ? t.kind() != Kind.ATOM || !t.text().chars().allMatch(MailAddresses::isLabelChar) : !t.is('.')) {
                return false;
            }
        }
        return domain.size() % 2 == 1;
    }

    private static boolean isAtext(int c) {
        return c >= 0x80 || Character.isLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    private static boolean isLabelChar(int c) {
        return c >= 0x80 || Character.isLetterOrDigit(c) || c == '-' || c == '_';
    }

    /** The obsolete source route of an angle address ({@code <@node.test:mary@example.net>}) says nothing about the mailbox. */
    private static List<Token> withoutRoute(List<Token> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).is('@')) {
            return tokens;
        }
        int colon = indexOf(tokens, ':', 0);
        return colon < 0 ? tokens : tokens.subList(colon + 1, tokens.size());
    }

    private static List<Token> withoutSpaces(List<Token> tokens) {
        return tokens.stream().filter(t -> !t.isSpace()).toList();
    }

    /** The text of a display name: quoted strings unquoted, comments dropped, runs of space one space. */
    private static String phrase(List<Token> tokens) {
        StringBuilder out = new StringBuilder();
        for (Token t : tokens) {
            if (t.isSpace()) {
                out.append(' ');
            } else {
                out.append(t.kind() == Kind.QUOTED ? t.value() : t.text());
            }
        }
        return out.toString();
    }

    private static String trailingCommentName(List<Token> tokens) {
        if (tokens.stream().anyMatch(t -> !t.isSpace())) {
            return null;
        }
        return tokens.stream().filter(t -> t.kind() == Kind.COMMENT).findFirst().map(t -> displayName(t.value())).orElse(null);
    }

    /** Decoded (RFC 2047), one line, bounded; null when nothing is left. */
    private static String displayName(String phrase) {
        String name = HeaderText.clean(EncodedWords.decode(WHITESPACE.matcher(phrase).replaceAll(" ").strip()));
        if (name == null || name.isEmpty()) {
            return null;
        }
        return name.length() > MAX_NAME_CHARS ? name.substring(0, MAX_NAME_CHARS) : name;
    }

    private static String text(List<Token> tokens) {
        StringBuilder out = new StringBuilder();
        tokens.forEach(t -> out.append(t.text()));
        return out.toString();
    }

    private static int indexOf(List<Token> tokens, char special, int from) {
        for (int i = Math.max(0, from); i < tokens.size(); i++) {
            if (tokens.get(i).is(special)) {
                return i;
            }
        }
        return -1;
    }
}

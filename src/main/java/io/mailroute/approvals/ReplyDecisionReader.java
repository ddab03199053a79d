package io.mailroute.approvals;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Reads whether a reply to an approval request decides it: the approver's own words, with what the mail client
 * quoted dropped, and of those the FIRST words decide. The rest of the reply is the comment.
 *
 * <h2>The approver's own words</h2>
 * The text body when it has any words, else the text of the HTML body ({@link ReplyHtmlText}, which drops Gmail's
 * {@code gmail_quote}, {@code <blockquote>} and Outlook's original message). Then, line by line:
 * <ul>
 * <li>lines starting with {@code >} are quoted and skipped, wherever they stand (a reply under the quote is read);
 * <li>an attribution is skipped: a line (or a line and the next, as Gmail wraps them) that starts "On", "Am", "Le",
 *     "El", "Op", "Il" or "Em", says "wrote", "schrieb", "a écrit", "escribió", "schreef", "ha scritto" or
 *     "escreveu" and ends with a colon;
 * <li>reading stops at a signature ({@code "-- "}), a line of five or more dashes or underscores (Outlook's
 *     "-----Original Message-----" in any language, its rule above "From:", "---------- Forwarded message"),
 *     Outlook's header block (a "From:" line followed within a few lines by "Sent:" or "Date:", in the seven
 *     languages below), and a mobile client's line ("Sent from my iPhone", "Von meinem iPhone gesendet" ...).
 * </ul>
 *
 * <h2>The words that decide</h2>
 * Compared after folding: NFKC compatibility forms (full-width and mathematical letters read as the letters they
 * show), diacritics and invisible format characters (zero-width spaces and joiners, soft hyphens, a byte order
 * mark) removed, lower case. A reply that looks like "Approved" to the person who wrote it reads as "Approved";
 * letters from another script that merely look alike (a Cyrillic "а") are other letters, and decide nothing.
 * <ul>
 * <li>approve: approve, approved, yes; genehmigt, freigegeben, ja; approuvé, oui; aprobado, sí; goedgekeurd,
 *     akkoord, ja; approvato, sì; aprovado, sim;
 * <li>reject: reject, rejected, decline, declined, no; abgelehnt, nein; rejeté, refusé, non; rechazado, no;
 *     afgekeurd, afgewezen, nee; respinto, rifiutato, no; rejeitado, recusado, não;
 * <li>request changes: changes, request changes, changes requested/required/needed; Änderungen (erforderlich,
 *     nötig, angefordert); modifications (demandées, requises, nécessaires); cambios (solicitados, necesarios);
 *     wijzigingen (gevraagd, nodig); modifiche (richieste, necessarie); alterações (solicitadas, necessárias).
 * </ul>
 * "OK" does not decide: people write it to acknowledge as often as to agree ("OK, I'll look at it on Monday"),
 * and the same two letters in every language give no hint which. A reply read as Unknown costs the approver one
 * short answer; a reply read as an approval it was not costs whatever was approved.
 *
 * <h2>When the first words do not decide</h2>
 * Being wrong is worse than asking, so these are {@link ReplyReading.Unknown}:
 * <ul>
 * <li>anything but a decision word first: "not approved", "nicht genehmigt", "Hi Bob, approved", "OK";
 * <li>a first sentence that asks: "approve? what is this", "Approved?";
 * <li>a short word (yes, no, ja, nein, oui, non, sí, nee, sim, não, and "changes" and its translations standing
 *     alone) followed by more words without punctuation: "no idea", "yes and no", "si tu veux", "changes look
 *     good"; with punctuation it decides: "Yes - looks fine", "No.", "Changes: split the order";
 * <li>a decision followed, before the sentence ends, by a word that makes it conditional or contrasts it (but,
 *     unless, if, or, only, pending, maybe ... in each language): "Approved, but only up to 500"; by a negation
 *     (not, nicht, pas, niet ...) unless the decision is a rejection, which a negation only repeats ("Rejected,
 *     not within budget" rejects); or by a word of another decision: "yes, no", "approve reject". After a full
 *     stop, an exclamation mark or a line break the decision stands: "Approved. But next time ask earlier."
 *     approves with that comment.
 * </ul>
 *
 * <p>Everything here runs in one pass over the reply, with no regular expression on its text: linear in the input.
 * Stateless and thread-safe.
 */
public final class ReplyDecisionReader {

    /** The comment is cut to this many characters, an ellipsis marking the cut. */
    public static final int MAX_COMMENT_CHARS = 2000;
    /** The first words of an Unknown reply are cut to this many characters, an ellipsis marking the cut. */
    public static final int MAX_FIRST_WORDS_CHARS = 60;

    /** How much of the approver's own text is kept: the comment and room for the decision words before it. */
    private static final int MAX_OWN_TEXT_CHARS = MAX_COMMENT_CHARS + 1000;
    /** How much of the start of the own text is folded to find the decision and the end of its first sentence. */
    private static final int HEAD_CHARS = 400;
    /** Attributions and header lines are short; longer lines are never taken for one. */
    private static final int MAX_MARKER_LINE_CHARS = 400;
    /** How many lines after an Outlook "From:" line its "Sent:" line may come. */
    private static final int OUTLOOK_HEADER_LOOKAHEAD = 6;

    private record Phrase(String[] words, ReplyDecision decision, boolean needsPunctuation) {
    }

    private static final List<Phrase> PHRASES = phrases();

    /** Words that, right after a decision, make it conditional or contrast it: the decision is not read. */
    private static final Set<String> HEDGES = Set.of(
            "but", "unless", "if", "or", "only", "pending", "maybe", "except", "though", "although",
            "aber", "wenn", "falls", "oder", "nur", "ausser", "vielleicht", "sofern", "vorbehaltlich",
            "mais", "sauf", "si", "ou", "seulement", "peut",
            "pero", "salvo", "o", "excepto", "solo", "quizas",
            "maar", "tenzij", "als", "alleen", "misschien",
            "ma", "tranne", "se", "forse", "purche",
            "mas", "exceto", "talvez", "apenas");
    /** Negations take back an approval or a request for changes; after a rejection they only repeat it. */
    private static final Set<String> NEGATIONS = Set.of("not", "nicht", "kein", "keine", "pas", "niet", "geen");

    private static final String[] ATTRIBUTION_STARTS = {"on ", "am ", "le ", "el ", "op ", "il ", "em "};
    private static final String[] ATTRIBUTION_VERBS = {" wrote", " schrieb", " a ecrit", " escribio", " schreef", " ha scritto", " escreveu"};
    private static final String[] OUTLOOK_FROM = {"from:", "von:", "de:", "de :", "van:", "da:"};
    private static final String[] OUTLOOK_SENT = {"sent:", "date:", "gesendet:", "datum:", "envoye :", "envoye:", "date :",
            "enviado:", "fecha:", "verzonden:", "inviato:", "data:", "enviada em:", "enviado em:"};
    private static final String[] MOBILE_SIGNATURES = {"sent from my ", "get outlook for ", "von meinem ", "envoye de mon ",
            "enviado desde mi ", "verzonden vanaf mijn ", "verstuurd vanaf mijn ", "inviato da ", "enviado do meu "};

    /** The decision in the reply: the text body when it has any words, else the HTML body. */
    public ReplyReading read(String textBody, String htmlBody) {
        return hasWords(textBody) ? readText(textBody) : readHtml(htmlBody);
    }

    public ReplyReading readText(String text) {
        return decide(ownText(text == null ? "" : text));
    }

    public ReplyReading readHtml(String html) {
        return decide(ownText(ReplyHtmlText.of(html)));
    }

    // ---- the approver's own words -------------------------------------------------------------------

    /** The reply's unquoted lines, up to the first marker after which nothing is the approver's; bounded. */
    static String ownText(String text) {
        List<String> lines = text.lines().toList();
        StringBuilder own = new StringBuilder();
        for (int i = 0; i < lines.size() && own.length() < MAX_OWN_TEXT_CHARS; i++) {
            String line = lines.get(i);
            String trimmed = trim(line);
            if (trimmed.startsWith(">")) {
                continue;
            }
            // Markers are short lines: a long one is never folded, so no line costs more than its length once.
            String folded = trimmed.length() <= MAX_MARKER_LINE_CHARS ? fold(trimmed) : "";
            if (endsTheOwnText(line, trimmed, folded, lines, i)) {
                break;
            }
            if (isAttribution(folded)) {
                continue;
            }
            if (i + 1 < lines.size() && startsWithAny(folded, ATTRIBUTION_STARTS)) {
                String nextLine = trim(lines.get(i + 1));
                if (nextLine.length() <= MAX_MARKER_LINE_CHARS && isAttribution(folded + " " + fold(nextLine))) {
                    i++;
                    continue;
                }
            }
            own.append(line).append('\n');
        }
        return own.length() > MAX_OWN_TEXT_CHARS ? own.substring(0, MAX_OWN_TEXT_CHARS) : own.toString();
    }

    private static boolean endsTheOwnText(String line, String trimmed, String folded, List<String> lines, int index) {
        if (line.stripTrailing().equals("--")) {
            return true; // "-- " by RFC 3676; many clients trim the space
        }
        if (trimmed.startsWith("-----") || trimmed.startsWith("_____")) {
            return true;
        }
        if (startsWithAny(folded, MOBILE_SIGNATURES) && folded.length() <= 60) {
            return true;
        }
        if (!startsWithAny(folded, OUTLOOK_FROM)) {
            return false;
        }
        for (int j = index + 1; j < lines.size() && j <= index + OUTLOOK_HEADER_LOOKAHEAD; j++) {
            String next = trim(lines.get(j));
            if (next.length() <= MAX_MARKER_LINE_CHARS && startsWithAny(fold(next), OUTLOOK_SENT)) {
                return true;
            }
        }
        return false;
    }

    /** @param folded a folded, trimmed line (or two joined) */
    private static boolean isAttribution(String folded) {
        if (!folded.endsWith(":") || !startsWithAny(folded, ATTRIBUTION_STARTS)) {
            return false;
        }
        for (String verb : ATTRIBUTION_VERBS) {
            if (folded.contains(verb)) {
                return true;
            }
        }
        return false;
    }

    // ---- the decision -------------------------------------------------------------------------------

    private static ReplyReading decide(String ownText) {
        String own = ownText.stripTrailing();
        Folded head = Folded.of(own, Math.min(own.length(), HEAD_CHARS));
        String s = head.text;
        boolean wholeReply = head.length == own.length();
        int p = 0;
        while (p < s.length() && (Character.isWhitespace(s.charAt(p)) || "*_\"'\u00AB\u201C\u2018([\u00A1".indexOf(s.charAt(p)) >= 0)) {
            p++;
        }
        if (firstSentenceAsks(s, p)) {
            return unknown(own);
        }
        Phrase phrase = null;
        int end = -1;
        for (Phrase candidate : PHRASES) {
            end = matchAt(s, p, candidate.words);
            if (end >= 0) {
                phrase = candidate;
                break;
            }
        }
        if (phrase == null) {
            return unknown(own);
        }
        int next = end;
        boolean sentenceEnds = false;
        boolean punctuated = false;
        while (next < s.length() && isSeparator(s.charAt(next))) {
            char c = s.charAt(next);
            sentenceEnds |= c == '.' || c == '!' || c == '\n' || c == ';' || c == '\u2026';
            punctuated |= !Character.isWhitespace(c);
            next++;
        }
        boolean nothingMore = wholeReply && next == s.length();
        if (!sentenceEnds && !nothingMore) {
            if (phrase.needsPunctuation && !punctuated) {
                return unknown(own);
            }
            String word = wordAt(s, next);
            boolean takenBack = NEGATIONS.contains(word) && phrase.decision != ReplyDecision.REJECT;
            if (HEDGES.contains(word) || takenBack || startsAnotherDecision(s, next, phrase.decision)) {
                return unknown(own);
            }
        }
        int commentStart = next >= s.length() ? head.length : head.originalIndex[next];
        return new ReplyReading.Decided(phrase.decision, comment(own.substring(commentStart)));
    }

    /** Whether the first sentence (up to . ! ; or a line break) ends with a question mark. */
    private static boolean firstSentenceAsks(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '?' && (i + 1 == s.length() || !Character.isLetterOrDigit(s.charAt(i + 1)))) {
                return true; // "?a=1" in a link asks nothing
            }
            if (c == '.' || c == '!' || c == ';' || c == '\n') {
                return false;
            }
        }
        return false;
    }

    /** The index after the phrase when {@code s} has it at {@code at} as whole words, else -1. */
    private static int matchAt(String s, int at, String[] words) {
        int i = at;
        for (int w = 0; w < words.length; w++) {
            if (w > 0) {
                int spaces = i;
                while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                    i++;
                }
                if (i == spaces) {
                    return -1;
                }
            }
            if (!s.startsWith(words[w], i)) {
                return -1;
            }
            i += words[w].length();
        }
        return i < s.length() && Character.isLetterOrDigit(s.charAt(i)) ? -1 : i;
    }

    private static boolean startsAnotherDecision(String s, int at, ReplyDecision decision) {
        for (Phrase other : PHRASES) {
            if (other.decision != decision && matchAt(s, at, other.words) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static String wordAt(String s, int at) {
        int end = at;
        while (end < s.length() && Character.isLetter(s.charAt(end))) {
            end++;
        }
        return s.substring(at, end);
    }

    private static boolean isSeparator(char c) {
        return Character.isWhitespace(c) || ".,;:!?-\u2013\u2014\u2026*_~)]\u00BB\u201D\u2019\"'".indexOf(c) >= 0;
    }

    // ---- what is given back -------------------------------------------------------------------------

    private static ReplyReading unknown(String own) {
        String first = "";
        for (String line : own.lines().toList()) {
            String words = collapseSpaces(visible(line, false));
            if (!words.isEmpty()) {
                first = words;
                break;
            }
        }
        return new ReplyReading.Unknown(bounded(first, MAX_FIRST_WORDS_CHARS));
    }

    private static String comment(String rest) {
        StringBuilder out = new StringBuilder();
        boolean blank = false;
        for (String line : visible(rest, true).lines().toList()) {
            String kept = line.stripTrailing();
            if (kept.isBlank()) {
                blank = out.length() > 0;
                continue;
            }
            if (out.length() > 0) {
                out.append(blank ? "\n\n" : "\n");
            }
            out.append(kept);
            blank = false;
            if (out.length() > MAX_COMMENT_CHARS) {
                break;
            }
        }
        return bounded(out.toString().strip(), MAX_COMMENT_CHARS);
    }

    /**
     * The text without control characters (line breaks kept when {@code keepLines}, tabs as spaces) and without the
     * bidirectional controls that could make an answer or an audit record show other words than were written.
     */
    private static String visible(String s, boolean keepLines) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' && keepLines || c == '\t') {
                out.append(c == '\t' ? ' ' : c);
            } else if (!Character.isISOControl(c) && !isBidiControl(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isBidiControl(char c) {
        return c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }

    private static String collapseSpaces(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = out.length() > 0;
            } else {
                if (space) {
                    out.append(' ');
                }
                out.append(c);
                space = false;
            }
        }
        return out.toString();
    }

    /** At most {@code max} characters, the last an ellipsis when cut, never half a surrogate pair. */
    static String bounded(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int cut = max - 1;
        if (Character.isLowSurrogate(s.charAt(cut)) && Character.isHighSurrogate(s.charAt(cut - 1))) {
            cut--;
        }
        return s.substring(0, cut).stripTrailing() + "\u2026";
    }

    // ---- folding ------------------------------------------------------------------------------------

    /**
     * The first {@code length} characters of a text folded for comparison, with the index in the original text of
     * each folded character, so that what follows the decision words is cut from the text as written.
     */
    private record Folded(String text, int[] originalIndex, int length) {

        static Folded of(String s, int length) {
            StringBuilder out = new StringBuilder(length);
            int[] index = new int[length * 4 + 1];
            int i = 0;
            while (i < length) {
                int cp = s.codePointAt(i);
                int next = Math.min(length, i + Character.charCount(cp));
                String folded = foldCodePoint(cp);
                for (int k = 0; k < folded.length(); k++) {
                    if (out.length() + 1 >= index.length) {
                        index = Arrays.copyOf(index, index.length * 2);
                    }
                    index[out.length()] = i;
                    out.append(folded.charAt(k));
                }
                i = next;
            }
            return new Folded(out.toString(), index, length);
        }
    }

    /** A short text folded for comparison: compatibility forms, no diacritics, no format characters, lower case. */
    static String fold(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> out.append(foldCodePoint(cp)));
        return out.toString();
    }

    private static String foldCodePoint(int cp) {
        if (cp < 0x80) {
            return String.valueOf((char) Character.toLowerCase(cp));
        }
        String decomposed = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKD);
        StringBuilder out = new StringBuilder(decomposed.length());
        decomposed.codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK && type != Character.FORMAT) {
                out.appendCodePoint(Character.toLowerCase(c));
            }
        });
        return out.toString();
    }

    // ---- small helpers ------------------------------------------------------------------------------

    private static boolean hasWords(String s) {
        return s != null && !trim(s).isEmpty();
    }

    /** Stripped of white space, no-break spaces included (String.strip leaves those). */
    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isBlank(s.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isBlank(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF' || c == '\u200B';
    }

    private static boolean startsWithAny(String s, String[] prefixes) {
        for (String prefix : prefixes) {
            if (s.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Every phrase, longest first, so "changes requested" is matched before "changes". */
    private static List<Phrase> phrases() {
        List<Phrase> all = new ArrayList<>();
        strong(all, ReplyDecision.APPROVE, "approve", "approved", "genehmigt", "freigegeben", "approuve", "aprobado",
                "goedgekeurd", "akkoord", "approvato", "aprovado");
        weak(all, ReplyDecision.APPROVE, "yes", "ja", "oui", "si", "sim");
        strong(all, ReplyDecision.REJECT, "reject", "rejected", "decline", "declined", "abgelehnt", "rejete", "refuse",
                "rechazado", "afgekeurd", "afgewezen", "respinto", "rifiutato", "rejeitado", "recusado");
        weak(all, ReplyDecision.REJECT, "no", "nein", "non", "nee", "nao");
        strong(all, ReplyDecision.REQUEST_CHANGES, "request changes", "changes requested", "changes required", "changes needed",
                "anderungen erforderlich", "anderungen notig", "anderungen angefordert",
                "modifications demandees", "modifications requises", "modifications necessaires",
                "cambios solicitados", "cambios necesarios", "wijzigingen gevraagd", "wijzigingen nodig",
                "modifiche richieste", "modifiche necessarie", "alteracoes solicitadas", "alteracoes necessarias");
        weak(all, ReplyDecision.REQUEST_CHANGES, "changes", "anderungen", "aenderungen", "modifications", "cambios",
                "wijzigingen", "modifiche", "alteracoes");
        all.sort(Comparator.comparingInt((Phrase p) -> -p.words.length));
        return List.copyOf(all);
    }

    private static void strong(List<Phrase> into, ReplyDecision decision, String... phrases) {
        for (String p : phrases) {
            into.add(new Phrase(p.split(" "), decision, false));
        }
    }

    private static void weak(List<Phrase> into, ReplyDecision decision, String... phrases) {
        for (String p : phrases) {
            into.add(new Phrase(p.split(" "), decision, true));
        }
    }
}

package io.mailroute.triage;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A {@link TriageInput} prepared once for every rule: texts bounded in length, the body chosen
 * (text, else HTML stripped of tags), addresses and labels lower-cased, header names case-insensitive.
 */
final class MailFacts {

    /** Subject and body are searched up to this many characters (64 Ki); the rest of a long mail is not. */
    static final int MAX_TEXT_CHARS = 64 * 1024;
    /** At most this much HTML is read to find the text of an HTML-only mail. */
    static final int MAX_HTML_CHARS = 1024 * 1024;

    final TriageInput input;
    final String mailbox;
    final String from;
    final String fromDomain;
    final List<String> to;
    final List<String> cc;
    final String subject;
    final String body;
    final String subjectAndBody;
    final Set<String> labels;
    final Map<String, String> headers;

    MailFacts(TriageInput input) {
        this.input = input;
        this.mailbox = input.mailbox().strip().toLowerCase(Locale.ROOT);
        this.from = input.fromAddress().strip().toLowerCase(Locale.ROOT);
        this.fromDomain = domainOf(from);
        this.to = lower(input.to());
        this.cc = lower(input.cc());
        this.subject = bounded(input.subject());
        String text = input.textBody();
        this.body = text != null && !text.isBlank()
                ? bounded(text)
                : HtmlText.strip(input.htmlBody(), MAX_HTML_CHARS, MAX_TEXT_CHARS);
        this.subjectAndBody = subject + "\n" + body;
        this.labels = input.labels().stream().map(l -> l.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        TreeMap<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(input.headers());
        this.headers = byName;
    }

    static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1);
    }

    String verdict(String method) {
        return switch (method) {
            case "dkim" -> input.dkim();
            case "spf" -> input.spf();
            default -> input.dmarc();
        };
    }

    private static List<String> lower(List<String> addresses) {
        return addresses.stream().map(a -> a.strip().toLowerCase(Locale.ROOT)).toList();
    }

    private static String bounded(String text) {
        return text.length() > MAX_TEXT_CHARS ? text.substring(0, MAX_TEXT_CHARS) : text;
    }
}

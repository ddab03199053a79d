package io.mailroute.triage;

import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.gmail.mime.ParsedMail;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test inputs for triage: a builder for hand-made messages, and the demo seed mail as Gmail would deliver it. */
final class TriageFixtures {

    static final Path SEED = Path.of("config", "sandbox", "mail");
    static final Path SHIPPED_RULES = Path.of("config", "triage.yaml");

    private static final Pattern SANDBOX_AUTH = Pattern.compile("(?im)^X-Sandbox-Auth:\\s*(.*)$");

    private TriageFixtures() {
    }

    /** A message to the support mailbox from a customer, authenticated, no attachments; change what a test needs. */
    static Mail mail() {
        return new Mail();
    }

    static final class Mail {
        private String mailbox = "support";
        private String from = "m.chen@globex.example";
        private final List<String> to = new ArrayList<>(List.of("support@acme.example"));
        private final List<String> cc = new ArrayList<>();
        private String subject = "Hello";
        private String text = "Hello, a question.";
        private String html;
        private final List<TriageInput.Attachment> attachments = new ArrayList<>();
        private final Set<String> labels = new LinkedHashSet<>(Set.of("INBOX"));
        private String dkim = "pass";
        private String spf = "pass";
        private String dmarc = "pass";
        private boolean reply;
        private final Map<String, String> headers = new LinkedHashMap<>();

        Mail mailbox(String id) { mailbox = id; return this; }
        Mail from(String address) { from = address; return this; }
        Mail to(String... addresses) { to.clear(); to.addAll(List.of(addresses)); return this; }
        Mail cc(String... addresses) { cc.addAll(List.of(addresses)); return this; }
        Mail subject(String s) { subject = s; return this; }
        Mail text(String s) { text = s; return this; }
        /** An HTML-only message: no text part. */
        Mail htmlOnly(String s) { text = null; html = s; return this; }
        Mail attach(String filename, String contentType) { attachments.add(new TriageInput.Attachment(filename, contentType, 1234)); return this; }
        Mail labels(String... l) { labels.addAll(List.of(l)); return this; }
        Mail dkim(String v) { dkim = v; return this; }
        Mail spf(String v) { spf = v; return this; }
        Mail dmarc(String v) { dmarc = v; return this; }
        Mail replyToKnownItem() { reply = true; return this; }
        Mail header(String name, String value) { headers.put(name, value); return this; }

        TriageInput build() {
            return new TriageInput(mailbox, from, null, to, cc, subject, text, html, attachments, labels, dkim, spf, dmarc,
                    reply, headers);
        }

        @Override
        public String toString() {
            return mailbox + " <- " + from + " '" + subject + "'";
        }
    }

    /** A rules file in {@code dir} with the given YAML. */
    static Path rulesFile(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("triage.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Parses a seed .eml as the service sees it after Gmail delivered it: with Gmail's Authentication-Results
     * on top, which the sandbox writes from the seed's {@code X-Sandbox-Auth} control header (pass otherwise).
     */
    static ParsedMail parseAsDelivered(Path eml, Path attachmentDir) throws Exception {
        byte[] raw = Files.readAllBytes(eml);
        String headers = new String(raw, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").split("\n\n", 2)[0];
        Map<String, String> verdicts = new LinkedHashMap<>(Map.of("dkim", "pass", "spf", "pass", "dmarc", "pass"));
        Matcher control = SANDBOX_AUTH.matcher(headers);
        if (control.find()) {
            for (String item : control.group(1).split(";")) {
                String[] kv = item.trim().split("=", 2);
                if (kv.length == 2) {
                    verdicts.put(kv[0].trim(), kv[1].trim());
                }
            }
        }
        String stamp = "Authentication-Results: mx.google.com; dkim=" + verdicts.get("dkim") + "; spf=" + verdicts.get("spf")
                + "; dmarc=" + verdicts.get("dmarc") + "\r\n";
        byte[] delivered = new byte[stamp.length() + raw.length];
        System.arraycopy(stamp.getBytes(StandardCharsets.US_ASCII), 0, delivered, 0, stamp.length());
        System.arraycopy(raw, 0, delivered, stamp.length(), raw.length);
        return parseRaw(delivered, attachmentDir);
    }

    /** Parses .eml bytes as they are, as {@code triage --explain FILE.eml} does (no Authentication-Results). */
    static ParsedMail parseRaw(byte[] raw, Path attachmentDir) throws Exception {
        return new MimeParser(new AttachmentStore(attachmentDir, 1 << 24)).parse(raw);
    }
}

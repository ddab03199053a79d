package io.mailroute.app;

import io.mailroute.config.MailboxSettings;
import io.mailroute.config.MailboxesFile;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.MailAddress;
import io.mailroute.gmail.mime.MalformedMailException;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.gmail.mime.ParsedMail;
import io.mailroute.text.Counted;
import io.mailroute.triage.Explanation;
import io.mailroute.triage.TriageInput;
import io.mailroute.triage.TriageRules;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;

/**
 * {@code triage --explain FILE.eml [--mailbox ID] [--reply]}: which rule of the triage rules a
 * message matches and why, and why each earlier rule did not. Starts nothing, stores nothing.
 */
public final class TriageCommand {

    static final String USAGE = "usage: mailroute triage --explain FILE.eml [--mailbox ID] [--reply]";

    private TriageCommand() {
    }

    public static int run(List<String> args, Path configDir, PrintStream out, PrintStream err) throws IOException {
        Path file = null;
        String mailbox = null;
        boolean reply = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--explain" -> file = i + 1 < args.size() ? Path.of(args.get(++i)) : null;
                case "--mailbox" -> mailbox = i + 1 < args.size() ? args.get(++i) : null;
                case "--reply" -> reply = true;
                default -> {
                    err.println("triage: unknown option '" + args.get(i) + "'");
                    err.println(USAGE);
                    return 2;
                }
            }
        }
        if (file == null || !Files.isRegularFile(file)) {
            err.println(file == null ? "triage: say which message: --explain FILE.eml" : "triage: " + file + " is not a file");
            err.println(USAGE);
            return 2;
        }
        Path rulesFile;
        Path mailboxesFile;
        try (CamelContext properties = Configs.propertiesOnly(configDir)) {
            Settings settings = Settings.of(properties, configDir);
            rulesFile = settings.path("mailroute.triage.rules-file", "triage.yaml", true);
            mailboxesFile = settings.path("mailroute.mailboxes-file", "mailboxes.yaml", true);
        } catch (Exception e) {
            throw new IOException("cannot read " + configDir.resolve("application.properties") + ": " + e.getMessage(), e);
        }
        TriageRules rules = TriageRules.load(rulesFile);
        Path scratch = Files.createTempDirectory("mailroute-triage-");
        try {
            ParsedMail mail = new MimeParser(new AttachmentStore(scratch, Long.MAX_VALUE)).parse(Files.readAllBytes(file));
            if (mailbox == null) {
                mailbox = mailboxOf(mail, mailboxesFile);
            }
            Explanation explanation = rules.explain(TriageInput.from(mailbox, mail, List.of("INBOX", "UNREAD"), reply));
            out.println("Message: " + file + " (mailbox " + (mailbox == null ? "unknown" : mailbox) + ")");
            out.println("Rules:   " + rules.source() + " (" + Counted.of(rules.size(), "rule") + ")");
            out.println(explanation.render());
            return 0;
        } catch (MalformedMailException e) {
            err.println("triage: " + file + " cannot be read as mail (it would be quarantined): " + e.getMessage());
            return 1;
        } finally {
            try (Stream<Path> walk = Files.walk(scratch)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The configured mailbox the message was sent to, so mailbox conditions behave as in the service. */
    private static String mailboxOf(ParsedMail mail, Path mailboxesFile) {
        if (!Files.isRegularFile(mailboxesFile)) {
            return null;
        }
        List<MailboxSettings> mailboxes = MailboxesFile.load(mailboxesFile);
        for (MailAddress to : Stream.concat(mail.to().stream(), mail.cc().stream()).toList()) {
            for (MailboxSettings m : mailboxes) {
                if (m.address().equalsIgnoreCase(to.address())) {
                    return m.id();
                }
            }
        }
        return null;
    }
}

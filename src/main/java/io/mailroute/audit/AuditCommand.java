package io.mailroute.audit;

import io.mailroute.text.Counted;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code java -jar mailroute.jar audit verify} and
 * {@code audit export --from ISO --to ISO [--mailbox ID] [--out FILE]}.
 * Exit codes: 0 intact / exported, 1 tampered (verify) or the export could not be written,
 * 2 usage error.
 */
public final class AuditCommand {

    static final String USAGE = "usage: mailroute audit verify | mailroute audit export --from ISO --to ISO "
            + "[--mailbox ID] [--out FILE]   (ISO: 2026-03-01T09:00:00Z or 2026-03-01; --to is exclusive)";

    private static final Set<String> EXPORT_OPTIONS = Set.of("--from", "--to", "--mailbox", "--out");

    private AuditCommand() {
    }

    /** {@code args} are the words after {@code audit} (a leading {@code audit} is accepted too). */
    public static int run(List<String> args, AuditSource db, PrintStream out, PrintStream err) {
        List<String> words = !args.isEmpty() && args.get(0).equals("audit") ? args.subList(1, args.size()) : args;
        if (words.isEmpty()) {
            return usage(err, "audit: say what to do");
        }
        return switch (words.get(0)) {
            case "verify" -> words.size() == 1 ? verify(db, out, err) : usage(err, "audit verify takes no options");
            case "export" -> export(words.subList(1, words.size()), db, out, err);
            default -> usage(err, "audit: unknown command \"" + words.get(0) + "\"");
        };
    }

    private static int verify(AuditSource db, PrintStream out, PrintStream err) {
        AuditVerifier.Result result;
        try {
            result = db.verify();
        } catch (AuditSource.UnavailableException e) {
            err.println("audit verify: " + e.getMessage());
            return 1;
        }
        if (result.intact()) {
            out.println("Audit trail intact: " + Counted.of(result.recordsChecked(), "record") + " checked, head hash "
                    + result.headHash());
            return 0;
        }
        out.println("Audit trail TAMPERED: first bad record seq " + result.firstBadSeq() + ": " + result.problem());
        out.println(Counted.of(result.recordsChecked(), "record") + " before it "
                + (result.recordsChecked() == 1 ? "is" : "are") + " intact.");
        return 1;
    }

    private static int export(List<String> options, AuditSource db, PrintStream out, PrintStream err) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < options.size(); i += 2) {
            String name = options.get(i);
            if (!EXPORT_OPTIONS.contains(name)) {
                return usage(err, "audit export: unknown option \"" + name + "\"");
            }
            if (i + 1 >= options.size()) {
                return usage(err, "audit export: " + name + " needs a value");
            }
            if (values.put(name, options.get(i + 1)) != null) {
                return usage(err, "audit export: " + name + " is given twice");
            }
        }
        if (!values.containsKey("--from") || !values.containsKey("--to")) {
            return usage(err, "audit export: --from and --to are required");
        }
        Instant from;
        Instant to;
        try {
            from = instant("--from", values.get("--from"));
            to = instant("--to", values.get("--to"));
        } catch (IllegalArgumentException e) {
            return usage(err, "audit export: " + e.getMessage());
        }
        if (!from.isBefore(to)) {
            return usage(err, "audit export: --from (" + from + ") must be before --to (" + to + ")");
        }
        String mailbox = values.get("--mailbox");
        String file = values.get("--out");
        AuditSource exporter = db;
        try {
            if (file == null) {
                Writer stdout = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                long count = exporter.export(from, to, mailbox, stdout);
                err.println("Exported " + Counted.of(count, "audit record") + ".");
            } else {
                Path path = Path.of(file);
                long count;
                try (Writer writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
                    count = exporter.export(from, to, mailbox, writer);
                }
                out.println("Exported " + Counted.of(count, "audit record") + " to " + path.toAbsolutePath());
            }
            return 0;
        } catch (AuditSource.UnavailableException e) {
            err.println("audit export: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("audit export: cannot write " + (file == null ? "to standard output" : file) + ": " + e.getMessage());
            return 1;
        }
    }

    /** An ISO-8601 instant (2026-03-01T09:00:00Z, or with an offset) or a date, meaning its midnight UTC. */
    public static Instant instant(String option, String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException notDateTime) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeException notDate) {
                throw new IllegalArgumentException(option + " \"" + text + "\" is not an ISO-8601 "
                        + "instant (2026-03-01T09:00:00Z) or date (2026-03-01)");
            }
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println(problem);
        err.println(USAGE);
        return 2;
    }
}

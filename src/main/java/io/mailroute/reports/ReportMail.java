package io.mailroute.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.EmailContent;
import io.mailroute.delivery.SentEmails;
import io.mailroute.reports.links.ReportLinks;
import io.mailroute.text.PlainTextMustache;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Writes the reports' emails when the delivery pipeline sends them (so links are made for the one recipient at the
 * moment the email goes, and a retried email carries fresh ones), and learns when Gmail took one.
 * <ul>
 *   <li>{@value #DOCUMENT}: the report to a recipient, by the report's subject and body templates: the document
 *       attached (streamed from the store), and/or a signed download link, and a link to acknowledge it when the report
 *       asks for that. Sent: the recipient is SENT ({@code report.sent}).</li>
 *   <li>{@value #REMINDER}: past the acknowledgement deadline, once, with a fresh acknowledgement link.</li>
 *   <li>{@value #FAILED_ALERT} and {@value #OVERDUE_ALERT}: to the report's owner.</li>
 * </ul>
 * The report's templates are Mustache, rendered for text (no HTML escaping: {@code {{report.title}}} is the title as
 * written); the HTML part is that text escaped, with the links as buttons.
 */
public final class ReportMail implements EmailContent, SentEmails {

    public static final String DOCUMENT = "report.document";
    public static final String REMINDER = "report.reminder";
    public static final String FAILED_ALERT = "report.failed";
    public static final String OVERDUE_ALERT = "report.overdue";
    private static final String DOCUMENT_PREFIX = "report-run-";
    private static final String REMINDER_PREFIX = "report-remind-";
    private static final String OVERDUE_PREFIX = "report-overdue-";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT);
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT);
    private static final String EVENT = "SELECT payload FROM workflow_event WHERE id = :id";

    private final Supplier<ReportsConfig> config;
    private final ReportRuns runs;
    private final ReportFiles files;
    private final ReportLinks links;
    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;
    private final int maxAttempts;
    /** Text templates: Mustache without HTML escaping. */
    private final DefaultMustacheFactory text;
    /** The body of a digest (a report of source type digest): its text and HTML templates. */
    private final io.mailroute.reports.digest.DigestMail digests;

    public ReportMail(Supplier<ReportsConfig> config, ReportRuns runs, ReportFiles files, ReportLinks links, File templatesDir,
            Database db, ObjectMapper json, Clock clock, int maxAttempts) {
        this.config = config;
        this.runs = runs;
        this.files = files;
        this.links = links;
        this.db = db;
        this.json = json;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.digests = new io.mailroute.reports.digest.DigestMail(templatesDir, json);
        this.text = PlainTextMustache.in(templatesDir);
    }

    static String documentEmailId(long runId) {
        return DOCUMENT_PREFIX + runId;
    }

    static String reminderEmailId(long runId) {
        return REMINDER_PREFIX + runId;
    }

    static String overdueEmailId(long runId) {
        return OVERDUE_PREFIX + runId;
    }

    @Override
    public Mail compose(Delivery delivery, ChannelsConfig.Channel channel) {
        return switch (delivery.eventType()) {
            case DOCUMENT -> document(delivery, runOf(delivery, DOCUMENT_PREFIX));
            case REMINDER -> reminder(delivery, runOf(delivery, REMINDER_PREFIX));
            case OVERDUE_ALERT -> overdue(runOf(delivery, OVERDUE_PREFIX));
            case FAILED_ALERT -> failed(delivery);
            default -> null;
        };
    }

    @Override
    public void sent(Delivery delivery, String messageId, String gmailId, String gmailThreadId, String senderMailbox) {
        if (DOCUMENT.equals(delivery.eventType())) {
            runs.markSent(runOf(delivery, DOCUMENT_PREFIX).id(), delivery.address(), messageId);
        }
    }

    private Mail document(Delivery delivery, ReportRun run) {
        ReportDefinition report = report(run);
        String address = delivery.address();
        RunRecipient recipient = runs.recipient(run.id(), address).orElseThrow(() -> new IllegalStateException(
                address + " is not a recipient of report run " + run.id()));
        if (recipient.status() != RunRecipient.Status.PENDING) {
            throw new IllegalStateException("report run " + run.id() + " was sent to " + address + " already");
        }
        if (report.source() instanceof ReportDefinition.DigestSource) {
            return digest(report, run, address);
        }
        Document document = documentOf(run, address);
        Map<String, Object> model = model(report, run);
        Instant now = clock.instant();
        List<Link> buttons = new ArrayList<>();
        String downloadId = null;
        String ackId = null;
        if (report.delivery().links()) {
            ReportLinks.Issued download = links.download(run.id(), address, now.plus(report.linkLifetime()), report.oneTimeLink());
            downloadId = download.linkId();
            model.put("download", Map.of("url", download.url(), "expires", minute(download.expiresAt(), report)));
            buttons.add(new Link("Download the report", download.url(), "The link works until "
                    + minute(download.expiresAt(), report) + (report.oneTimeLink() ? ", once." : ".")));
        }
        if (report.acknowledgeWithin().isPresent()) {
            Instant deadline = ReportTimers.deadlineOf(run, report.acknowledgeWithin().get());
            ReportLinks.Issued ack = links.acknowledge(run.id(), address, later(deadline, now).plus(report.linkLifetime()));
            ackId = ack.linkId();
            model.put("acknowledge", Map.of("url", ack.url(), "by", minute(deadline, report)));
            buttons.add(new Link("Confirm you have read it", ack.url(), "Please confirm by " + minute(deadline, report) + "."));
        }
        runs.links(run.id(), address, downloadId, ackId);
        List<Attachment> attachments = report.delivery().attaches()
                ? List.of(new Attachment(document.filename(), document.contentType(), document.path()))
                : List.of();
        String subject = oneLine(render(report.subject(), model, report.id() + ".subject"));
        String body = render(report.body(), model, report.id() + ".body");
        return mail(subject, body, buttons, attachments);
    }

    /** A digest: its figures (the recipient's document) in the body, text and HTML; nothing attached, no link. */
    private Mail digest(ReportDefinition report, ReportRun run, String address) {
        ReportRuns.OwnDocument own = runs.recipientDocument(run.id(), address).orElseThrow(() -> new IllegalStateException(
                "report run " + run.id() + " has no digest for " + address));
        Path path = files.find(own.sha256(), io.mailroute.reports.render.DocumentFormat.JSON.extension()).orElseThrow(
                () -> new IllegalStateException("the digest of report run " + run.id() + " for " + address + " ("
                        + own.sha256() + ".json) is no longer stored (mailroute.reports.retention)"));
        Map<String, Object> model = model(report, run);
        String subject = oneLine(render(report.subject(), model, report.id() + ".subject"));
        String intro = report.body() == null ? null : render(report.body(), model, report.id() + ".body");
        io.mailroute.reports.digest.DigestMail.Body body;
        try {
            body = digests.write(digests.read(path), model, intro);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the digest " + path + ": " + e.getMessage(), e);
        }
        return new Mail(subject, body.text(), body.html(), null, null, List.of());
    }

    private Mail reminder(Delivery delivery, ReportRun run) {
        ReportDefinition report = report(run);
        Duration within = report.acknowledgeWithin().orElseThrow(() -> new IllegalStateException(
                "report " + report.id() + " no longer asks for an acknowledgement"));
        RunRecipient recipient = runs.recipient(run.id(), delivery.address()).orElseThrow();
        if (recipient.status() != RunRecipient.Status.OVERDUE) {
            throw new IllegalStateException(delivery.address() + " is " + recipient.status() + " for report run " + run.id()
                    + ", no reminder needed");
        }
        Instant deadline = ReportTimers.deadlineOf(run, within);
        ReportLinks.Issued ack = links.acknowledge(run.id(), delivery.address(), clock.instant().plus(report.linkLifetime()));
        Map<String, Object> model = model(report, run);
        String subject = "Reminder: " + oneLine(render(report.subject(), model, report.id() + ".subject"));
        String body = "Hello,\n\nyou were sent " + report.title() + " for " + period(run, report) + " and asked to confirm "
                + "that you have read it by " + minute(deadline, report) + ". We have no confirmation from you yet.\n\n"
                + "Mailroute";
        return mail(subject, body, List.of(new Link("Confirm you have read it", ack.url(),
                "The link works until " + minute(ack.expiresAt(), report) + ".")), List.of());
    }

    private Mail overdue(ReportRun run) {
        ReportDefinition report = report(run);
        List<RunRecipient> late = runs.recipients(run.id(), RunRecipient.Status.OVERDUE);
        StringBuilder body = new StringBuilder("Hello,\n\n").append(late.size()).append(late.size() == 1 ? " recipient has" : " recipients have")
                .append(" not confirmed reading ").append(report.title()).append(" for ").append(period(run, report))
                .append(" by the deadline, ").append(minute(ReportTimers.deadlineOf(run, report.acknowledgeWithin()
                        .orElse(Duration.ZERO)), report)).append(". Each was reminded once:\n\n");
        late.forEach(r -> body.append("  ").append(r.address()).append('\n'));
        body.append("\nWho has confirmed since: GET /api/reports/").append(report.id()).append("/runs\n\nMailroute");
        return mail(report.title() + " for " + run.period() + ": " + late.size() + " not acknowledged", body.toString(),
                List.of(), List.of());
    }

    private Mail failed(Delivery delivery) {
        JsonNode event = event(delivery.eventId());
        JsonNode data = event.path("data");
        ReportRun run = runs.find(data.path("runId").asLong()).orElseThrow(() -> new IllegalStateException(
                "report run " + data.path("runId").asLong() + " of event " + delivery.eventId() + " is gone"));
        ReportDefinition report = config.get().report(run.reportId()).orElse(null);
        String title = report == null ? run.reportId() : report.title();
        boolean more = run.state() != ReportRun.State.DONE && run.attempts() < maxAttempts;
        String body = "Hello,\n\nthe report " + title + " (" + run.reportId() + ") for period " + run.period()
                + " could not be made or sent:\n\n  " + data.path("reason").asText() + "\n\n"
                + (run.state() == ReportRun.State.DONE ? "A later attempt has succeeded since.\n\n"
                        : more ? "It is tried again automatically, up to " + maxAttempts + " attempts in all. "
                                : "No attempt is left. ")
                + "Once the cause is fixed, it can be run again with:\n\n  java -jar target/mailroute.jar reports run "
                + run.reportId() + " --period " + run.period() + "\n\nIts runs: GET /api/reports/" + run.reportId()
                + "/runs\n\nMailroute";
        return mail("Report " + title + " failed for " + run.period(), body, List.of(), List.of());
    }

    /** The document a recipient gets: their own (perRecipient), else the run's. */
    Document documentOf(ReportRun run, String address) {
        Optional<ReportRuns.OwnDocument> own = runs.recipientDocument(run.id(), address);
        String format = run.document() != null ? run.document().format()
                : report(run).format().configName();
        String sha = own.map(ReportRuns.OwnDocument::sha256).orElseGet(() -> {
            if (run.document() == null) {
                throw new IllegalStateException("report run " + run.id() + " has no document for " + address);
            }
            return run.document().sha256();
        });
        Path path = files.find(sha, format).orElseThrow(() -> new IllegalStateException("the document of report run "
                + run.id() + " (" + sha + "." + format + ") is no longer stored (mailroute.reports.retention)"));
        return new Document(path, run.reportId() + "-" + run.period() + "." + format,
                io.mailroute.reports.render.DocumentFormat.of(format).contentType());
    }

    record Document(Path path, String filename, String contentType) {
    }

    private Map<String, Object> model(ReportDefinition report, ReportRun run) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("report", Map.of("id", report.id(), "title", report.title()));
        ZoneId zone = report.schedule().zone();
        RunWindow window = runs.windowOf(run.id(), zone).orElse(null);
        Map<String, Object> period = new LinkedHashMap<>();
        period.put("key", run.period());
        if (window != null) {
            period.put("start", DAY.format(window.start().atZone(zone)));
            period.put("end", DAY.format(window.end().atZone(zone)));
        } else {
            period.put("start", run.period());
            period.put("end", run.period());
        }
        model.put("period", period);
        return model;
    }

    private String period(ReportRun run, ReportDefinition report) {
        RunWindow window = runs.windowOf(run.id(), report.schedule().zone()).orElse(null);
        return window == null ? run.period() : DAY.format(window.start().atZone(window.zone())) + " to "
                + DAY.format(window.end().atZone(window.zone()));
    }

    private String render(ReportDefinition.Template template, Map<String, Object> model, String name) {
        Mustache mustache = template.isFile() ? text.compile(template.file())
                : text.compile(new StringReader(template.inline()), name);
        StringWriter out = new StringWriter();
        mustache.execute(out, model);
        return out.toString();
    }

    private static Mail mail(String subject, String body, List<Link> buttons, List<Attachment> attachments) {
        StringBuilder plain = new StringBuilder(body.stripTrailing()).append('\n');
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        for (String paragraph : body.strip().split("\\n\\s*\\n")) {
            html.append("<p>").append(escape(paragraph).replace("\n", "<br>")).append("</p>");
        }
        for (Link link : buttons) {
            plain.append('\n').append(link.label()).append(": ").append(link.url()).append("\n").append(link.note()).append('\n');
            html.append("<p><a href=\"").append(escape(link.url())).append("\" style=\"display:inline-block;padding:10px 16px;"
                    + "background:#1a56db;color:#fff;text-decoration:none;border-radius:4px\">").append(escape(link.label()))
                    .append("</a><br><small>").append(escape(link.note())).append("</small></p>");
        }
        html.append("</body></html>");
        return new Mail(subject, plain.toString(), html.toString(), null, null, attachments);
    }

    private record Link(String label, String url, String note) {
    }

    private ReportRun runOf(Delivery delivery, String prefix) {
        String id = delivery.eventId();
        if (id == null || !id.startsWith(prefix)) {
            throw new IllegalStateException("delivery " + delivery.id() + " (" + delivery.eventType() + ") names no report run: " + id);
        }
        long runId = Long.parseLong(id.substring(prefix.length()));
        return runs.find(runId).orElseThrow(() -> new IllegalStateException("report run " + runId + " is gone"));
    }

    private ReportDefinition report(ReportRun run) {
        return config.get().report(run.reportId()).orElseThrow(() -> new IllegalStateException(
                "report '" + run.reportId() + "' is no longer in " + config.get().source()));
    }

    private JsonNode event(String eventId) {
        String payload = db.jdbc().queryForList(EVENT, Map.of("id", eventId), String.class).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("event " + eventId + " is gone"));
        try {
            return json.readTree(payload);
        } catch (IOException e) {
            throw new IllegalStateException("event " + eventId + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static String minute(Instant at, ReportDefinition report) {
        return MINUTE.format(at.atZone(report.schedule().zone()));
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n\\u0085\\u2028\\u2029\\t]+", " ").strip();
    }

    /** mustache.java's escaper, as the pages' templates and the HTML documents use. */
    private static String escape(String text) {
        StringWriter out = new StringWriter();
        com.github.mustachejava.util.HtmlEscaper.escape(text, out);
        return out.toString();
    }
}

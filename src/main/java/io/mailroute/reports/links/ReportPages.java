package io.mailroute.reports.links;

import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.Refusal;
import io.mailroute.links.SignedLink;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.FormFields;
import io.mailroute.pages.Page;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import io.mailroute.pages.RemoteAddress;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportFiles;
import io.mailroute.reports.ReportRun;
import io.mailroute.reports.ReportRuns;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.RunRecipient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages a report recipient reaches from the signed links of a report email ({@link ReportLinks}),
 * {@code routes/reports-pages.camel.yaml} wires them under {@code /p/reports}:
 * <ul>
 * <li>{@code GET download?t=} shows the report (title, period, format, size) and a Download button. It changes
 * nothing: mail scanners open every link first, so no download is recorded and a one-time link stays unused.</li>
 * <li>{@code POST download} (t, csrf) verifies the link again and the form's CSRF token, then in one transaction uses a
 * one-time link, records the download (when, User-Agent, the TCP peer's address) and makes a first download DOWNLOADED
 * (event {@code report.downloaded}); then answers the document itself, as an attachment.</li>
 * <li>{@code GET ack?t=} asks the recipient to confirm they received and read the report; {@code POST ack} (t, csrf)
 * records it once (ACKNOWLEDGED, event {@code report.acknowledged}).</li>
 * </ul>
 * Every request also refuses a run whose links were revoked ({@link ReportLinkRevocations}) and a document retention
 * deleted; each refusal is a page that says why and what to do. Every value is escaped by the templates.
 */
public final class ReportPages {

    static final String TOKEN_FIELD = SignedLinks.TOKEN_PARAMETER;
    static final String CSRF_FIELD = SignedLinks.CSRF_PARAMETER;
    private static final Logger LOG = LoggerFactory.getLogger(ReportPages.class);
    private static final String RETRY = "Open the link again in a minute.";
    private static final Set<RunRecipient.Status> MAY_ACKNOWLEDGE = EnumSet.of(RunRecipient.Status.SENT,
            RunRecipient.Status.DOWNLOADED, RunRecipient.Status.OVERDUE);
    private static final Map<String, String> CONTENT_TYPES = Map.of("pdf", "application/pdf",
            "csv", "text/csv; charset=utf-8", "html", "text/html; charset=utf-8");

    /** A POST's answer: a page, or the document to stream (the caller closes it), and the events it committed. */
    record Answer(Page page, Served document, List<Event> events) {
        static Answer page(Page page) {
            return new Answer(page, null, List.of());
        }
    }

    /** A document to send: its bytes, opened, and how to name them. */
    record Served(InputStream body, String contentType, String fileName) {
    }

    /** What a link leads to: its run, its recipient, and the report as configured now (empty when it is no more). */
    private record Target(ReportRun run, RunRecipient recipient, Optional<ReportDefinition> report) {
        String title() {
            return report.map(ReportDefinition::title).orElse(run.reportId());
        }
    }

    /** A stored document of a target. */
    private record Document(Path path, String format, long size) {
    }

    private final ReportsConfig reports;
    private final ReportRuns runs;
    private final ReportFiles files;
    private final ReportLinkRevocations revocations;
    private final ReportDownloads downloads;
    private final SignedLinks links;
    private final Database db;
    private final Pages pages;
    private final Clock clock;

    public ReportPages(ReportsConfig reports, ReportRuns runs, ReportFiles files, ReportLinkRevocations revocations,
            ReportDownloads downloads, SignedLinks links, Database db, Pages pages,
            Clock clock) {
        this.reports = Objects.requireNonNull(reports, "reports");
        this.runs = Objects.requireNonNull(runs, "runs");
        this.files = Objects.requireNonNull(files, "files");
        this.revocations = Objects.requireNonNull(revocations, "revocations");
        this.downloads = Objects.requireNonNull(downloads, "downloads");
        this.links = Objects.requireNonNull(links, "links");
        this.db = Objects.requireNonNull(db, "db");
        this.pages = Objects.requireNonNull(pages, "pages");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ---- the routes' beans ------------------------------------------------------------------------------

    /** {@code GET /p/reports/download?t=<token>}. */
    public void showDownload(@Header(TOKEN_FIELD) String token, Exchange exchange) {
        PageResponses.write(exchange, safely("show a download", ReportLinks.DOWNLOAD_PATH, () -> showDownload(token)));
    }

    /** {@code POST /p/reports/download} (t, csrf): the document, or a page; the events committed in {@link EventLog#COMMITTED}. */
    public void download(@Body Object body, @Header("User-Agent") String userAgent, Exchange exchange) {
        Answer answer;
        try {
            answer = submitDownload(FormFields.of(body), userAgent, RemoteAddress.of(exchange));
        } catch (RuntimeException e) {
            answer = Answer.page(failed("record a download", ReportLinks.DOWNLOAD_PATH, e));
        }
        exchange.setProperty(EventLog.COMMITTED, answer.events());
        if (answer.document() != null) {
            PageResponses.attachment(exchange, answer.document().body(), answer.document().contentType(),
                    answer.document().fileName());
        } else {
            PageResponses.write(exchange, answer.page());
        }
    }

    /** {@code GET /p/reports/ack?t=<token>}. */
    public void showAcknowledge(@Header(TOKEN_FIELD) String token, Exchange exchange) {
        PageResponses.write(exchange, safely("show an acknowledgement", ReportLinks.ACKNOWLEDGE_PATH, () -> showAcknowledge(token)));
    }

    /** {@code POST /p/reports/ack} (t, csrf); the events committed in {@link EventLog#COMMITTED}. */
    public void acknowledge(@Body Object body, Exchange exchange) {
        Answer answer;
        try {
            answer = submitAcknowledge(FormFields.of(body));
        } catch (RuntimeException e) {
            answer = Answer.page(failed("record an acknowledgement", ReportLinks.ACKNOWLEDGE_PATH, e));
        }
        exchange.setProperty(EventLog.COMMITTED, answer.events());
        PageResponses.write(exchange, answer.page());
    }

    // ---- downloads --------------------------------------------------------------------------------------

    /** The page a GET of a download link shows; reads only. */
    Page showDownload(String token) {
        String path = ReportLinks.DOWNLOAD_PATH;
        Opened opened = open(token, ReportLinks.DOWNLOAD, path);
        if (opened.refusal() != null) {
            return opened.refusal();
        }
        SignedLink link = opened.link();
        Optional<Page> unavailable = withdrawn(opened.target(), path);
        if (unavailable.isPresent()) {
            return unavailable.get();
        }
        Optional<Document> document = document(opened.target());
        if (document.isEmpty()) {
            return deleted(opened.target(), path);
        }
        Map<String, Object> model = about(opened.target(), link);
        model.put("format", document.get().format().toUpperCase(Locale.ROOT));
        model.put("size", size(document.get().size()));
        model.put("token", token);
        model.put("csrf", links.csrfToken(link));
        model.put("oneTime", link.singleUse());
        return pages.render("report-download", 200, path, model);
    }

    /** A POST of the download form: the document when the link, the form and the run allow it, else a page. */
    Answer submitDownload(FormFields form, String userAgent, String remoteAddress) {
        String path = ReportLinks.DOWNLOAD_PATH;
        Opened opened = posted(form, ReportLinks.DOWNLOAD, path, "This download was not asked for from its page. Open "
                + "the link from the email again and use its Download button.");
        if (opened.refusal() != null) {
            return Answer.page(opened.refusal());
        }
        SignedLink link = opened.link();
        Target target = opened.target();
        Optional<Page> unavailable = withdrawn(target, path);
        if (unavailable.isPresent()) {
            return Answer.page(unavailable.get());
        }
        Optional<Document> document = document(target);
        InputStream body = document.map(ReportPages::openFile).orElse(null);
        if (body == null) {
            return Answer.page(deleted(target, path));
        }
        Instant at = clock.instant();
        // The link's use, the download's record and the recipient's DOWNLOADED commit together, or not at all.
        List<Event> events;
        try {
            events = db.transactions().execute(tx -> {
                if (revocations.of(target.run().id()).isPresent() || link.singleUse() && !links.consume(link)) {
                    tx.setRollbackOnly();
                    return null;
                }
                downloads.record(target.run().id(), target.recipient().id(), link.linkId(), at, userAgent, remoteAddress);
                return runs.downloaded(link.linkId(), at).stream().map(ReportRuns.Change::event).filter(Objects::nonNull)
                        .toList();
            });
        } catch (RuntimeException e) {
            close(body);
            throw e;
        }
        if (events == null) { // revoked, or the one-time link used, a moment ago by another request
            close(body);
            return Answer.page(withdrawn(target, path).orElseGet(() -> used(target, links.usedAt(link), path)));
        }
        LOG.info("Report {} period {}: downloaded through link {} (run {})", target.run().reportId(), target.run().period(),
                link.linkId(), target.run().id());
        String format = document.get().format();
        return new Answer(null, new Served(body, CONTENT_TYPES.get(format),
                target.run().reportId() + "-" + target.run().period() + "." + format), events);
    }

    // ---- acknowledgements -------------------------------------------------------------------------------

    /** The page a GET of an acknowledgement link shows; reads only. */
    Page showAcknowledge(String token) {
        String path = ReportLinks.ACKNOWLEDGE_PATH;
        Opened opened = open(token, ReportLinks.ACKNOWLEDGE, path);
        if (opened.refusal() != null) {
            return opened.refusal();
        }
        Optional<Page> notNow = notToAcknowledge(opened.target(), path);
        if (notNow.isPresent()) {
            return notNow.get();
        }
        Map<String, Object> model = about(opened.target(), opened.link());
        model.put("token", token);
        model.put("csrf", links.csrfToken(opened.link()));
        deadline(opened.target()).ifPresent(deadline -> model.put("deadline", time(deadline)));
        return pages.render("report-ack", 200, path, model);
    }

    /** A POST of the acknowledgement form: records it once when the link, the form and the run allow it. */
    Answer submitAcknowledge(FormFields form) {
        String path = ReportLinks.ACKNOWLEDGE_PATH;
        Opened opened = posted(form, ReportLinks.ACKNOWLEDGE, path, "This confirmation was not sent from its page. Open the "
                + "link from the email again and confirm there.");
        if (opened.refusal() != null) {
            return Answer.page(opened.refusal());
        }
        SignedLink link = opened.link();
        Target target = opened.target();
        Instant at = clock.instant();
        Optional<ReportRuns.Change> change = db.transactions().execute(tx -> revocations.of(target.run().id()).isPresent()
                ? Optional.<ReportRuns.Change>empty()
                : runs.acknowledged(target.run().id(), target.recipient().address(), at));
        if (change.isEmpty()) { // revoked, acknowledged already, or not to be acknowledged: say which
            Optional<Target> now = target(link);
            return Answer.page(now.flatMap(t -> notToAcknowledge(t, path)).orElseGet(() -> gone(path)));
        }
        LOG.info("Report {} period {}: acknowledged (run {})", target.run().reportId(), target.run().period(), target.run().id());
        Map<String, Object> model = about(target, link);
        model.put("heading", "Thank you");
        model.put("sentence", "Your confirmation that you received and read " + target.title() + " for " + target.run().period()
                + " is recorded.");
        model.put("detail", "Recorded on " + time(at) + ". You can close this page.");
        Event event = change.get().event();
        return new Answer(pages.render("report-outcome", 200, path, model), null, event == null ? List.of() : List.of(event));
    }

    /** Why this recipient has nothing to acknowledge now, as a page; empty when they may. */
    private Optional<Page> notToAcknowledge(Target target, String path) {
        Optional<Page> withdrawn = withdrawn(target, path);
        if (withdrawn.isPresent()) {
            return withdrawn;
        }
        RunRecipient recipient = target.recipient();
        if (recipient.acknowledgedAt() != null) {
            Map<String, Object> model = about(target, null);
            model.put("heading", "Already acknowledged");
            model.put("sentence", "You already confirmed that you received and read " + target.title() + " for "
                    + target.run().period() + ".");
            model.put("detail", "Acknowledged on " + time(recipient.acknowledgedAt()) + ". Nothing more to do.");
            return Optional.of(pages.render("report-outcome", 200, path, model));
        }
        if (!MAY_ACKNOWLEDGE.contains(recipient.status())) {
            return Optional.of(pages.problem(409, "This report cannot be acknowledged", "This report was not delivered to "
                    + "you as planned, so there is nothing to confirm here. " + askOwner(target, "about it"), path));
        }
        return Optional.empty();
    }

    // ---- what a link leads to ---------------------------------------------------------------------------

    /** A link opened: its run and recipient, or the page that says why it leads nowhere. */
    private record Opened(SignedLink link, Target target, Page refusal) {
        static Opened refused(Page page) {
            return new Opened(null, null, page);
        }
    }

    /** Verifies a link and finds what it leads to. */
    private Opened open(String token, String purpose, String path) {
        LinkCheck check = links.verify(token, purpose);
        if (check instanceof LinkCheck.Refused refused) {
            return Opened.refused(refusedLink(refused, path));
        }
        SignedLink link = ((LinkCheck.Valid) check).link();
        return target(link).map(target -> new Opened(link, target, null)).orElseGet(() -> Opened.refused(gone(path)));
    }

    /** The same for a POST, which must also carry the CSRF token of the link's page; else 403 with {@code csrfRefusal}. */
    private Opened posted(FormFields form, String purpose, String path, String csrfRefusal) {
        Opened opened = open(form.value(TOKEN_FIELD), purpose, path);
        if (opened.refusal() == null && !links.checkCsrf(opened.link(), form.value(CSRF_FIELD))) {
            LOG.info("Report page {}: a POST for {} without the page's CSRF token refused", path, opened.link());
            return Opened.refused(pages.problem(403, "This form cannot be used", csrfRefusal, path));
        }
        return opened;
    }

    /** The link's run and recipient; empty when its subject is no run here, or the run has no such recipient. */
    private Optional<Target> target(SignedLink link) {
        long runId;
        try {
            runId = Long.parseLong(link.subjectId());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Optional<ReportRun> run = runs.find(runId);
        if (run.isEmpty()) {
            return Optional.empty();
        }
        Optional<RunRecipient> recipient;
        try {
            recipient = runs.recipient(runId, link.recipient());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not an address a run could have
        }
        return recipient.map(r -> new Target(run.get(), r, reports.report(run.get().reportId())));
    }

    /** The recipient's own document, else the run's, when it is still stored. */
    private Optional<Document> document(Target target) {
        ReportRun.Document runDocument = target.run().document();
        String format = runDocument != null ? runDocument.format()
                : target.report().map(r -> r.format().configName()).orElse(null);
        Optional<ReportRuns.OwnDocument> own = runs.recipientDocument(target.run().id(), target.recipient().address());
        String sha256 = own.map(ReportRuns.OwnDocument::sha256).orElse(runDocument == null ? null : runDocument.sha256());
        if (sha256 == null || format == null) {
            return Optional.empty();
        }
        return files.find(sha256, format).map(file -> new Document(file, format, own.map(ReportRuns.OwnDocument::size)
                .orElse(runDocument != null ? runDocument.size() : sizeOf(file))));
    }

    /** The acknowledgement deadline: the run's (ReportRun.acknowledgeBy), as its reminder timer has it. */
    private static Optional<Instant> deadline(Target target) {
        return target.report().flatMap(ReportDefinition::acknowledgeWithin).map(target.run()::acknowledgeBy);
    }

    // ---- pages ------------------------------------------------------------------------------------------

    /** What every report page shows about the report and whom the link is for. */
    private static Map<String, Object> about(Target target, SignedLink link) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", target.title());
        model.put("period", target.run().period());
        model.put("recipient", target.recipient().address());
        if (link != null) {
            model.put("expires", time(link.expiresAt()));
        }
        return model;
    }

    /**
     * A refused link. A genuine one that was used or expired says when, and whom to ask for a new one; an expired
     * acknowledgement link of a recipient who acknowledged says so (not an error). Anything else gets the one refusal page.
     */
    private Page refusedLink(LinkCheck.Refused refused, String path) {
        Optional<Target> target = refused.link().flatMap(this::target);
        if (target.isEmpty()) {
            return pages.refused(refused, path);
        }
        if (refused.reason() == Refusal.USED) {
            return used(target.get(), refused.usedAt(), path);
        }
        if (refused.reason() == Refusal.EXPIRED) {
            if (ReportLinks.ACKNOWLEDGE.equals(refused.link().get().purpose()) && target.get().recipient().acknowledgedAt() != null) {
                return notToAcknowledge(target.get(), path).orElseThrow();
            }
            return pages.problem(410, "This link has expired", "This link to " + target.get().title() + " for "
                    + target.get().run().period() + " expired on " + time(refused.link().get().expiresAt()) + ". "
                    + askOwner(target.get(), "for a new link"), path);
        }
        return pages.refused(refused, path);
    }

    private Page used(Target target, Optional<Instant> usedAt, String path) {
        return pages.problem(410, "This link has already been used", "This link to " + target.title() + " for "
                + target.run().period() + " works once, and it was already used" + usedAt.map(at -> " on " + time(at)).orElse("")
                + ". " + askOwner(target, "for a new link"), path);
    }

    /** The page for a run whose links its owner revoked; empty when they work. */
    private Optional<Page> withdrawn(Target target, String path) {
        return revocations.of(target.run().id()).map(revoked -> pages.problem(410, "This report was withdrawn",
                target.title() + " for " + target.run().period() + " was withdrawn by its owner on " + time(revoked.at())
                        + ", and its links no longer work. " + askOwner(target, "if you still need it"), path));
    }

    private Page deleted(Target target, String path) {
        return pages.problem(410, "This report is no longer kept", target.title() + " for " + target.run().period()
                + " has been deleted: reports are kept for a limited time. " + askOwner(target, "for a new copy"), path);
    }

    private Page gone(String path) {
        return pages.problem(410, "This report is not known here", "The report this link was for is not kept here any more. "
                + "Ask the person who sends you this report if this is unexpected.", path);
    }

    private Page failed(String what, String path, RuntimeException e) {
        return pages.failed("Report", what, RETRY, path, e);
    }

    private Page safely(String what, String path, java.util.function.Supplier<Page> page) {
        return pages.safely("Report", what, RETRY, path, page);
    }

    /** "Ask the report's owner (owner@acme.example) for a new link." The owner is named when it is an address. */
    private static String askOwner(Target target, String what) {
        String owner = target.report().map(ReportDefinition::owner).filter(o -> o.contains("@")).map(o -> " (" + o + ")")
                .orElse("");
        return "Ask the report's owner" + owner + " " + what + ".";
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    static String time(Instant at) {
        return Pages.time(at);
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        return bytes < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }

    /** The stored file, opened; null when retention deleted it since it was found. */
    private static InputStream openFile(Document document) {
        try {
            return Files.newInputStream(document.path());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the report document " + document.path(), e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of the report document " + file, e);
        }
    }

    private static void close(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            LOG.debug("Closing a report document failed: {}", e.toString());
        }
    }
}

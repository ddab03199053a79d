package io.mailroute.reports.digest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.alerts.AlertOwners;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.files.StagedFile;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.DigestSource;
import io.mailroute.reports.ReportRunner;
import io.mailroute.reports.RunWindow;
import io.mailroute.reports.render.DocumentFormat;
import io.mailroute.reports.render.RenderedDocument;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Digests on the reports engine (issue 15, §3): a report of {@code source: {type: digest}} is run like any other (once
 * per period, one email per recipient), and this is its renderer: for each recipient, the {@link DigestScope} of the
 * queues they own, the {@link Digest} of the period computed by {@link DigestQueries}, kept as JSON (the recipient's
 * document); {@link DigestMail} writes the email from it. A recipient with nothing to be told is SKIPPED with the reason
 * ({@link ReportRunner.NothingToSend}).
 *
 * <pre>{@code
 * ReportRunner.Renderer renderer = digests.or(tableRenderer);   // digests here, the other sources there
 * }</pre>
 */
public final class Digests {

    private final DigestQueries queries;
    private final ChannelsConfig channels;
    private final AlertOwners owners;
    private final ObjectMapper json;

    public Digests(DigestQueries queries, ChannelsConfig channels, AlertOwners owners, ObjectMapper json) {
        this.queries = queries;
        this.channels = channels;
        this.owners = owners;
        this.json = json;
    }

    /** A renderer that renders digests here and hands every other report to {@code others}. */
    public ReportRunner.Renderer or(ReportRunner.Renderer others) {
        return (report, window, recipient, directory) -> report.source() instanceof DigestSource digest
                ? render(report, digest, window, recipient, directory)
                : others.render(report, window, recipient, directory);
    }

    /** The recipient's scope: which queues and mailboxes their digest covers. */
    public DigestScope scopeOf(DigestSource digest, String address) {
        return DigestScope.of(address, digest.unowned(), channels, owners);
    }

    RenderedDocument render(ReportDefinition report, DigestSource source, RunWindow window, String recipient, Path directory)
            throws ReportRunner.NothingToSend, IOException {
        if (recipient == null) {
            throw new IllegalArgumentException("report '" + report.id() + "' is a digest: it is made for one recipient at a time");
        }
        DigestScope scope = scopeOf(source, recipient);
        if (scope.isNothing()) {
            throw new ReportRunner.NothingToSend(recipient + " owns no queue and no mailbox (owners: queues: and mailboxes: "
                    + "in channels.yaml name no audience of theirs), and a digest gives who owns none nothing (source.unowned: nothing, "
                    + report.where("source") + ")");
        }
        Digest digest = queries.compute(window, scope, source.sections());
        if (digest.isEmpty() && !source.sendWhenEmpty()) {
            throw new ReportRunner.NothingToSend("an empty period: no activity in " + (scope.everything() ? "any queue"
                    : "the queues " + String.join(", ", scope.queues())) + ", no exception in " + (scope.everything()
                    ? "any mailbox" : "the mailboxes " + String.join(", ", scope.mailboxes())) + " and no engagement from "
                    + window.start()
                    + " to " + window.end() + " (source.sendWhenEmpty: false)");
        }
        return write(digest, directory);
    }

    /** The digest as JSON in a new file of {@code directory}, hashed as written. */
    RenderedDocument write(Digest digest, Path directory) throws IOException {
        Path target = directory.resolve(UUID.randomUUID() + "." + DocumentFormat.JSON.extension());
        try (StagedFile staged = StagedFile.in(directory, ".digest-")) {
            try (OutputStream out = staged.output()) {
                out.write(json.writeValueAsBytes(digest));
            }
            long bytes = staged.size();
            staged.moveTo(target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new RenderedDocument(target, DocumentFormat.JSON, bytes, staged.sha256Hex(), digest.lines());
        }
    }
}

package io.mailroute.reports;

import io.mailroute.reports.render.RenderedDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code reports run ID --dry-run DIR}: the documents a run would send, rendered to files, and nothing else: no run
 * recorded, no email, no link, a file source's file read where it lies and left there.
 */
public final class ReportDryRun {

    /** One document of a dry run: for whom (null: everybody), the file, its rows. */
    public record Output(String recipient, Path file, long rows, long bytes, String sha256) {
    }

    /** What a dry run rendered, and for which period and window. */
    public record Result(String reportId, RunWindow window, List<Output> documents) {
    }

    private final Supplier<ReportsConfig> config;
    private final ReportAudience audience;
    private final ReportRunner.Renderer renderer;
    private final Clock clock;

    public ReportDryRun(Supplier<ReportsConfig> config, ReportAudience audience, ReportRunner.Renderer renderer, Clock clock) {
        this.config = config;
        this.audience = audience;
        this.renderer = renderer;
        this.clock = clock;
    }

    /**
     * Renders the report's documents for the period (null: its latest firing's) into {@code directory}, named
     * {@code <id>-<period>.<ext>}, or {@code <id>-<period>-<address>.<ext>} for each recipient of a perRecipient report.
     *
     * @throws IllegalArgumentException for an unknown report or period
     * @throws Exception                what the source or the renderer threw, naming the report
     */
    public Result render(String reportId, String period, Path directory) throws Exception {
        ReportDefinition report = config.get().report(reportId).orElseThrow(() -> new IllegalArgumentException("no report '"
                + reportId + "' in " + config.get().source() + " (reports: " + String.join(", ", config.get().reports().keySet()) + ")"));
        RunWindow window = period == null ? report.schedule().windowAt(clock.instant()) : report.schedule().windowOf(period);
        Files.createDirectories(directory);
        String ext = report.source() instanceof ReportDefinition.DigestSource
                ? io.mailroute.reports.render.DocumentFormat.JSON.extension() : report.format().configName();
        List<Output> out = new ArrayList<>();
        if (!report.perRecipient()) {
            out.add(one(report, window, null, directory.resolve(report.id() + "-" + window.period() + "." + ext)));
        } else {
            for (RunRecipient.Planned recipient : audience.of(report)) {
                String safe = recipient.address().replaceAll("[^a-z0-9@._-]", "_").toLowerCase(Locale.ROOT);
                try {
                    out.add(one(report, window, recipient.address(),
                            directory.resolve(report.id() + "-" + window.period() + "-" + safe + "." + ext)));
                } catch (ReportRunner.NothingToSend nothing) {
                    continue; // a run would skip them too: nothing rendered
                }
            }
        }
        return new Result(report.id(), window, out);
    }

    private Output one(ReportDefinition report, RunWindow window, String recipient, Path target) throws Exception {
        RenderedDocument document = renderer.render(report, window, recipient, target.getParent());
        try {
            Files.move(document.file(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException("could not write " + target + ": " + e.getMessage(), e);
        }
        return new Output(recipient, target, document.rows(), document.bytes(), document.sha256());
    }
}

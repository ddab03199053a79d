package io.mailroute.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.email.GmailEmailTransport;
import io.mailroute.events.EventLog;
import io.mailroute.links.SignedLinks;
import io.mailroute.reports.ReportAudience;
import io.mailroute.reports.ReportDryRun;
import io.mailroute.reports.ReportFiles;
import io.mailroute.reports.ReportMail;
import io.mailroute.reports.ReportRunner;
import io.mailroute.reports.ReportRuns;
import io.mailroute.reports.ReportSchedule;
import io.mailroute.reports.ReportsApi;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.ReportsFile;
import io.mailroute.reports.links.ReportLinkRevocations;
import io.mailroute.reports.links.ReportLinks;
import io.mailroute.reports.render.DocumentFormat;
import io.mailroute.reports.render.Documents;
import io.mailroute.reports.sources.ReportSources;
import io.mailroute.timers.Timers;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;

/**
 * Scheduled reports ({@code config/reports.yaml}, {@code routes/reports.camel.yaml}): the run engine, its emails on the
 * delivery pipeline, its timers, the API's bean {@code reportsApi}, the link pages ({@link ReportPagesWiring}), and the
 * list of reports whose schedules
 * {@link ReportRoutesInstaller} makes routes of. Keys: {@code mailroute.reports.*} (application.properties).
 */
final class ReportsWiring {

    static final String CHANNEL = "mailroute.reports.channel";

    private ReportsWiring() {
    }

    /** The reports of the file, or none when there is no file. */
    static ReportsConfig config(Settings settings) {
        Path file = settings.path("mailroute.reports.file", "reports.yaml", true);
        if (!Files.isRegularFile(file)) {
            return ReportsConfig.none(file.toString());
        }
        return ReportsFile.load(file, settings.path("mailroute.delivery.templates-dir", "templates", true));
    }

    /**
     * Binds {@code reportsApi}, {@code reportRunner} (the schedule's routes), {@code reportRuns}, {@code reportRetention}
     * and the link pages; needs {@code signedLinks}, {@code pages} and {@code timers}.
     */
    static void bind(CamelContext context, Settings settings, ReportsConfig reports, Database db, EventLog events,
            ChannelsConfig channels, Map<String, MailboxSettings> mailboxes, DeliveryStore deliveries, GmailEmailTransport email,
            Timers timers, String node, Path dataDir, ObjectMapper json, Clock clock) {
        String properties = settings.configDir().resolve("application.properties").toString();
        String channel = settings.text(CHANNEL, "report-email");
        if (!reports.reports().isEmpty() && (channels.channels().get(channel) == null || !channels.channels().get(channel).isEmail())) {
            throw new ConfigException(new ConfigProblem(properties, CHANNEL, "names '" + channel + "', which is not an email "
                    + "channel of config/channels.yaml, and " + reports.source() + " has reports to send",
                    "add the channel (type: email, sender: $mailbox sends from each report's mailbox) or name another"));
        }
        int maxAttempts = (int) settings.number("mailroute.reports.max-attempts", 3);
        ReportRunner.Policy policy;
        try {
            policy = new ReportRunner.Policy(settings.duration("mailroute.reports.lease", Duration.ofMinutes(2)), maxAttempts,
                    settings.duration("mailroute.reports.retry-after", Duration.ofMinutes(15)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(new ConfigProblem(properties, "mailroute.reports.max-attempts", e.getMessage(), "set it to 1 or more"));
        }
        Supplier<ReportsConfig> config = () -> reports;
        ReportRuns runs = context.getRegistry().lookupByNameAndType("reportRuns", ReportRuns.class);
        if (runs == null) {
            runs = new ReportRuns(db, events, clock);
        }
        ReportFiles files = new ReportFiles(settings.path("mailroute.reports.dir", dataDir.resolve("reports").toString(), false));
        ReportSources sources = new ReportSources(db, reports, System::getenv,
                ReportSources.httpClient(), clock);
        try {
            context.addService(new org.apache.camel.support.service.ServiceSupport() {
                @Override
                protected void doStop() {
                    sources.close(); // the external datasources' pools
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the report sources with the context: " + e.getMessage(), e);
        }
        ReportRunner.Renderer renderer = digests(settings, db, channels, json).or(renderer(sources, clock));
        ReportAudience audience = new ReportAudience(channels,
                id -> mailboxes.containsKey(id) ? mailboxes.get(id).owners() : List.of());
        ReportSchedule schedule = ReportSchedule.create(config, runs, audience, files, renderer, sources::finished, deliveries,
                channel, timers, events, db, policy, node, clock);
        ReportLinks links = new ReportLinks(context.getRegistry().lookupByNameAndType("signedLinks", SignedLinks.class), clock);
        ReportLinkRevocations revocations = new ReportLinkRevocations(db, clock);
        ReportMail mail = new ReportMail(config, runs, files, links,
                settings.path("mailroute.delivery.templates-dir", "templates", true).toFile(), db, json, clock, maxAttempts);
        email.withContent(mail, mail);
        context.getRegistry().bind("reportRuns", runs);
        context.getRegistry().bind("reportRunner", schedule.runner());
        try {
            context.getRegistry().bind("reportRetention", new io.mailroute.reports.ReportRetention(db, files,
                    settings.duration("mailroute.reports.retention", Duration.ofDays(90)), clock));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(new ConfigProblem(properties, "mailroute.reports.retention", e.getMessage(),
                    "write how long report documents are kept, e.g. 90d"));
        }
        context.getRegistry().bind("reportsApi", new ReportsApi(config, runs, schedule.runner(),
                new ReportDryRun(config, audience, renderer, clock), audience, revocations, db, json, clock,
                dataDir.resolve("reports-scratch")));
        ReportPagesWiring.bind(context, reports, runs, files, links, revocations, db, clock);
    }

    /** Digests (reports of source type digest): each recipient's figures for the queues they own (owners: of channels.yaml). */
    private static io.mailroute.reports.digest.Digests digests(Settings settings, Database db, ChannelsConfig channels,
            ObjectMapper json) {
        io.mailroute.alerts.AlertOwners owners = io.mailroute.alerts.AlertOwnersFile.load(
                settings.path("mailroute.delivery.channels-file", "channels.yaml", true), channels);
        return new io.mailroute.reports.digest.Digests(new io.mailroute.reports.digest.DigestQueries(db), channels, owners, json);
    }

    /** A report's document: its source's rows, streamed into the renderer, in the report's time zone. */
    static ReportRunner.Renderer renderer(ReportSources sources, Clock clock) {
        return (report, window, recipient, directory) -> sources.read(report, window, recipient, table -> {
            DocumentFormat format = DocumentFormat.of(report.format().configName());
            String title = report.title() + ", " + window.period() + (recipient == null ? "" : ", " + recipient);
            return new Documents(clock.withZone(report.schedule().zone())).render(
                    new io.mailroute.reports.Table(title, table.columns(), table.rows()), format,
                    directory.resolve(UUID.randomUUID() + "." + format.extension()));
        });
    }
}

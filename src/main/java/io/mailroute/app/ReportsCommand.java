package io.mailroute.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.config.MailboxSettings;
import io.mailroute.config.MailboxesFile;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.ChannelsFile;
import io.mailroute.json.Json;
import io.mailroute.reports.ReportAudience;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDryRun;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.sources.ReportSources;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;

/**
 * {@code reports list}, {@code reports run ID [--period P]} and {@code reports run ID [--period P] --dry-run DIR}: through
 * the running service (which sends, through its delivery pipeline); a dry run also works with the service stopped, on
 * the database itself, and sends nothing either way.
 */
public final class ReportsCommand {

    static final String USAGE = "usage: reports list | reports run ID [--period P] [--dry-run OUT_DIR]";
    private static final ObjectMapper JSON = Json.newMapper();

    private ReportsCommand() {
    }

    public static int run(List<String> args, Path configDir, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty()) {
            return usage(err, "reports: say what to do");
        }
        try (CamelContext properties = Configs.propertiesOnly(configDir)) {
            Settings settings = Settings.of(properties, configDir);
            ServiceClient service = new ServiceClient(settings, System::getenv);
            switch (args.get(0)) {
                case "list":
                    return args.size() == 1 ? list(settings, service, out, err) : usage(err, "reports list takes nothing more");
                case "run":
                    return run(args.subList(1, args.size()), settings, service, out, err);
                default:
                    return usage(err, "reports: unknown '" + args.get(0) + "'");
            }
        } catch (ServiceClient.RefusedException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    private static int list(Settings settings, ServiceClient service, PrintStream out, PrintStream err) throws Exception {
        Optional<HttpResponse<String>> answer = service.call("GET", "/reports", null);
        if (answer.isPresent() && answer.get().statusCode() != 200) {
            err.println(ServiceClient.refusal(answer.get()));
            return 1;
        }
        out.printf("%-28s %-22s %-14s %-6s %-10s %-34s %s%n", "REPORT", "SCHEDULE", "ZONE", "FORMAT", "DELIVERY", "NEXT", "LAST RUN");
        if (answer.isPresent()) {
            for (JsonNode report : JSON.readTree(answer.get().body()).path("reports")) {
                JsonNode last = report.path("lastRun");
                out.printf("%-28s %-22s %-14s %-6s %-10s %-34s %s%n", report.path("id").asText(),
                        report.at("/schedule/cron").asText(), report.at("/schedule/zone").asText(),
                        report.path("format").asText(), report.path("delivery").asText(),
                        report.at("/schedule/next").asText("-"), last.isMissingNode() ? "never"
                                : last.path("period").asText() + " " + last.path("state").asText());
            }
            return 0;
        }
        ReportsConfig reports = ReportsWiring.config(settings);
        for (ReportDefinition report : reports.reports().values()) {
            out.printf("%-28s %-22s %-14s %-6s %-10s %-34s %s%n", report.id(), report.schedule().cron(),
                    report.schedule().zone().getId(), report.shownFormat(), report.shownDelivery(), "-",
                    "(service not running)");
        }
        return 0;
    }

    private static int run(List<String> args, Settings settings, ServiceClient service, PrintStream out, PrintStream err)
            throws Exception {
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            return usage(err, "reports run: give the report's id (reports list shows them)");
        }
        String id = args.get(0);
        String period = null;
        Path dryRun = null;
        for (int i = 1; i < args.size(); i++) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                return usage(err, "reports run: " + option + " needs a value");
            }
            switch (option) {
                case "--period" -> period = args.get(++i);
                case "--dry-run" -> dryRun = Path.of(args.get(++i));
                default -> {
                    return usage(err, "reports run: unknown option '" + option + "'");
                }
            }
        }
        String body = period == null ? "{}" : JSON.createObjectNode().put("period", period).toString();
        if (dryRun != null) {
            return dryRun(id, period, dryRun, body, settings, service, out, err);
        }
        Optional<HttpResponse<String>> answer = service.call("POST", "/reports/" + id + "/runs", body, Duration.ofMinutes(30));
        if (answer.isEmpty()) {
            err.println("The service is not running at " + service.base() + ": a report is sent by the running service "
                    + "(its delivery pipeline). Start it (java -jar target/mailroute.jar), or render the documents without "
                    + "sending: reports run " + id + " --dry-run OUT_DIR");
            return 1;
        }
        if (answer.get().statusCode() != 200 && answer.get().statusCode() != 201) {
            err.println(ServiceClient.refusal(answer.get()));
            return 1;
        }
        JsonNode run = JSON.readTree(answer.get().body());
        out.println(run.path("said").asText());
        for (JsonNode recipient : run.path("recipients")) {
            out.printf("  %-40s %s%n", recipient.path("address").asText(), recipient.path("status").asText()
                    + (recipient.path("delivery").isMissingNode() ? "" : " (delivery " + recipient.at("/delivery/status").asText() + ")"));
        }
        return "FAILED".equals(run.path("state").asText()) ? 1 : 0;
    }

    private static int dryRun(String id, String period, Path directory, String body, Settings settings, ServiceClient service,
            PrintStream out, PrintStream err) throws Exception {
        Files.createDirectories(directory);
        Optional<HttpResponse<String>> answer = service.call("POST", "/reports/" + id + "/dry-run", body, Duration.ofMinutes(30));
        List<String> lines = new ArrayList<>();
        if (answer.isPresent()) {
            if (answer.get().statusCode() != 200) {
                err.println(ServiceClient.refusal(answer.get()));
                return 1;
            }
            JsonNode result = JSON.readTree(answer.get().body());
            lines.add("Dry run of " + id + " for period " + result.path("period").asText() + " (" + result.path("windowStart").asText()
                    + " to " + result.path("windowEnd").asText() + "), by the running service; nothing sent:");
            for (JsonNode document : result.path("documents")) {
                Path file = directory.resolve(Path.of(document.path("filename").asText()).getFileName().toString());
                Files.write(file, Base64.getDecoder().decode(document.path("content").asText()));
                lines.add(line(file, document.path("rows").asLong(), document.path("recipient").asText(null)));
            }
        } else {
            ReportDryRun.Result result;
            try {
                result = local(settings).render(id, period, directory);
            } catch (IllegalArgumentException e) {
                err.println("reports run: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                err.println("Report " + id + ": the dry run failed: " + e.getMessage());
                return 1;
            }
            lines.add("Dry run of " + id + " for period " + result.window().period() + " (" + result.window().start() + " to "
                    + result.window().end() + "), on the database (service not running); nothing sent:");
            result.documents().forEach(d -> lines.add(line(d.file(), d.rows(), d.recipient())));
        }
        lines.forEach(out::println);
        return 0;
    }

    private static String line(Path file, long rows, String recipient) {
        return "  " + file + "  " + rows + (rows == 1 ? " row" : " rows") + (recipient == null ? "" : "  for " + recipient);
    }

    /** A dry run with the service stopped: the same sources and renderer, on the database itself. */
    private static ReportDryRun local(Settings settings) {
        ReportsConfig reports = ReportsWiring.config(settings);
        Database db = Configs.openDatabase(settings);
        ChannelsConfig channels = ChannelsFile.load(settings.path("mailroute.delivery.channels-file", "channels.yaml", true));
        Map<String, List<String>> owners = MailboxesFile.load(settings.path("mailroute.mailboxes-file", "mailboxes.yaml", true))
                .stream().collect(Collectors.toMap(MailboxSettings::id, MailboxSettings::owners));
        Clock clock = Clock.systemUTC();
        ReportSources sources = new ReportSources(db, reports, System::getenv,
                ReportSources.httpClient(), clock);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sources.close();
            db.close();
        }));
        return new ReportDryRun(() -> reports, new ReportAudience(channels, id -> owners.getOrDefault(id, List.of())),
                ReportsWiring.renderer(sources, clock), clock);
    }

    private static int usage(PrintStream err, String message) {
        err.println(message);
        err.println(USAGE);
        return 2;
    }
}

package io.mailroute.reports.sources;

import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.Delivery;
import io.mailroute.reports.ReportDefinition.Format;
import io.mailroute.reports.ReportDefinition.Recipients;
import io.mailroute.reports.ReportDefinition.Schedule;
import io.mailroute.reports.ReportDefinition.Source;
import io.mailroute.reports.ReportDefinition.Template;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.RunWindow;
import io.mailroute.reports.Table;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reports, windows and table readers for the sources' tests. */
final class SourceFixtures {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** The week of 2026-03-02 in Berlin (UTC+1): Monday 00:00 to the next Monday 00:00. */
    static final RunWindow WEEK = new RunWindow(7, "2026-W10", Instant.parse("2026-03-01T23:00:00Z"),
            Instant.parse("2026-03-08T23:00:00Z"), BERLIN);

    private SourceFixtures() {
    }

    static ReportDefinition report(String id, Source source) {
        return report(id, source, null);
    }

    /** A report of {@code source}; perRecipient when {@code recipientParameter} is given. */
    static ReportDefinition report(String id, Source source, String recipientParameter) {
        return new ReportDefinition(id, "Title of " + id, "ops@acme.example", new Schedule("0 0 7 ? * MON", BERLIN), source,
                Format.CSV, new Recipients(List.of(), List.of("ops@acme.example"), false), recipientParameter != null,
                recipientParameter, Delivery.ATTACHMENT, ReportDefinition.DEFAULT_LINK_LIFETIME, false, new Template(null, "s"),
                new Template(null, "b"), Optional.empty(), "support", Map.of("", 3, "source.query", 9, "source.url", 9,
                        "source.directory", 9, "source.datasource", 9));
    }

    static ReportsConfig config(Map<String, ReportsConfig.Datasource> datasources) {
        return new ReportsConfig("config/reports.yaml", datasources, Map.of());
    }

    /** Reads the whole table: its columns first, then each row. */
    static List<List<String>> all(Table table) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(table.columns());
        table.rows().forEach(rows::add);
        return rows;
    }
}

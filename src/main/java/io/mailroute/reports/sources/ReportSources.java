package io.mailroute.reports.sources;

import io.mailroute.db.Database;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.FileSource;
import io.mailroute.reports.ReportDefinition.HttpSource;
import io.mailroute.reports.ReportDefinition.JdbcSource;
import io.mailroute.reports.ReportDefinition.SqlSource;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.RunWindow;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where a report's rows come from (issue 14, §1 Sources): the one place a run reads them.
 *
 * <pre>{@code
 * RenderedDocument document = sources.read(report, window, recipient,
 *         table -> documents.render(table, format, file));       // rows streamed from the source into the file
 * ...
 * sources.finished(report, window, true);                          // the run is DONE: a file source moves its file aside
 * }</pre>
 *
 * <ul>
 * <li>{@code sql}: the query over Mailroute's own database, {@code jdbc}: over a datasource of reports.yaml (a small
 *     read-only pool each); both read-only, streamed, cells as {@link QueryTables} describes;
 * <li>{@code http}: a GET of the URL as written, JSON ({@link JsonRows}) or CSV ({@link CsvRows}), within a size cap,
 *     redirects followed on the same host only ({@link HttpTables});
 * <li>{@code file}: a CSV file another system drops, picked up once by a run and moved aside when it is over
 *     ({@link DroppedFiles}).
 * </ul>
 *
 * Everything a source gives is untrusted text: cells are handed on as they are, and whoever shows them escapes them.
 * Every failure of the source, also one found mid-stream while the table is being rendered, comes out of
 * {@link #read} as a {@link SourceException} whose message names the report, the source and the row or line, and
 * says what to do: the run's reason, and what the owner is told.
 */
public final class ReportSources implements AutoCloseable {

    /** The most an HTTP source's answer may hold. */
    static final long MAX_HTTP_BYTES = 100L * 1024 * 1024;

    private final Database own;
    private final ReportsConfig config;
    private final ExternalDatabases external;
    private final HttpTables web;
    private final DroppedFiles files;

    /**
     * @param own         Mailroute's database: what {@code sql} sources read
     * @param config      reports.yaml: its datasources ({@code jdbc} sources), and its name for messages
     * @param environment where datasource passwords come from ({@code System::getenv})
     * @param http        the client of {@code http} sources; it must not follow redirects itself ({@link #httpClient()})
     * @param clock       for the names of files moved aside
     */
    public ReportSources(Database own, ReportsConfig config, Function<String, String> environment, HttpClient http, Clock clock) {
        this(own, config, environment, http, clock, MAX_HTTP_BYTES);
    }

    ReportSources(Database own, ReportsConfig config, Function<String, String> environment, HttpClient http, Clock clock,
            long maxHttpBytes) {
        this.own = Objects.requireNonNull(own, "own");
        this.config = Objects.requireNonNull(config, "config");
        this.external = new ExternalDatabases(config.datasources(), Objects.requireNonNull(environment, "environment"),
                config.source());
        this.web = new HttpTables(Objects.requireNonNull(http, "http"), maxHttpBytes);
        this.files = new DroppedFiles(Objects.requireNonNull(clock, "clock"));
    }

    /** The HTTP client {@code http} sources want: connects within 10 s, follows no redirect by itself. */
    public static HttpClient httpClient() {
        return HttpClient.newBuilder().connectTimeout(HttpTables.CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Reads the report's rows for one document and hands them to {@code use} as a table whose rows are lazy (streamed:
     * never all in memory, iterable once, only until {@code use} returns), closing everything afterwards.
     *
     * @param recipient the address bound to the report's recipientParameter (perRecipient reports), else null
     * @return what {@code use} returns
     * @throws SourceException the source failed, before or while {@code use} read the rows
     * @throws IOException     {@code use} failed of itself (writing the document)
     */
    public <T> T read(ReportDefinition report, RunWindow window, String recipient, TableReader<T> use)
            throws SourceException, IOException {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(use, "use");
        if (report.perRecipient() != (recipient != null)) {
            throw new IllegalArgumentException(report.perRecipient() ? "report '" + report.id() + "' is perRecipient: "
                    + "read it with a recipient's address" : "report '" + report.id() + "' is not perRecipient: it has "
                    + "no recipient to bind");
        }
        try {
            if (report.source() instanceof SqlSource sql) {
                return QueryTables.read(own.dataSource(), "Mailroute's database", report, sql.query(), queryWhere(report),
                        window, recipient, use);
            }
            if (report.source() instanceof JdbcSource jdbc) {
                return QueryTables.read(external.pool(report, jdbc.datasource()), "datasource '" + jdbc.datasource() + "'",
                        report, jdbc.query(), queryWhere(report), window, recipient, use);
            }
            if (report.source() instanceof HttpSource http) {
                return web.read(report, http, use);
            }
            if (report.source() instanceof ReportDefinition.DigestSource) {
                throw new IllegalArgumentException("report '" + report.id() + "' is a digest: io.mailroute.reports.digest "
                        + "computes it, it has no rows to read");
            }
            return files.read(report, (FileSource) report.source(), window, use);
        } catch (RuntimeException | IOException e) {
            SourceException source = SourceException.foundIn(e);
            if (source != null) {
                throw source;
            }
            throw e;
        }
    }

    /** File sources only: after the run is DONE or FAILED for good, moves its file aside (else nothing). */
    public void finished(ReportDefinition report, RunWindow window, boolean succeeded) throws SourceException {
        if (report.source() instanceof FileSource file) {
            files.finished(report, file, window, succeeded);
        }
    }

    /** Closes the external datasources' pools. */
    @Override
    public void close() {
        external.close();
    }

    private String queryWhere(ReportDefinition report) {
        return config.source() + " line " + report.lineOf("source.query") + ", source.query";
    }
}

package io.mailroute.reports.sources;

import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.HttpSource;
import io.mailroute.reports.ReportDefinition.TableFormat;
import io.mailroute.reports.Table;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * An HTTP source: a GET of the report's URL, exactly as written, whose answer is read as the table while it arrives
 * (JSON or CSV). The other system's answer is untrusted: it is read within a size cap, and a redirect is followed only
 * on the same host (never from https to http), so a source cannot send the service elsewhere. The client must not
 * follow redirects itself ({@link ReportSources#httpClient()}).
 */
final class HttpTables {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    static final int MAX_REDIRECTS = 5;
    private static final int ERROR_BODY_CHARS = 200;
    private static final String FIX = "Have the system behind the URL fix its answer (or correct source.url), then run the "
            + "report again";

    private final HttpClient http;
    private final long maxBytes;

    HttpTables(HttpClient http, long maxBytes) {
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("the report sources' HTTP client must not follow redirects itself "
                    + "(they follow them on the same host only): build it with ReportSources.httpClient()");
        }
        this.http = http;
        this.maxBytes = maxBytes;
    }

    <T> T read(ReportDefinition report, HttpSource source, TableReader<T> use) throws SourceException, IOException {
        boolean json = source.format() == TableFormat.JSON;
        HttpResponse<InputStream> answer = get(report, source.url(), json ? "application/json" : "text/csv");
        String origin = "report '" + report.id() + "': the " + (json ? "JSON" : "CSV") + " answered by " + answer.uri();
        try (InputStream body = new Capped(answer.body(), maxBytes, origin)) {
            Table table = json ? JsonRows.table(report.title(), body, origin, FIX)
                    : CsvRows.table(report.title(), body, charset(answer, origin), origin, FIX);
            return use.read(table);
        }
    }

    /** The 2xx answer to a GET of {@code url}, following redirects on the same host. */
    private HttpResponse<InputStream> get(ReportDefinition report, URI url, String accept) throws SourceException {
        String failed = "report '" + report.id() + "': the GET of " + url + " (source.url, " + report.where("source.url") + ")";
        URI current = url;
        for (int redirects = 0; ; redirects++) {
            HttpRequest request = HttpRequest.newBuilder(current).timeout(REQUEST_TIMEOUT).header("Accept", accept + ", */*;q=0.5")
                    .GET().build();
            HttpResponse<InputStream> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpTimeoutException e) {
                throw new SourceException(failed + " got no answer within " + REQUEST_TIMEOUT.toSeconds() + " s (connecting: "
                        + CONNECT_TIMEOUT.toSeconds() + " s). Check that the system behind it is up, then run the report again", e);
            } catch (IOException e) {
                throw new SourceException(failed + " failed: " + e + ". Check the URL and that the system behind it is up "
                        + "and reachable, then run the report again", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SourceException(failed + " was interrupted (the service is stopping)", e);
            }
            int status = response.statusCode();
            if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
                close(response);
                URI next = current.resolve(response.headers().firstValue("Location").get().strip());
                if (!sameHost(current, next)) {
                    throw new SourceException(failed + " was redirected (" + status + ") to " + next + ", another host "
                            + (next.getHost() == null ? "" : "or scheme ") + "than " + current.getHost()
                            + ": a report follows redirects on its own host only. Write the URL it should read in source.url");
                }
                if (redirects == MAX_REDIRECTS) {
                    throw new SourceException(failed + " was redirected more than " + MAX_REDIRECTS + " times (last to "
                            + next + "). Write the URL it should read in source.url");
                }
                current = next;
                continue;
            }
            if (status < 200 || status > 299) {
                throw new SourceException(failed + " answered HTTP " + status + (current.equals(url) ? "" : " (at " + current
                        + ")") + ": " + start(response) + ". " + FIX);
            }
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            if (length.isPresent() && length.getAsLong() > maxBytes) {
                close(response);
                throw new SourceException(tooLarge(failed + "'s answer", length.getAsLong() + " bytes"));
            }
            return response;
        }
    }

    /** The same host (and not from https down to http): where a redirect may go. */
    static boolean sameHost(URI from, URI to) {
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        return to.getHost() != null && to.getHost().equalsIgnoreCase(from.getHost())
                && (scheme.equals("https") || scheme.equals("http") && "http".equalsIgnoreCase(from.getScheme()));
    }

    private String tooLarge(String what, String size) {
        long mib = 1024 * 1024;
        String cap = maxBytes % mib == 0 ? maxBytes / mib + " MiB" : maxBytes + " bytes";
        return what + " is larger (" + size + ") than the " + cap + " a report reads. Have the "
                + "system behind the URL answer with less (a narrower export), then run the report again";
    }

    /** The answer's first characters, on one line: what the other system said went wrong. */
    private static String start(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            String text = new String(body.readNBytes(ERROR_BODY_CHARS * 4), StandardCharsets.UTF_8);
            text = text.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
            if (text.isEmpty()) {
                return "(no body)";
            }
            return "\"" + (text.length() > ERROR_BODY_CHARS ? text.substring(0, ERROR_BODY_CHARS) + "..." : text) + "\"";
        } catch (IOException e) {
            return "(its body could not be read: " + e.getMessage() + ")";
        }
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException e) {
            // nothing more is read from it
        }
    }

    /** The CSV's character set: the Content-Type's charset, else UTF-8. */
    private static Charset charset(HttpResponse<InputStream> response, String origin) throws SourceException {
        String type = response.headers().firstValue("Content-Type").orElse("");
        for (String parameter : type.split(";")) {
            String[] pair = parameter.strip().split("=", 2);
            if (pair.length == 2 && pair[0].strip().equalsIgnoreCase("charset")) {
                String name = pair[1].strip().replace("\"", "");
                try {
                    return Charset.forName(name);
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    throw new SourceException(origin + " is in the character set '" + name + "', which Java does not "
                            + "know. " + FIX, e);
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** Reads at most {@code max} bytes, then fails the run (through the parser, as the rows' iterator does). */
    private final class Capped extends FilterInputStream {
        private final long max;
        private final String origin;
        private long count;

        Capped(InputStream in, long max, String origin) {
            super(in);
            this.max = max;
            this.origin = origin;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            counted(skipped);
            return skipped;
        }

        private void counted(long n) {
            count += n;
            if (count > max) {
                throw new SourceException(tooLarge(origin, "more than " + max + " bytes")).unchecked();
            }
        }
    }
}

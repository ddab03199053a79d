package io.mailroute.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.audit.AuditSource;
import io.mailroute.audit.AuditVerifier;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.io.IOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code audit} command's trail: the running service's {@code /api/audit/...} when it answers,
 * else the database, opened only then (an H2 file the service holds cannot be opened twice).
 */
public final class ServiceAuditSource implements AuditSource, AutoCloseable {

    private static final ObjectMapper JSON = Json.newMapper();
    private static final int PAGE = 500;

    private final ServiceClient service;
    private final Settings settings;
    private Database db;

    public ServiceAuditSource(Settings settings) {
        this.settings = settings;
        this.service = new ServiceClient(settings, System::getenv);
    }

    @Override
    public AuditVerifier.Result verify() {
        Optional<HttpResponse<String>> answer = call("/audit/verify", Duration.ofMinutes(10));
        if (answer.isEmpty()) {
            return AuditSource.of(database()).verify();
        }
        JsonNode result = read(answer.get());
        return new AuditVerifier.Result(result.path("intact").asBoolean(), result.path("recordsChecked").asLong(),
                result.hasNonNull("firstBadSeq") ? result.get("firstBadSeq").asLong() : null,
                result.path("problem").asText(null), result.path("headHash").asText(null));
    }

    @Override
    public long export(Instant from, Instant to, String mailbox, Writer out) throws IOException {
        String window = "/audit/records?from=" + encode(from.toString()) + "&to=" + encode(to.toString())
                + (mailbox == null ? "" : "&mailbox=" + encode(mailbox)) + "&limit=" + PAGE;
        long count = 0;
        String after = "0";
        while (after != null) {
            Optional<HttpResponse<String>> answer = call(window + "&after=" + after, Duration.ofSeconds(60));
            if (answer.isEmpty()) {
                if (count > 0) {
                    throw new UnavailableException("the service stopped during the export, after " + count
                            + " records; run it again");
                }
                return AuditSource.of(database()).export(from, to, mailbox, out);
            }
            JsonNode page = read(answer.get());
            for (JsonNode record : page.path("items")) {
                out.write(JSON.writeValueAsString(record));
                out.write('\n');
                count++;
            }
            after = page.hasNonNull("next") ? page.get("next").asText() : null;
        }
        out.flush();
        return count;
    }

    private Optional<HttpResponse<String>> call(String path, Duration timeout) {
        try {
            Optional<HttpResponse<String>> answer = service.call("GET", path, null, timeout);
            if (answer.isPresent() && answer.get().statusCode() != 200) {
                throw new UnavailableException("the running service answered HTTP " + answer.get().statusCode() + ": "
                        + read(answer.get()).path("error").path("message").asText(answer.get().body()));
            }
            return answer;
        } catch (ServiceClient.RefusedException e) {
            throw new UnavailableException(e.getMessage());
        } catch (IOException e) {
            throw new UnavailableException("the running service at " + service.base() + " could not be read: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        }
    }

    private static JsonNode read(HttpResponse<String> answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new UnavailableException("the running service answered something that is not JSON (HTTP " + answer.statusCode() + ")");
        }
    }

    private Database database() {
        if (db == null) {
            db = Configs.openDatabase(settings);
        }
        return db;
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}

package io.mailroute.reports.digest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import io.mailroute.text.PlainTextMustache;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a digest's email body, text and HTML, from the recipient's {@link Digest} and the templates
 * {@value #TEXT} (no escaping) and {@value #HTML} (every value HTML-escaped by Mustache) of the templates directory.
 * The model: {@code report}, {@code period} (as the report's templates have them), {@code intro} (the report's
 * {@code body:}, when it has one), {@code scope} ({@code everything}, {@code queues}), {@code activity} ({@code rows},
 * {@code total}) and {@code engagement} ({@code channels}, {@code people}), each section absent when not asked for.
 */
public final class DigestMail {

    public static final String TEXT = "digest.txt.mustache";
    public static final String HTML = "digest.html.mustache";

    /** The two parts of the body. */
    public record Body(String text, String html) {
    }

    private final DefaultMustacheFactory html;
    private final DefaultMustacheFactory text;
    private final ObjectMapper json;

    public DigestMail(File templatesDir, ObjectMapper json) {
        this.json = json;
        this.html = new DefaultMustacheFactory(templatesDir);
        this.text = PlainTextMustache.in(templatesDir);
    }

    /** The digest kept at {@code file} (a run's document). */
    public Digest read(Path file) throws IOException {
        return json.readValue(Files.readAllBytes(file), Digest.class);
    }

    /**
     * The body of the digest.
     *
     * @param base the report's model ({@code report}, {@code period}), added to
     * @param intro the report's body text, rendered, or null
     */
    public Body write(Digest digest, Map<String, Object> base, String intro) {
        Map<String, Object> model = model(digest, base, intro);
        return new Body(render(text, TEXT, model), render(html, HTML, model));
    }

    static Map<String, Object> model(Digest digest, Map<String, Object> base, String intro) {
        Map<String, Object> model = new LinkedHashMap<>(base);
        if (intro != null && !intro.isBlank()) {
            model.put("intro", intro.strip());
        }
        model.put("scope", Map.of("everything", digest.everything(), "queues", String.join(", ", digest.queues())));
        if (digest.mailboxes() != null && !digest.mailboxes().isEmpty()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Digest.MailboxExceptions row : digest.mailboxes()) {
                rows.add(Map.of("mailbox", row.mailbox(), "quarantined", row.quarantined(),
                        "connectionBreaks", row.connectionBreaks()));
            }
            model.put("mailboxes", Map.of("rows", rows));
        }
        if (digest.activity() != null) {
            List<Map<String, Object>> rows = new ArrayList<>();
            Digest.QueueActivity total = new Digest.QueueActivity("Total", 0, 0, 0, 0, 0, 0);
            for (Digest.QueueActivity row : digest.activity()) {
                rows.add(activity(row));
                total = total.plus(row);
            }
            model.put("activity", Map.of("rows", rows, "total", activity(total)));
        }
        if (digest.byChannel() != null) {
            model.put("engagement", Map.of("channels", engagement(digest.byChannel()), "people", engagement(digest.byPerson()),
                    "none", digest.byChannel().isEmpty()));
        }
        return model;
    }

    private static Map<String, Object> activity(Digest.QueueActivity row) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queue", row.queue());
        out.put("opened", row.opened());
        out.put("resolved", row.resolved());
        out.put("slaBreaches", row.slaBreaches());
        out.put("escalations", row.escalations());
        out.put("approvalsDecided", row.approvalsDecided());
        out.put("failedDeliveries", row.failedDeliveries());
        return out;
    }

    private static List<Map<String, Object>> engagement(List<Digest.Engagement> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Digest.Engagement row : rows == null ? List.<Digest.Engagement>of() : rows) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", row.name());
            one.put("sent", row.sent());
            one.put("opened", row.opened());
            one.put("acted", row.acted());
            one.put("ignored", row.ignored());
            out.add(one);
        }
        return out;
    }

    private static String render(DefaultMustacheFactory factory, String template, Map<String, Object> model) {
        Mustache mustache = factory.compile(template);
        StringWriter out = new StringWriter();
        mustache.execute(out, model);
        return out.toString();
    }
}

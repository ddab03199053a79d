package io.mailroute.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.config.MailboxSettings;
import io.mailroute.connection.MailboxConnection;
import io.mailroute.connection.TokenStore;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.gmail.MailboxStates;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The read side of the HTTP API ({@code routes/api.camel.yaml} wires it). Lists page by id:
 * {@code after} is the last id the caller saw, {@code next} in the answer is the one to send back.
 */
public final class ApiQueries {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private static final String MESSAGES = """
            SELECT id, mailbox_id, gmail_id, thread_id, status, quarantine_reason, message_id_header, subject,
                   from_address, from_name, sent_at, ingested_at, size_bytes, dkim, spf, dmarc,
                   (SELECT COUNT(*) FROM attachment a WHERE a.message_id = m.id) AS attachment_count
            FROM mail_message m
            WHERE id > :after AND (:mailbox IS NULL OR mailbox_id = :mailbox) AND (:status IS NULL OR status = :status)
            ORDER BY id
            LIMIT :limit""";
    private static final String MESSAGE = """
            SELECT id, mailbox_id, gmail_id, thread_id, history_id, status, quarantine_reason, message_id_header,
                   in_reply_to, references_header, subject, from_address, from_name, from_others, to_addresses, cc_addresses,
                   reply_to, label_ids, sent_at, internal_date, ingested_at, size_bytes, raw_sha256, text_body,
                   html_body, dkim, spf, dmarc
            FROM mail_message WHERE id = :id""";
    private static final String ATTACHMENTS = """
            SELECT filename, content_type, size_bytes, sha256, inline_part, content_id, undecodable_reason
            FROM attachment WHERE message_id = :id ORDER BY position""";

    private final Database db;
    private final EventLog events;
    private final MailboxStates states;
    private final ObjectMapper json;
    private java.util.function.Supplier<Map<String, MailboxConnection.Source>> sources = Map::of;
    private TokenStore tokens;
    private Map<String, MailboxSettings> mailboxes = Map.of();

    public ApiQueries(Database db, EventLog events, MailboxStates states, ObjectMapper json) {
        this.db = db;
        this.events = events;
        this.states = states;
        this.json = json;
    }

    public ObjectNode messages(@Header("mailbox") String mailbox, @Header("status") String status,
            @Header("after") String after, @Header("limit") String limit) {
        int max = limit(limit);
        MapSqlParameterSource params = new MapSqlParameterSource("after", after(after))
                .addValue("mailbox", blankToNull(mailbox), Types.VARCHAR)
                .addValue("status", blankToNull(status) == null ? null : status.toUpperCase(), Types.VARCHAR)
                .addValue("limit", max);
        List<ObjectNode> rows = db.jdbc().query(MESSAGES, params, (rs, n) -> {
            ObjectNode summary = messageSummary(rs);
            summary.put("attachmentCount", rs.getInt("attachment_count"));
            return summary;
        });
        return page(rows, max, rows.isEmpty() ? null : rows.get(rows.size() - 1).get("id").asLong());
    }

    /** One message with bodies and attachments, or a 404 answer. */
    public ObjectNode message(@Header("id") String id, Exchange exchange) {
        long key;
        try {
            key = Long.parseLong(id);
        } catch (NumberFormatException e) {
            return error(exchange, 400, "message id must be a number, got '" + id + "'");
        }
        List<ObjectNode> rows = db.jdbc().query(MESSAGE, Map.of("id", key), (rs, n) -> messageDetail(rs));
        if (rows.isEmpty()) {
            return error(exchange, 404, "no message with id " + key);
        }
        ObjectNode message = rows.get(0);
        ArrayNode attachments = message.putArray("attachments");
        db.jdbc().query(ATTACHMENTS, Map.of("id", key), rs -> {
            attachments.addObject()
                    .put("filename", rs.getString("filename"))
                    .put("contentType", rs.getString("content_type"))
                    .put("size", rs.getLong("size_bytes"))
                    .put("sha256", rs.getString("sha256"))
                    .put("inline", rs.getBoolean("inline_part"))
                    .put("contentId", rs.getString("content_id"))
                    .put("undecodable", rs.getString("undecodable_reason"));
        });
        return message;
    }

    public ObjectNode events(@Header("type") String type, @Header("mailbox") String mailbox,
            @Header("after") String after, @Header("limit") String limit) {
        int max = limit(limit);
        long from = after(after);
        // Never hand out a page past a young seq gap: the caller would step over an event still committing.
        long horizon = events.horizon(from, max * 10, java.time.Instant.now().minusSeconds(5));
        String wanted = blankToNull(type);
        List<Event> page = events.page(from, horizon, wanted == null ? java.util.Set.of() : java.util.Set.of(wanted),
                blankToNull(mailbox), max);
        ArrayNode items = json.createArrayNode();
        for (Event event : page) {
            ObjectNode item = items.addObject().put("seq", event.seq());
            item.setAll((ObjectNode) parse(event.json()));
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("items", items);
        answer.put("next", page.size() == max ? page.get(page.size() - 1).seq() : null);
        answer.put("horizon", horizon);
        return answer;
    }

    public ObjectNode mailboxes() {
        return MailboxReport.of(json, states.all(), tokens == null ? List.of() : tokens.summaries(), mailboxes,
                id -> sources.get().getOrDefault(id, MailboxConnection.Source.NONE));
    }

    /** Adds each mailbox's connection (grant source, scopes, token age) to {@link #mailboxes()}. */
    public ApiQueries withConnections(java.util.function.Supplier<Map<String, MailboxConnection.Source>> sources,
            TokenStore tokens, Map<String, MailboxSettings> mailboxes) {
        this.sources = sources;
        this.tokens = tokens;
        this.mailboxes = mailboxes;
        return this;
    }

    /** Error handler of the API routes: a bad parameter, said plainly. */
    public ObjectNode badRequest(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return error(exchange, 400, error == null ? "bad request" : error.getMessage());
    }

    /** Error handler of the API routes: details go to the log, not to the caller. */
    public ObjectNode serverError(Exchange exchange) {
        return error(exchange, 500, "internal error; see the service log");
    }

    /** Error handler of the API routes while the database is closed and being reopened: 503, saying why. */
    public ObjectNode databaseClosed(Exchange exchange) {
        return error(exchange, 503, db.outage().map(o -> "the database is closed for now: " + o.summary())
                .orElse("the database is closed for now; try again shortly"));
    }

    private ObjectNode page(List<ObjectNode> rows, int limit, Long last) {
        ObjectNode answer = json.createObjectNode();
        answer.set("items", json.valueToTree(rows));
        answer.put("next", rows.size() == limit ? last : null);
        return answer;
    }

    private ObjectNode messageSummary(ResultSet rs) throws SQLException {
        ObjectNode node = json.createObjectNode()
                .put("id", rs.getLong("id"))
                .put("mailbox", rs.getString("mailbox_id"))
                .put("gmailId", rs.getString("gmail_id"))
                .put("threadId", rs.getString("thread_id"))
                .put("status", rs.getString("status"))
                .put("quarantineReason", rs.getString("quarantine_reason"))
                .put("messageIdHeader", rs.getString("message_id_header"))
                .put("subject", rs.getString("subject"))
                .put("sentAt", text(rs.getTimestamp("sent_at")))
                .put("ingestedAt", text(rs.getTimestamp("ingested_at")))
                .put("sizeBytes", rs.getLong("size_bytes"));
        node.set("from", from(rs));
        node.putObject("authentication")
                .put("dkim", rs.getString("dkim"))
                .put("spf", rs.getString("spf"))
                .put("dmarc", rs.getString("dmarc"));
        return node;
    }

    private ObjectNode messageDetail(ResultSet rs) throws SQLException {
        ObjectNode node = messageSummary(rs)
                .put("historyId", rs.getString("history_id"))
                .put("inReplyTo", rs.getString("in_reply_to"))
                .put("internalDate", text(rs.getTimestamp("internal_date")))
                .put("rawSha256", rs.getString("raw_sha256"))
                .put("textBody", rs.getString("text_body"))
                .put("htmlBody", rs.getString("html_body"));
        String references = rs.getString("references_header");
        ArrayNode refs = node.putArray("references");
        if (references != null && !references.isBlank()) {
            for (String ref : references.trim().split("\\s+")) {
                refs.add(ref);
            }
        }
        String fromOthers = rs.getString("from_others");
        node.set("fromOthers", fromOthers == null ? json.createArrayNode() : parse(fromOthers));
        node.set("to", parse(rs.getString("to_addresses")));
        node.set("cc", parse(rs.getString("cc_addresses")));
        node.set("replyTo", parse(rs.getString("reply_to")));
        node.set("labels", parse(rs.getString("label_ids")));
        return node;
    }

    private ObjectNode from(ResultSet rs) throws SQLException {
        String address = rs.getString("from_address");
        return address == null ? null : json.createObjectNode().put("address", address).put("name", rs.getString("from_name"));
    }

    private ObjectNode error(Exchange exchange, int status, String message) {
        return ApiErrors.error(json, exchange, status, message);
    }

    private JsonNode parse(String text) {
        if (text == null) {
            return json.nullNode();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON is unreadable", e);
        }
    }

    /**
     * The {@code limit} of every list endpoint: a whole number from 1 to {@link #MAX_LIMIT}, {@link #DEFAULT_LIMIT}
     * when absent. Anything else is refused (a 400 naming it), never quietly bent into range.
     */
    public static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        long limit = wholeNumber(text);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + text + "'");
        }
        return (int) limit;
    }

    /** The {@code after} of every list endpoint: the id or seq of the last item seen ({@code next}), 0 or more. */
    public static long after(String text) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        long after = wholeNumber(text);
        if (after < 0) {
            throw new IllegalArgumentException("after must be 0 or the id or seq of the last item seen (the answer's next), got '"
                    + text + "'");
        }
        return after;
    }

    /** Digits only (no sign, no fraction); -1 for anything else, which both parameters refuse. */
    private static long wholeNumber(String text) {
        String digits = text.trim();
        if (!digits.matches("\\d{1,18}")) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    private static String text(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant().toString();
    }
}

package io.mailroute.console.work;

import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The messages of an item as the console shows them (their bodies and attachments, as intake stored them) and one
 * attachment to download; named parameters only. Everything in them came from an email: untrusted text.
 */
final class ItemMessages {

    /** A message of an item: the one that opened it (CREATED) or a REPLY, with its bodies and attachments. */
    record Message(long id, String relation, String subject, String fromName, String fromAddress, Instant sentAt,
            Instant ingestedAt, String textBody, String htmlBody, List<Attachment> attachments) {
    }

    /** An attachment's row: {@code sha256} names its file in the attachment store. */
    record Attachment(long id, long messageId, String filename, String contentType, long size, String sha256) {
    }

    private static final String MESSAGES = """
            SELECT m.id, t.outcome, m.subject, m.from_name, m.from_address, m.sent_at, m.ingested_at, m.text_body, m.html_body
            FROM message_triage t JOIN mail_message m ON m.id = t.message_id
            WHERE t.item_id = :id ORDER BY m.id""";
    private static final String ATTACHMENTS = """
            SELECT id, message_id, filename, content_type, size_bytes, sha256 FROM attachment
            WHERE message_id IN (:ids) ORDER BY message_id, position""";
    private static final String ATTACHMENT = """
            SELECT id, message_id, filename, content_type, size_bytes, sha256 FROM attachment WHERE id = :id""";

    private final Database db;

    ItemMessages(Database db) {
        this.db = db;
    }

    List<Message> of(long itemId) {
        Map<Long, Message> messages = new LinkedHashMap<>();
        db.jdbc().query(MESSAGES, Map.of("id", itemId), rs -> {
            messages.put(rs.getLong("id"), new Message(rs.getLong("id"), rs.getString("outcome"), rs.getString("subject"),
                    rs.getString("from_name"), rs.getString("from_address"), instant(rs.getTimestamp("sent_at")),
                    instant(rs.getTimestamp("ingested_at")), rs.getString("text_body"), rs.getString("html_body"),
                    new java.util.ArrayList<>()));
        });
        if (!messages.isEmpty()) {
            db.jdbc().query(ATTACHMENTS, new MapSqlParameterSource("ids", messages.keySet()),
                    (rs, n) -> attachment(rs)).forEach(a -> messages.get(a.messageId()).attachments().add(a));
        }
        return List.copyOf(messages.values());
    }

    Optional<Attachment> attachment(long id) {
        return db.jdbc().query(ATTACHMENT, Map.of("id", id), (rs, n) -> attachment(rs)).stream().findFirst();
    }

    private static Attachment attachment(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Attachment(rs.getLong("id"), rs.getLong("message_id"), rs.getString("filename"),
                rs.getString("content_type"), rs.getLong("size_bytes"), rs.getString("sha256"));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}

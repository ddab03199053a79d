package io.mailroute.gmail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.gmail.mime.AttachmentRef;
import io.mailroute.gmail.mime.ParsedMail;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/**
 * Writes ingested and quarantined messages. Inserts are idempotent on (mailbox, gmail id): the
 * unique key is the last line of defence when a crash lets a message be fetched twice.
 * Call inside a transaction.
 */
public final class MessageStore {

    private static final String INSERT_MESSAGE = """
            INSERT INTO mail_message (mailbox_id, gmail_id, thread_id, history_id, status, quarantine_reason,
                message_id_header, in_reply_to, references_header, subject, from_address, from_name, from_others,
                to_addresses, cc_addresses, reply_to, label_ids, sent_at, internal_date, ingested_at,
                size_bytes, raw_sha256, text_body, html_body, dkim, spf, dmarc, extra_headers, dkim_pass_domains,
                dmarc_pass_domains)
            VALUES (:mailbox, :gmailId, :threadId, :historyId, :status, :reason,
                :messageIdHeader, :inReplyTo, :references, :subject, :fromAddress, :fromName, :fromOthers,
                :to, :cc, :replyTo, :labels, :sentAt, :internalDate, :ingestedAt,
                :size, :rawSha256, :text, :html, :dkim, :spf, :dmarc, :extraHeaders, :dkimPassDomains,
                :dmarcPassDomains)
            ON CONFLICT DO NOTHING""";
    private static final String INSERT_ATTACHMENT = """
            INSERT INTO attachment (message_id, position, filename, content_type, size_bytes, sha256, inline_part, content_id,
                undecodable_reason)
            VALUES (:messageId, :position, :filename, :contentType, :size, :sha256, :inline, :contentId, :undecodable)""";

    /** What Gmail told us about the message besides its bytes. */
    public record GmailMeta(String mailbox, String gmailId, String threadId, String historyId, List<String> labelIds,
            Instant internalDate, long sizeBytes, String rawSha256) {
    }

    private final Database db;
    private final ObjectMapper json;

    public MessageStore(Database db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    /** @return the new row's id, or null when this (mailbox, gmail id) is already stored */
    public Long insertIngested(GmailMeta meta, ParsedMail mail, Instant now) {
        MapSqlParameterSource params = common(meta, now)
                .addValue("status", "INGESTED")
                .addValue("reason", null)
                .addValue("messageIdHeader", mail.messageId())
                .addValue("inReplyTo", mail.inReplyTo())
                .addValue("references", String.join(" ", mail.references()))
                .addValue("subject", mail.subject())
                .addValue("fromAddress", mail.from() == null ? null : mail.from().address())
                .addValue("fromName", mail.from() == null ? null : mail.from().displayName())
                .addValue("fromOthers", toJson(mail.fromOthers()))
                .addValue("to", toJson(mail.to()))
                .addValue("cc", toJson(mail.cc()))
                .addValue("replyTo", toJson(mail.replyTo()))
                .addValue("sentAt", mail.date() == null ? null : Timestamp.from(mail.date()))
                .addValue("text", mail.textBody())
                .addValue("html", mail.htmlBody())
                .addValue("dkim", mail.authentication().dkim())
                .addValue("spf", mail.authentication().spf())
                .addValue("dmarc", mail.authentication().dmarc())
                .addValue("extraHeaders", toJson(mail.extraHeaders()))
                .addValue("dkimPassDomains", toJson(mail.authentication().dkimPassDomains()))
                .addValue("dmarcPassDomains", toJson(mail.authentication().dmarcPassDomains()));
        Long id = insert(params);
        if (id != null) {
            List<AttachmentRef> attachments = mail.attachments();
            for (int i = 0; i < attachments.size(); i++) {
                AttachmentRef a = attachments.get(i);
                db.jdbc().update(INSERT_ATTACHMENT, new MapSqlParameterSource("messageId", id)
                        .addValue("position", i)
                        .addValue("filename", a.filename())
                        .addValue("contentType", a.contentType())
                        .addValue("size", a.size())
                        .addValue("sha256", a.sha256())
                        .addValue("inline", a.inline())
                        .addValue("contentId", a.contentId())
                        .addValue("undecodable", bounded(a.undecodable())));
            }
        }
        return id;
    }

    /** @return the new row's id, or null when this (mailbox, gmail id) is already stored */
    public Long insertQuarantined(GmailMeta meta, String reason, Instant now) {
        return insertWithoutContent(meta, "QUARANTINED", reason, now);
    }

    /**
     * Records a message we chose not to ingest (excluded label, our own outbound mail), so the
     * idempotent repository knows it and it is never fetched again.
     */
    public Long insertSkipped(GmailMeta meta, String reason, Instant now) {
        return insertWithoutContent(meta, "SKIPPED", reason, now);
    }

    private Long insertWithoutContent(GmailMeta meta, String status, String reason, Instant now) {
        MapSqlParameterSource params = common(meta, now)
                .addValue("status", status)
                .addValue("reason", bounded(reason));
        for (String column : List.of("messageIdHeader", "inReplyTo", "references", "subject", "fromAddress",
                "fromName", "fromOthers", "to", "cc", "replyTo", "sentAt", "text", "html", "dkim", "spf", "dmarc", "extraHeaders",
                "dkimPassDomains", "dmarcPassDomains")) {
            params.addValue(column, null);
        }
        return insert(params);
    }

    /** Reasons are ours but may quote the message; the columns hold 2000 characters. */
    private static String bounded(String reason) {
        return reason == null || reason.length() <= 2000 ? reason : reason.substring(0, 2000);
    }

    private MapSqlParameterSource common(GmailMeta meta, Instant now) {
        return new MapSqlParameterSource("mailbox", meta.mailbox())
                .addValue("gmailId", meta.gmailId())
                .addValue("threadId", meta.threadId())
                .addValue("historyId", meta.historyId())
                .addValue("labels", toJson(meta.labelIds()))
                .addValue("internalDate", meta.internalDate() == null ? null : Timestamp.from(meta.internalDate()))
                .addValue("ingestedAt", Timestamp.from(now))
                .addValue("size", meta.sizeBytes())
                .addValue("rawSha256", meta.rawSha256());
    }

    private Long insert(MapSqlParameterSource params) {
        KeyHolder keys = new GeneratedKeyHolder();
        int rows = db.jdbc().update(INSERT_MESSAGE, params, keys, new String[] {"id"});
        return rows == 0 ? null : keys.getKey().longValue();
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value == null ? List.of() : value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

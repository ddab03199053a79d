package io.mailroute.gmail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.services.gmail.model.Message;
import io.mailroute.audit.AuditTrail;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.files.OwnerOnly;
import io.mailroute.gmail.mime.AttachmentRef;
import io.mailroute.gmail.mime.MailAddress;
import io.mailroute.gmail.mime.MalformedMailException;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.gmail.mime.ParsedMail;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one Gmail message (format RAW) into a committed {@code mail_message} row and its
 * {@code message.received} event, or, when it cannot be read, a quarantined row, its raw bytes
 * under {@code data/quarantine/} and a {@code message.quarantined} event. Never throws for bad
 * mail: a poison message must not stop its mailbox.
 */
public final class MessageIngest {

    public static final String MAILBOX_HEADER = "MailrouteMailbox";
    public static final String ORIGIN_HEADER = "X-Mailroute-Origin";
    private static final Logger LOG = LoggerFactory.getLogger(MessageIngest.class);
    private static final int PREVIEW_CHARS = 280;

    private final Database db;
    private final MessageStore store;
    private final EventLog events;
    private final AuditTrail audit;
    private final MimeParser parser;
    private final Map<String, MailboxSettings> mailboxes;
    private final Path quarantineDir;
    private final long maxMessageBytes;
    private final ObjectMapper json;
    private final Clock clock;
    private java.util.function.Consumer<String> stored = mailboxId -> { };

    public MessageIngest(Database db, EventLog events, AuditTrail audit, MimeParser parser, Map<String, MailboxSettings> mailboxes,
            Path quarantineDir, long maxMessageBytes, ObjectMapper json, Clock clock) {
        this.db = db;
        this.store = new MessageStore(db, json);
        this.events = events;
        this.audit = audit;
        this.parser = parser;
        this.mailboxes = mailboxes;
        this.quarantineDir = quarantineDir;
        this.maxMessageBytes = maxMessageBytes;
        this.json = json;
        this.clock = clock;
    }

    /** Told the mailbox each time one of its messages is stored (a poll that stores mail is making progress). */
    public MessageIngest reportingStoredTo(java.util.function.Consumer<String> listener) {
        this.stored = listener;
        return this;
    }

    /**
     * @return the committed event, or null when the message is skipped (excluded label, our own
     *     outbound mail) or was already stored
     */
    public Event ingest(@Header(MAILBOX_HEADER) String mailboxId, @Body RawMessage message) {
        try (message) {
            Event event = store(mailboxId, message);
            stored.accept(mailboxId);
            return event;
        }
    }

    /** The same for the client library's parsed message (its raw text decoded in memory). */
    public Event ingest(@Header(MAILBOX_HEADER) String mailboxId, @Body Message message) {
        return ingest(mailboxId, RawMessage.of(message));
    }

    private Event store(String mailboxId, RawMessage raw) {
        MailboxSettings mailbox = mailboxes.get(mailboxId);
        RawMessage.Meta gmail = raw.meta();
        List<String> labels = gmail.labelIds();
        MessageStore.GmailMeta meta = new MessageStore.GmailMeta(mailboxId, gmail.id(), gmail.threadId(), gmail.historyId(),
                labels, gmail.internalDate() == null ? null : Instant.ofEpochMilli(gmail.internalDate()), raw.size(),
                raw.sha256());
        if (isExcluded(labels, mailbox.excludeLabels())) {
            return skip(meta, "excluded label among " + labels);
        }
        if (raw.undecodable() != null) {
            return quarantine(meta, raw, "Mailbox " + mailboxId + ", message " + gmail.id() + ": " + raw.undecodable()
                    + " (the " + raw.size() + " bytes decoded before it are kept)");
        }
        if (raw.size() == 0) {
            return quarantine(meta, raw, "Gmail returned no raw content for the message");
        }
        if (raw.size() > maxMessageBytes) {
            return quarantine(meta, raw, "message is " + raw.size() + " bytes, over the limit of " + maxMessageBytes
                    + " (mailroute.intake.max-message-bytes)");
        }
        ParsedMail mail;
        try (InputStream in = raw.open()) {
            mail = parser.parse(in, raw.size());
        } catch (IOException e) {
            throw new UncheckedIOException("Mailbox " + mailboxId + ": cannot read message " + gmail.id() + " fetched to "
                    + "disk (" + e.getMessage() + "); it is fetched again on a later poll", e);
        } catch (MalformedMailException e) {
            return quarantine(meta, raw, e.getMessage());
        } catch (UncheckedIOException e) {
            // The attachment store could not write (a full disk): not the message's fault. The poll fails and the
            // message is fetched again from the unchanged cursor once the disk takes writes.
            throw e;
        } catch (RuntimeException e) {
            // A parser bug must not block the mailbox either; the bytes are kept for the fix.
            return quarantine(meta, raw, "unexpected parser failure: " + e);
        }
        if (mail.extraHeaders().containsKey(ORIGIN_HEADER)) {
            return skip(meta, "our own outbound mail (" + ORIGIN_HEADER + ")");
        }
        Instant now = clock.instant();
        Event event = db.transactions().execute(tx -> {
            Long id = store.insertIngested(meta, mail, now);
            if (id == null) {
                return null;
            }
            ObjectNode data = receivedData(id, meta, mail);
            audit.record("message.received", mailboxId, "message:" + id, auditData(data, meta));
            return events.append("message.received", mailboxId, null, id, data);
        });
        if (event != null) {
            LOG.info("Mailbox {}: received \"{}\" from {} ({} attachment{})", mailboxId, oneLine(mail.subject()),
                    mail.from() == null ? "unknown sender" : oneLine(mail.from().address()), mail.attachments().size(),
                    mail.attachments().size() == 1 ? "" : "s");
            mail.attachments().stream().filter(a -> a.undecodable() != null).forEach(a -> LOG.warn(
                    "Mailbox {}: message {} (gmail {}): attachment \"{}\" is stored undecoded: {}", mailboxId,
                    event.messageId(), meta.gmailId(), oneLine(a.filename()), a.undecodable()));
        }
        return event;
    }

    private Event skip(MessageStore.GmailMeta meta, String reason) {
        LOG.debug("Mailbox {}: skipping message {}: {}", meta.mailbox(), meta.gmailId(), reason);
        Instant now = clock.instant();
        db.transactions().executeWithoutResult(tx -> store.insertSkipped(meta, reason, now));
        return null;
    }

    private Event quarantine(MessageStore.GmailMeta meta, RawMessage raw, String reason) {
        Path saved = saveRaw(meta, raw);
        Instant now = clock.instant();
        Event event = db.transactions().execute(tx -> {
            Long id = store.insertQuarantined(meta, reason, now);
            if (id == null) {
                return null;
            }
            ObjectNode data = json.createObjectNode()
                    .put("messageId", id)
                    .put("gmailId", meta.gmailId())
                    .put("threadId", meta.threadId())
                    .put("reason", reason)
                    .put("sizeBytes", meta.sizeBytes())
                    .put("rawRef", "quarantine/" + meta.mailbox() + "/" + saved.getFileName());
            audit.record("message.quarantined", meta.mailbox(), "message:" + id, data.deepCopy().put("rawSha256", meta.rawSha256()));
            return events.append("message.quarantined", meta.mailbox(), null, id, data);
        });
        if (event != null) {
            LOG.warn("Mailbox {}: quarantined message {}: {}", meta.mailbox(), meta.gmailId(), reason);
        }
        return event;
    }

    /**
     * Keeps the bytes of a quarantined message: nothing is lost, and the fix can be tested on them. Written
     * to a temp file and moved into place, so a full disk leaves no half file under the message's name;
     * if they cannot be kept the poll fails (before the row is committed) and the message is fetched again.
     */
    private Path saveRaw(MessageStore.GmailMeta meta, RawMessage raw) {
        String safeId = meta.gmailId() == null ? "unknown" : meta.gmailId().replaceAll("[^A-Za-z0-9_-]", "_");
        Path file = quarantineDir.resolve(meta.mailbox()).resolve(safeId + ".eml");
        try {
            OwnerOnly.directory(file.getParent()); // written whole through a temp file, or not at all
            try (InputStream bytes = raw.open()) {
                OwnerOnly.write(file, bytes);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Mailbox " + meta.mailbox() + ": cannot keep the quarantined message "
                    + meta.gmailId() + " at " + file + " (" + e.getMessage() + "); it is fetched again on a later poll", e);
        }
    }

    private ObjectNode receivedData(long id, MessageStore.GmailMeta meta, ParsedMail mail) {
        ObjectNode data = json.createObjectNode()
                .put("messageId", id)
                .put("gmailId", meta.gmailId())
                .put("threadId", meta.threadId())
                .put("historyId", meta.historyId())
                .put("messageIdHeader", mail.messageId())
                .put("inReplyTo", mail.inReplyTo())
                .put("subject", mail.subject())
                .put("date", mail.date() == null ? null : mail.date().toString())
                .put("internalDate", meta.internalDate() == null ? null : meta.internalDate().toString())
                .put("sizeBytes", meta.sizeBytes())
                .put("preview", preview(mail.textBody()));
        data.set("references", json.valueToTree(mail.references()));
        data.set("from", mail.from() == null ? null : address(mail.from()));
        data.set("fromOthers", addresses(mail.fromOthers()));
        data.set("to", addresses(mail.to()));
        data.set("cc", addresses(mail.cc()));
        data.set("replyTo", addresses(mail.replyTo()));
        data.set("labels", json.valueToTree(meta.labelIds()));
        ArrayNode attachments = data.putArray("attachments");
        for (AttachmentRef a : mail.attachments()) {
            ObjectNode attachment = attachments.addObject()
                    .put("filename", a.filename())
                    .put("contentType", a.contentType())
                    .put("size", a.size())
                    .put("sha256", a.sha256())
                    .put("inline", a.inline())
                    .put("ref", "attachments/" + a.sha256());
            if (a.undecodable() != null) {
                attachment.put("undecodable", a.undecodable());
            }
        }
        data.putObject("authentication")
                .put("dkim", mail.authentication().dkim())
                .put("spf", mail.authentication().spf())
                .put("dmarc", mail.authentication().dmarc());
        return data;
    }

    /** For discovery: who, when, what (by hash), never the bodies. */
    private ObjectNode auditData(ObjectNode received, MessageStore.GmailMeta meta) {
        ObjectNode data = json.createObjectNode()
                .put("gmailId", meta.gmailId())
                .put("threadId", meta.threadId())
                .put("messageIdHeader", received.path("messageIdHeader").asText(null))
                .put("subject", received.path("subject").asText(null))
                .put("date", received.path("date").asText(null))
                .put("internalDate", received.path("internalDate").asText(null))
                .put("sizeBytes", meta.sizeBytes())
                .put("rawSha256", meta.rawSha256());
        data.set("from", received.get("from"));
        data.set("fromOthers", received.get("fromOthers"));
        data.set("to", received.get("to"));
        data.set("cc", received.get("cc"));
        data.set("authentication", received.get("authentication"));
        ArrayNode attachments = data.putArray("attachments");
        received.path("attachments").forEach(a -> attachments.addObject()
                .put("filename", a.path("filename").asText())
                .put("size", a.path("size").asLong())
                .put("sha256", a.path("sha256").asText()));
        return data;
    }

    private ObjectNode address(MailAddress address) {
        return json.createObjectNode().put("address", address.address()).put("name", address.displayName());
    }

    private ArrayNode addresses(List<MailAddress> list) {
        ArrayNode array = json.createArrayNode();
        list.forEach(a -> array.add(address(a)));
        return array;
    }

    static boolean isExcluded(List<String> labels, Set<String> excluded) {
        return labels.stream().anyMatch(excluded::contains);
    }

    static String preview(String text) {
        if (text == null) {
            return null;
        }
        String collapsed = text.replaceAll("\\s+", " ").strip();
        return collapsed.length() <= PREVIEW_CHARS ? collapsed : collapsed.substring(0, PREVIEW_CHARS) + "…";
    }

    /** Subjects are untrusted: no line breaks or control characters into our logs. */
    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String clean = text.replaceAll("\\p{Cntrl}", " ");
        return clean.length() > 120 ? clean.substring(0, 120) + "…" : clean;
    }
}

package io.mailroute.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.gmail.StoredJson;
import io.mailroute.triage.TriageDecision;
import io.mailroute.triage.TriageInput;
import io.mailroute.triage.TriageRulesReloader;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;

/**
 * The triage step of {@code routes/triage.camel.yaml}: for a {@code message.received} event,
 * classify the stored message with the rules in force and let the {@link Workflow} make the item.
 */
public final class TriageProcessor {

    private static final String MESSAGE = """
            SELECT mailbox_id, from_address, from_name, to_addresses, cc_addresses, subject, text_body, html_body,
                   label_ids, dkim, spf, dmarc, extra_headers
            FROM mail_message WHERE id = :id""";
    private static final String ATTACHMENTS = """
            SELECT filename, content_type, size_bytes FROM attachment
            WHERE message_id = :id AND NOT (inline_part AND content_id IS NOT NULL) ORDER BY position""";

    private final Workflow workflow;
    private final TriageRulesReloader rules;
    private final Database db;
    private final ObjectMapper json;

    public TriageProcessor(Workflow workflow, TriageRulesReloader rules, Database db, ObjectMapper json) {
        this.workflow = workflow;
        this.rules = rules;
        this.db = db;
        this.json = json;
    }

    /** @return the events committed (none when the message was triaged before) */
    public List<Event> process(@Body String eventJson) throws JsonProcessingException {
        JsonNode event = json.readTree(eventJson);
        long messageId = event.at("/data/messageId").asLong(-1);
        if (messageId < 0) {
            throw new IllegalArgumentException("event " + event.path("id").asText() + " has no data.messageId");
        }
        return workflow.triage(messageId, (message, reply) -> classify(message.id(), reply));
    }

    /** Called by a timer: picks up edits of the rules file (a broken edit keeps the rules in force). */
    public boolean reloadRules() {
        return rules.reloadIfChanged();
    }

    Classification classify(long messageId, boolean replyToKnownItem) {
        TriageDecision d = rules.current().classify(input(messageId, replyToKnownItem));
        return new Classification(d.ruleId(), d.itemType().name(), d.category(),
                d.queue() == null ? "none" : d.queue(), d.assignee(), d.priority(), d.sla(), d.notifyChannels(),
                d.approvers(), d.policy());
    }

    /** The triage view of a stored message. */
    TriageInput input(long messageId, boolean replyToKnownItem) {
        List<TriageInput.Attachment> attachments = db.jdbc().query(ATTACHMENTS, Map.of("id", messageId), (rs, n) ->
                new TriageInput.Attachment(rs.getString("filename"), rs.getString("content_type"), rs.getLong("size_bytes")));
        return db.jdbc().query(MESSAGE, Map.of("id", messageId), (rs, n) -> new TriageInput(
                rs.getString("mailbox_id"),
                rs.getString("from_address"),
                rs.getString("from_name"),
                StoredJson.addresses(json, rs.getString("to_addresses")),
                StoredJson.addresses(json, rs.getString("cc_addresses")),
                rs.getString("subject"),
                rs.getString("text_body"),
                rs.getString("html_body"),
                attachments,
                new LinkedHashSet<>(StoredJson.strings(json, rs.getString("label_ids"))),
                rs.getString("dkim"),
                rs.getString("spf"),
                rs.getString("dmarc"),
                replyToKnownItem,
                headers(rs.getString("extra_headers")))).stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stored message " + messageId));
    }

    private Map<String, String> headers(String jsonObject) {
        if (jsonObject == null || jsonObject.isBlank()) {
            return Map.of();
        }
        try {
            return json.readValue(jsonObject, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored headers are not JSON", e);
        }
    }
}

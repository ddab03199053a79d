package io.mailroute.approvals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.approvals.OriginalMessages.Original;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.EmailContent;
import io.mailroute.delivery.NotificationFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Writes the approval emails the delivery pipeline sends: to each approver asked ({@code approval.requested}, and a
 * reminder or escalation by the same template), with three signed decision links made for that approver when the
 * email is written; to the requester once the approval is decided, expired or cancelled. Both go in the thread of the
 * mail that asked, when there is one, and replies go to the approval's mailbox, where intake reads them. For an urgent
 * approval's push it gives the approver's approve-page link, so the push decides the same way.
 */
public final class ApprovalMail implements EmailContent, NotificationFactory.Links {

    /** Event types that ask approvers; the timers' reminder and escalation events are written by the request's template. */
    static final List<String> ASKING = List.of(Approvals.REQUESTED, "approval.reminder", "approval.escalated");
    /** Event types the requester is told of. */
    static final List<String> TELLING = List.of(Approvals.DECIDED, Approvals.EXPIRED, Approvals.CANCELLED);
    /** How much of the original message a request shows. */
    static final int SUMMARY_CHARACTERS = 600;

    /** A Message-ID in a References header with angle brackets: only what is inside them counts. */
    private static final java.util.regex.Pattern MESSAGE_ID = java.util.regex.Pattern.compile("<([^<>\\s]+)>");
    private static final String EVENT = "SELECT payload FROM workflow_event WHERE id = :id";
    private static final String REPLY = """
            SELECT mailbox_id, thread_id, message_id_header, references_header, subject FROM mail_message WHERE id = :id""";

    private final Approvals approvals;
    private final DecisionLinks links;
    private final ApprovalMailTemplates templates;
    private final ChannelsConfig channels;
    private final Function<String, String> mailboxAddress;
    private final Database db;
    private final ObjectMapper json;
    private final OriginalMessages originals;

    /** @param mailboxAddress a mailbox id's address (replies go there), or null for an unknown mailbox */
    public ApprovalMail(Approvals approvals, DecisionLinks links, java.io.File templatesDir, ChannelsConfig channels,
            Function<String, String> mailboxAddress, Database db, ObjectMapper json) {
        this.approvals = approvals;
        this.links = links;
        this.templates = new ApprovalMailTemplates(templatesDir);
        this.channels = channels;
        this.mailboxAddress = mailboxAddress;
        this.db = db;
        this.json = json;
        this.originals = new OriginalMessages(db);
    }

    @Override
    public Mail compose(Delivery delivery, ChannelsConfig.Channel channel) {
        if (ApprovalReplies.REPLY_REFUSED.equals(delivery.eventType())) {
            return replyRefused(delivery, channel);
        }
        boolean asking = ASKING.contains(delivery.eventType());
        if (!asking && !TELLING.contains(delivery.eventType())) {
            return null;
        }
        JsonNode event = event(delivery.eventId());
        Approval approval = approval(event);
        Original original = originals.of(approval);
        Map<String, Object> model = model(approval, original);
        ApprovalMailTemplates.Rendered rendered;
        if (asking) {
            String approver = approverOf(approval, delivery)
                    .orElseThrow(() -> new IllegalStateException(delivery.address() + " is not an approver of approval " + approval.id()));
            model.putAll(buttons(links.forApprover(approval, approver)));
            model.put("approver", approver);
            model.put("reminder", !Approvals.REQUESTED.equals(delivery.eventType()));
            rendered = templates.render(ApprovalMailTemplates.REQUEST, model);
        } else {
            model.putAll(outcome(event));
            rendered = templates.render(ApprovalMailTemplates.DECIDED, model);
        }
        String subject = original == null ? rendered.subject() : reSubject(original.subject(), rendered.subject());
        String sender = channel.settings().get("sender");
        boolean fromItsMailbox = approval.mailbox().equals("$mailbox".equals(sender) ? delivery.mailbox() : sender);
        // a Gmail thread id means something only in its own mailbox
        Thread thread = original == null || !fromItsMailbox ? null
                : new Thread(approval.originalThreadId(), approval.originalMessageId(), original.references());
        return new Mail(subject, rendered.text(), rendered.html(), thread, mailboxAddress.apply(approval.mailbox()));
    }

    /**
     * The answer to a reply that was no decision: why, and how to decide, in the reply's thread. It names nothing of the
     * request but its number (the reply's From may be forged, and this goes to that address).
     */
    private Mail replyRefused(Delivery delivery, ChannelsConfig.Channel channel) {
        JsonNode event = event(delivery.eventId());
        JsonNode data = event.path("data");
        Approval approval = approval(event);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("approvalId", approval.id());
        model.put("mailbox", mailboxAddress.apply(approval.mailbox()));
        model.put("sentence", data.path("sentence").asText());
        ApprovalMailTemplates.Rendered rendered = templates.render(ApprovalMailTemplates.REPLY_REFUSED, model);
        Map<String, Object> reply = db.jdbc().queryForList(REPLY, Map.of("id", data.path("sourceMessageId").asLong()))
                .stream().findFirst().orElse(Map.of());
        String subject = reSubject((String) reply.get("subject"), rendered.subject());
        String messageId = (String) reply.get("message_id_header");
        String sender = channel.settings().get("sender");
        boolean fromItsMailbox = delivery.mailbox() != null
                && delivery.mailbox().equals("$mailbox".equals(sender) ? delivery.mailbox() : sender)
                && delivery.mailbox().equals(reply.get("mailbox_id"));
        Thread thread = null;
        if (fromItsMailbox && messageId != null && headerSafe(messageId) && reply.get("thread_id") != null) {
            List<String> references = new ArrayList<>(messageIds((String) reply.get("references_header")));
            references.add(messageId);
            thread = new Thread((String) reply.get("thread_id"), messageId, references);
        }
        return new Mail(subject, rendered.text(), rendered.html(), thread, mailboxAddress.apply(approval.mailbox()));
    }

    @Override
    public String url(Delivery delivery, JsonNode event) {
        if (!ASKING.contains(delivery.eventType())) {
            return null;
        }
        Approval approval = approval(event);
        if (!approval.pending()) {
            return null;
        }
        try {
            return approverOf(approval, delivery).map(approver -> links.forApprover(approval, approver).approve()).orElse(null);
        } catch (IllegalStateException e) {
            return null; // it expires this second: no link worth sending (the email itself is then OBSOLETE)
        }
    }

    /** What a request email was, for {@code approval_message}: its approval, approver (null for the requester) and purpose. */
    Optional<Sent> sent(Delivery delivery) {
        boolean asking = ASKING.contains(delivery.eventType());
        if (!asking && !TELLING.contains(delivery.eventType())) {
            return Optional.empty();
        }
        Approval approval = approval(event(delivery.eventId()));
        String purpose = !asking ? "NOTICE" : "approval.reminder".equals(delivery.eventType()) ? "REMINDER" : "REQUEST";
        return Optional.of(new Sent(approval.id(), asking ? approverOf(approval, delivery).orElse(delivery.address()) : null,
                purpose));
    }

    record Sent(long approvalId, String approver, String purpose) {
    }

    /** The approver a delivery reaches, as the approval lists them: by its address, or the configured recipient's. */
    Optional<String> approverOf(Approval approval, Delivery delivery) {
        ChannelsConfig.Recipient recipient = channels.recipients().get(delivery.recipient());
        List<String> candidates = new ArrayList<>();
        candidates.add(delivery.address());
        if (recipient != null && recipient.email() != null) {
            candidates.add(recipient.email());
        }
        return approvals.approvers(approval.id()).stream().map(Approval.Approver::address)
                .filter(address -> candidates.stream().anyMatch(address::equalsIgnoreCase)).findFirst();
    }

    /** Everything a template may show; every value is text the HTML template escapes. */
    Map<String, Object> model(Approval approval, Original original) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("approvalId", approval.id());
        model.put("title", approval.title());
        model.put("requester", approval.requester());
        model.put("policy", approval.policy());
        model.put("mode", approval.rule().mode().configName());
        model.put("priority", approval.priority());
        model.put("urgent", approval.urgent());
        model.put("expiresAt", approval.expiresAt() == null ? null : approval.expiresAt().toString());
        model.put("mailbox", mailboxAddress.apply(approval.mailbox()));
        List<Map<String, String>> fields = new ArrayList<>();
        parse(approval.fieldsJson()).fields().forEachRemaining(f -> fields.add(Map.of("name", f.getKey(),
                "value", f.getValue().isNull() ? "" : f.getValue().asText())));
        model.put("fields", fields);
        model.put("hasFields", !fields.isEmpty());
        List<String> attachments = new ArrayList<>();
        parse(approval.attachmentsJson()).forEach(a -> attachments.add(a.path("name").asText()));
        model.put("attachments", attachments);
        model.put("hasAttachments", !attachments.isEmpty());
        model.put("summary", original == null ? null : original.summary());
        model.put("from", original == null ? null : original.from());
        return model;
    }

    static Map<String, Object> buttons(DecisionLinks.Urls urls) {
        return Map.of("approveUrl", urls.approve(), "rejectUrl", urls.reject(), "changesUrl", urls.requestChanges());
    }

    /** How it ended: decided (by whom, how, when, with what comment), expired or cancelled. */
    static Map<String, Object> outcome(JsonNode event) {
        JsonNode data = event.path("data");
        Map<String, Object> model = new LinkedHashMap<>();
        String type = event.path("type").asText();
        model.put("decided", Approvals.DECIDED.equals(type));
        model.put("expired", Approvals.EXPIRED.equals(type));
        model.put("cancelled", Approvals.CANCELLED.equals(type));
        String outcome = Approvals.DECIDED.equals(type) ? data.path("outcome").asText()
                : Approvals.EXPIRED.equals(type) ? "EXPIRED" : "CANCELLED";
        model.put("outcome", outcome);
        model.put("outcomeWords", switch (outcome) {
            case "APPROVED" -> "approved";
            case "REJECTED" -> "rejected";
            case "CHANGES_REQUESTED" -> "sent back for changes";
            case "EXPIRED" -> "expired without a decision";
            default -> "cancelled";
        });
        model.put("approver", data.path("approver").asText(data.path("by").asText("")));
        model.put("how", data.path("how").asText(""));
        model.put("at", data.path("decidedAt").asText(data.path("at").asText(data.path("expiredAt").asText(""))));
        model.put("comment", data.path("comment").isTextual() && !data.path("comment").asText().isBlank()
                ? data.path("comment").asText() : data.path("reason").isTextual() ? data.path("reason").asText() : null);
        return model;
    }

    /** Gmail keeps a message in a thread only when its subject is the thread's, with "Re: ". */
    static String reSubject(String original, String fallback) {
        String subject = ApprovalMailTemplates.oneLine(original);
        if (subject.isEmpty()) {
            return fallback;
        }
        return subject.regionMatches(true, 0, "Re:", 0, 3) ? subject : "Re: " + subject;
    }

    /**
     * The Message-IDs of a stored References header that may go into ours. Intake stores them bare, separated by
     * spaces; in a header with angle brackets only what is inside them counts.
     */
    static List<String> messageIds(String header) {
        List<String> references = new ArrayList<>();
        if (header == null) {
            return references;
        }
        if (header.indexOf('<') >= 0) {
            java.util.regex.Matcher ids = MESSAGE_ID.matcher(header);
            while (ids.find()) {
                if (headerSafe(ids.group(1))) {
                    references.add(ids.group(1));
                }
            }
            return references;
        }
        for (String id : header.strip().split("\\s+")) {
            if (!id.isEmpty() && headerSafe(id)) {
                references.add(id);
            }
        }
        return references;
    }

    /** The start of a message's text, on one line per paragraph, cut at {@value #SUMMARY_CHARACTERS} characters. */
    static String summary(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String flat = text.replace("\r", "").replaceAll("[ \\t]+", " ").replaceAll("\\n{3,}", "\n\n").strip();
        return flat.length() <= SUMMARY_CHARACTERS ? flat : flat.substring(0, SUMMARY_CHARACTERS - 1).stripTrailing() + "…";
    }

    /** A Message-ID that may go into In-Reply-To / References: no line break, space, angle bracket or control character. */
    static boolean headerSafe(String messageId) {
        return messageId.length() <= 998 && messageId.chars().noneMatch(c -> c <= ' ' || c == '<' || c == '>' || c == 0x7f);
    }

    private Approval approval(JsonNode event) {
        long id = event.at("/data/approvalId").asLong();
        return approvals.approval(id).orElseThrow(() -> new IllegalStateException("approval " + id + " is not in the database"));
    }

    JsonNode event(String eventId) {
        String payload = db.jdbc().queryForObject(EVENT, Map.of("id", eventId), String.class);
        return parse(payload);
    }

    private JsonNode parse(String text) {
        try {
            return text == null ? json.createObjectNode() : json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}

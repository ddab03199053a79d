package io.mailroute.approvals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.access.ApiGuard;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.ops.ApiErrors;
import io.mailroute.ops.ApiQueries;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * {@code /api/approvals} and the route endpoint {@code direct:approval-request} ({@code routes/approvals.camel.yaml}
 * wires them). Events an action commits are left in the exchange property {@value io.mailroute.events.EventLog#COMMITTED} for the route to publish.
 * A bad field is an {@link IllegalArgumentException} naming it, which the API answers with 400.
 */
public final class ApprovalApi {

    /** The header a route's request answers with: the approval's id. */
    public static final String APPROVAL_ID = "MailrouteApprovalId";
    private static final List<String> STATES = List.of("PENDING", "APPROVED", "REJECTED", "CHANGES_REQUESTED", "EXPIRED", "CANCELLED");

    private final Approvals approvals;
    private final ApprovalRequestReader reader;
    private final ObjectMapper json;
    private ApprovalMessages messages;

    public ApprovalApi(Approvals approvals, ObjectMapper json) {
        this.approvals = approvals;
        this.reader = new ApprovalRequestReader(json);
        this.json = json;
    }

    /** Shows each approval's sent emails ({@code messages}: Message-ID, Gmail ids) in {@code GET /api/approvals/{id}}. */
    public ApprovalApi withMessages(ApprovalMessages sent) {
        this.messages = sent;
        return this;
    }

    /** {@code POST /api/approvals}: 201 with the new approval, 200 with the one the same idempotency key made. */
    public ObjectNode create(@Body String body, @Header("Idempotency-Key") String key,
            @Header(ApiGuard.PRINCIPAL_HEADER) String principal, Exchange exchange) {
        ApprovalRequest request = reader.read(reader.body(body), key, ApprovalRequest.Source.API, "token:" + principal);
        try {
            Approvals.Requested requested = approvals.request(request);
            exchange.setProperty(EventLog.COMMITTED, requested.events());
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, requested.created() ? 201 : 200);
            exchange.getMessage().setHeader("Location", "/api/approvals/" + requested.approval().id());
            return detail(requested.approval());
        } catch (Approvals.IdempotencyConflict e) {
            return ApiErrors.error(json, exchange, 409, e.getMessage());
        }
    }

    /**
     * {@code direct:approval-request}: a flow's request (JSON text or a map) with the same fields and checks as the API;
     * answers the approval and sets {@value #APPROVAL_ID}. A bad field throws to the calling flow.
     */
    public ObjectNode fromRoute(@Body Object body, @Header("Idempotency-Key") String key, Exchange exchange) {
        String route = exchange.getFromRouteId() == null ? "unknown" : exchange.getFromRouteId();
        Approvals.Requested requested = approvals.request(reader.read(reader.body(body), key, ApprovalRequest.Source.ROUTE,
                "route:" + route));
        exchange.setProperty(EventLog.COMMITTED, requested.events());
        exchange.getMessage().setHeader(APPROVAL_ID, requested.approval().id());
        return detail(requested.approval());
    }

    /** {@code GET /api/approvals?state=&approver=&after=&limit=}. */
    public ObjectNode list(@Header("state") String state, @Header("approver") String approver, @Header("after") String after,
            @Header("limit") String limit) {
        int max = ApiQueries.limit(limit);
        long from = ApiQueries.after(after);
        String wantedState = null;
        if (state != null && !state.isBlank()) {
            wantedState = state.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (!STATES.contains(wantedState)) {
                throw new IllegalArgumentException("state must be one of " + STATES + ", got '" + state + "'");
            }
        }
        String wantedApprover = approver == null || approver.isBlank() ? null : approver.trim();
        List<Approval> page = approvals.list(wantedState, wantedApprover, from, max);
        ArrayNode items = json.createArrayNode();
        page.forEach(a -> items.add(summary(a).set("approvers", approvers(a.id()))));
        ObjectNode answer = json.createObjectNode();
        answer.set("items", items);
        answer.put("next", page.size() == max ? page.get(page.size() - 1).id() : null);
        return answer;
    }

    /** {@code GET /api/approvals/{id}}: the approval, its approvers and its history (refused attempts too). */
    public ObjectNode get(@Header("id") String id, Exchange exchange) {
        long key = id(id);
        return approvals.approval(key).map(this::detail).orElseGet(() -> ApiErrors.error(json, exchange, 404, "no approval with id " + key));
    }

    /** {@code POST /api/approvals/{id}/decision}: {@code {"decision":"approve","approver":"...","comment":"..."}}. */
    public ObjectNode decide(@Header("id") String id, @Body String body, @Header(ApiGuard.PRINCIPAL_HEADER) String principal,
            Exchange exchange) {
        long key = id(id);
        JsonNode request = object(body, List.of("decision", "approver", "comment"),
                "{\"decision\":\"approve\",\"approver\":\"r.okafor@acme.example\",\"comment\":\"ok\"}");
        if (request.path("decision").isMissingNode() || request.path("decision").isNull()) {
            throw new IllegalArgumentException("decision is required: approve, reject or request-changes");
        }
        Decision decision = Decision.parse(request.path("decision").asText());
        String approver = ApprovalRequestReader.address(request.get("approver"), "approver", true);
        String comment = comment(request.get("comment"));
        ObjectNode evidence = json.createObjectNode().put("token", principal);
        return answer(approvals.decide(key, approver, decision, DecisionChannel.API, comment, evidence), exchange);
    }

    /** {@code POST /api/approvals/{id}/cancel}: optional {@code {"reason":"..."}}. */
    public ObjectNode cancel(@Header("id") String id, @Body String body, @Header(ApiGuard.PRINCIPAL_HEADER) String principal,
            Exchange exchange) {
        long key = id(id);
        JsonNode request = object(body, List.of("reason"), "{\"reason\":\"ordered elsewhere\"}");
        return answer(approvals.cancel(key, "token:" + principal, comment(request.get("reason"))), exchange);
    }

    private ObjectNode answer(Approvals.Result result, Exchange exchange) {
        if (result instanceof Approvals.Done done) {
            exchange.setProperty(EventLog.COMMITTED, done.events());
            ObjectNode node = detail(done.approval());
            ArrayNode raised = node.putArray("events");
            for (Event event : done.events()) {
                raised.addObject().put("id", event.id()).put("type", event.type()).put("seq", event.seq());
            }
            return node;
        }
        if (result instanceof Approvals.AlreadyDecided already) {
            ObjectNode error = ApiErrors.error(json, exchange, 409, "approval " + already.approval().id() + " is already "
                    + already.state() + (already.by() == null ? "" : " by " + already.by()) + " at " + already.at()
                    + (already.how() == null ? "" : " (" + already.how().toLowerCase(Locale.ROOT) + ")"));
            ((ObjectNode) error.get("error")).put("state", already.state()).put("decidedBy", already.by())
                    .put("decidedAt", String.valueOf(already.at()))
                    .put("decidedHow", already.how() == null ? null : already.how().toLowerCase(Locale.ROOT));
            return error;
        }
        if (result instanceof Approvals.Refused refused) {
            return ApiErrors.error(json, exchange, 422, refused.reason());
        }
        return ApiErrors.error(json, exchange, 404, "no approval with id " + ((Approvals.NotFound) result).approvalId());
    }

    // ---- views ------------------------------------------------------------------------------------------

    private ObjectNode summary(Approval a) {
        ObjectNode node = json.createObjectNode()
                .put("id", a.id())
                .put("state", a.state())
                .put("title", a.title())
                .put("requester", a.requester())
                .put("itemId", a.itemId())
                .put("mailbox", a.mailbox())
                .put("policy", a.policy())
                .put("mode", a.rule().mode().configName());
        if (a.rule().mode() == ApprovalMode.QUORUM) {
            node.put("quorum", a.rule().quorum());
        }
        node.put("priority", a.priority())
                .put("urgent", a.urgent())
                .put("source", a.source().toLowerCase(Locale.ROOT))
                .put("createdBy", a.createdBy())
                .put("createdAt", text(a.createdAt()))
                .put("expiresAt", text(a.expiresAt()))
                .put("decidedAt", text(a.decidedAt()))
                .put("decidedBy", a.decidedBy())
                .put("decidedHow", a.decidedHow() == null ? null : a.decidedHow().toLowerCase(Locale.ROOT));
        return node;
    }

    private ObjectNode detail(Approval a) {
        ObjectNode node = summary(a);
        node.set("fields", approvals.parse(a.fieldsJson()));
        node.set("attachments", approvals.parse(a.attachmentsJson()));
        node.put("callbackUrl", a.callbackUrl())
                .put("idempotencyKey", a.idempotencyKey())
                .put("originalMessageId", a.originalMessageId())
                .put("originalThreadId", a.originalThreadId());
        node.set("approvers", approvers(a.id()));
        if (messages != null) {
            ArrayNode sent = node.putArray("messages");
            for (ApprovalMessages.Message m : messages.of(a.id())) {
                sent.addObject().put("purpose", m.purpose().toLowerCase(Locale.ROOT)).put("approver", m.approver())
                        .put("mailbox", m.mailbox()).put("messageId", m.messageId()).put("gmailMessageId", m.gmailId())
                        .put("gmailThreadId", m.gmailThreadId()).put("sentAt", text(m.sentAt()));
            }
        }
        ArrayNode history = node.putArray("history");
        for (Approval.HistoryEntry h : approvals.history(a.id())) {
            ObjectNode entry = history.addObject().put("at", text(h.at())).put("action", h.action()).put("actor", h.actor())
                    .put("how", h.how() == null ? null : h.how().toLowerCase(Locale.ROOT)).put("detail", h.detail());
            entry.set("evidence", approvals.parse(h.evidence()));
        }
        return node;
    }

    private ArrayNode approvers(long approvalId) {
        ArrayNode out = json.createArrayNode();
        for (Approval.Approver p : approvals.approvers(approvalId)) {
            ObjectNode node = out.addObject().put("position", p.position()).put("address", p.address()).put("state", p.state())
                    .put("backup", p.backup())
                    .put("askedAt", text(p.askedAt())).put("decidedAt", text(p.decidedAt()))
                    .put("how", p.how() == null ? null : p.how().toLowerCase(Locale.ROOT)).put("comment", p.comment());
            node.set("evidence", approvals.parse(p.evidence()));
        }
        return out;
    }

    // ---- input ------------------------------------------------------------------------------------------

    private JsonNode object(String body, List<String> known, String example) {
        JsonNode request;
        try {
            request = json.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body must be JSON such as " + example + ": " + e.getOriginalMessage());
        }
        if (!request.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object such as " + example);
        }
        for (Iterator<String> names = request.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "'; the body may have " + String.join(", ", known));
            }
        }
        return request;
    }

    private static String comment(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("comment must be text");
        }
        String text = node.asText().strip();
        if (text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            throw new IllegalArgumentException("comment must not contain control characters");
        }
        return text.isEmpty() ? null : text.replace("\r", "");
    }

    private static long id(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("approval id must be a number, got '" + text + "'");
        }
    }

    private static String text(java.time.Instant instant) {
        return instant == null ? null : instant.toString();
    }
}

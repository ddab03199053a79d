package io.mailroute.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The values the decision pages' templates show ({@code pages/approval-decide.mustache}, {@code approval-outcome}):
 * plain text only, the templates escape it. Times are shown in UTC, to the minute.
 */
final class DecisionPageModel {


    private final Approvals approvals;
    private final OriginalMessages originals;

    DecisionPageModel(Approvals approvals, OriginalMessages originals) {
        this.approvals = approvals;
        this.originals = originals;
    }

    /** The decision form: what is decided, as whom, the three choices (one pre-selected or none), the hidden fields. */
    Map<String, Object> form(Approval approval, String actingAs, String token, String csrf, Decision preselected) {
        Map<String, Object> model = base(approval);
        model.put("actingAs", actingAs);
        model.put("token", token);
        model.put("csrf", csrf);
        List<Map<String, Object>> choices = new ArrayList<>();
        for (Decision decision : Decision.values()) {
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("value", decision.wireName());
            choice.put("label", label(decision));
            choice.put("checked", decision == preselected);
            choices.add(choice);
        }
        model.put("choices", choices);
        return model;
    }

    /** After this approver's decision was recorded. */
    Map<String, Object> recorded(Approval approval, String approver, Decision decision, String comment) {
        Map<String, Object> model = base(approval);
        model.put("heading", "Your decision is recorded");
        model.put("tone", decision.outcome().toLowerCase(Locale.ROOT));
        model.put("sentence", "You (" + approver + ") chose: " + label(decision) + ".");
        model.put("detail", approval.pending() ? "The request now waits for the other approvers."
                : "The request is now " + words(approval.state()) + ".");
        model.put("comment", comment);
        return model;
    }

    /** A link of an approval that is no longer pending: who decided, when and how (not an error). */
    Map<String, Object> alreadyDecided(Approval approval) {
        Map<String, Object> model = base(approval);
        model.put("tone", approval.state().toLowerCase(Locale.ROOT));
        String at = time(approval.decidedAt());
        String by = approval.decidedBy() == null ? "" : " by " + approval.decidedBy();
        switch (approval.state()) {
            case "EXPIRED" -> {
                model.put("heading", "This request has expired");
                model.put("sentence", "It expired at " + at + " without a decision.");
            }
            case "CANCELLED" -> {
                model.put("heading", "This request was withdrawn");
                model.put("sentence", "It was withdrawn" + by + " at " + at + ".");
            }
            default -> {
                model.put("heading", "Already decided");
                model.put("sentence", "Already decided" + by + " at " + at + how(approval.decidedHow()) + ": "
                        + words(approval.state()) + ".");
            }
        }
        model.put("detail", "Nothing more is needed from you.");
        return model;
    }

    /** A pending approval this approver has decided already (the others are still asked), or no longer needs. */
    Map<String, Object> yours(Approval approval, Approval.Approver me) {
        Map<String, Object> model = base(approval);
        model.put("heading", "You have decided already");
        model.put("tone", me.state().toLowerCase(Locale.ROOT));
        model.put("sentence", me.decision() == null ? "Your decision is no longer needed."
                : "You (" + me.address() + ") chose " + label(me.decision()) + " at " + time(me.decidedAt())
                + how(me.how()) + ".");
        model.put("detail", "The request waits for the other approvers.");
        return model;
    }

    /** A sequence's approver whose turn has not come. */
    Map<String, Object> notYet(Approval approval, Approval.Approver me) {
        Map<String, Object> model = base(approval);
        model.put("heading", "Not your turn yet");
        model.put("tone", "pending");
        model.put("sentence", "The approvers of this request decide one after the other; you (" + me.address()
                + ") are number " + me.position() + ".");
        model.put("detail", "You will be asked when it is your turn. Nothing was decided.");
        return model;
    }

    /** What every decision page shows about the approval. */
    Map<String, Object> base(Approval approval) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("title", approval.title());
        view.put("requester", approval.requester());
        view.put("fields", fields(approvals.parse(approval.fieldsJson())));
        List<String> attachments = attachments(approvals.parse(approval.attachmentsJson()));
        view.put("attachments", attachments);
        view.put("hasAttachments", !attachments.isEmpty());
        view.put("policy", approval.policy() + ": " + rule(approval.rule()));
        view.put("expires", approval.pending() && approval.expiresAt() != null ? time(approval.expiresAt()) : null);
        OriginalMessages.Original original = originals.of(approval);
        view.put("summary", original == null ? null : original.summary());
        view.put("from", original == null ? null : original.from());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("approval", view);
        return model;
    }

    private static List<Map<String, String>> fields(JsonNode fields) {
        List<Map<String, String>> out = new ArrayList<>();
        if (fields == null || !fields.isObject()) {
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Map<String, String> row = new LinkedHashMap<>();
            row.put("name", field.getKey());
            row.put("value", field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString());
            out.add(row);
        }
        return out;
    }

    private static List<String> attachments(JsonNode attachments) {
        List<String> names = new ArrayList<>();
        if (attachments != null && attachments.isArray()) {
            attachments.forEach(a -> names.add(a.path("name").asText("(unnamed)")));
        }
        return names;
    }

    private static String rule(ApprovalPolicy rule) {
        return switch (rule.mode()) {
            case ANY -> "the first decision decides";
            case ALL -> "every approver must approve";
            case SEQUENCE -> "the approvers decide one after the other";
            case QUORUM -> rule.quorum() + " approvals decide";
        };
    }

    static String label(Decision decision) {
        return switch (decision) {
            case APPROVE -> "Approve";
            case REJECT -> "Reject";
            case REQUEST_CHANGES -> "Request changes";
        };
    }

    /** APPROVED → approved, CHANGES_REQUESTED → changes requested. */
    private static String words(String state) {
        return state.toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** ", by link" for a decision's how (LINK, REPLY, API, CONSOLE); nothing for the timer or none. */
    static String how(String how) {
        if (how == null) {
            return "";
        }
        return switch (how.toUpperCase(Locale.ROOT)) {
            case "LINK" -> ", by link";
            case "REPLY" -> ", by reply";
            case "API" -> ", through the API";
            case "CONSOLE" -> ", in the console";
            case "TIMER" -> "";
            default -> ", " + how.toLowerCase(Locale.ROOT);
        };
    }

    static String time(Instant at) {
        return at == null ? "an unknown time" : io.mailroute.pages.Pages.time(at);
    }
}

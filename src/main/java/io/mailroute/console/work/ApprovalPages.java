package io.mailroute.console.work;

import io.mailroute.approvals.Approval;
import io.mailroute.approvals.ApprovalViews;
import io.mailroute.approvals.Approvals;
import io.mailroute.approvals.Decision;
import io.mailroute.approvals.DecisionChannel;
import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.pages.FormFields;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * The console's Approvals page (bean {@code consoleApprovals}, routes/console-work.camel.yaml):
 * <ul>
 * <li>{@code GET /console/approvals?state=&after=}: "Waiting for me" (the approvals that ask the signed-in user now: a
 * Google user's name is their address; a local user's name is no address, so an operator sees every pending approval
 * there instead) and every approval, filtered by state, a page at a time;</li>
 * <li>{@code GET /console/approvals/{id}}: its fields, the original message's summary, its approvers and history, and the
 * decision form when the user is an approver whose turn it is;</li>
 * <li>{@code POST /console/approvals/{id}/decision} (fields decision, comment, csrf): {@link Approvals#decide} as the
 * signed-in user, {@link DecisionChannel#CONSOLE}; Approvals refuses (and records) a user who is no approver or whose
 * turn has not come. The events committed go out (exchange property {@value io.mailroute.events.EventLog#COMMITTED}).</li>
 * </ul>
 */
public final class ApprovalPages {

    private static final String LIST_PATH = "/console/approvals";
    private static final List<String> STATES = List.of("PENDING", "APPROVED", "REJECTED", "CHANGES_REQUESTED", "EXPIRED",
            "CANCELLED");
    private static final int WAITING_MAX = 100;

    private final Approvals approvals;
    private final ApprovalViews views;
    private final Pages pages;
    private final ConsolePages console;
    private final com.fasterxml.jackson.databind.ObjectMapper json;

    public ApprovalPages(Approvals approvals, ApprovalViews views, Pages pages, ConsolePages console,
            com.fasterxml.jackson.databind.ObjectMapper json) {
        this.json = json;
        this.approvals = approvals;
        this.views = views;
        this.pages = pages;
        this.console = console;
    }

    /** {@code GET /console/approvals}. */
    public void list(@Header("state") String state, @Header("after") String after, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        String wanted = state == null ? null : state.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        wanted = wanted != null && STATES.contains(wanted) ? wanted : null;
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("waiting", waitingFor(request).stream().map(ApprovalPages::row).toList());
        model.put("waitingNote", waitingNote(request));
        List<Approval> all = approvals.list(wanted, null, WorkRequests.after(after), WorkRequests.PAGE_SIZE);
        model.put("approvals", all.stream().map(ApprovalPages::row).toList());
        model.put("empty", all.isEmpty());
        String selected = wanted;
        model.put("states", STATES.stream().map(s -> Map.of("value", s, "label", words(s), "selected", s.equals(selected)))
                .toList());
        if (all.size() == WorkRequests.PAGE_SIZE) {
            model.put("next", WorkRequests.query(WorkRequests.filters("state", wanted, "after",
                    String.valueOf(all.get(all.size() - 1).id()))));
        }
        PageResponses.write(exchange, console.render(request, "console-approvals", 200, LIST_PATH, "Approvals", model));
    }

    /** {@code GET /console/approvals/{id}} ({@code decided=1} after this user's decision). */
    public void show(@Header("id") String id, @Header("decided") String decided, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        Optional<Approval> approval = find(id);
        if (approval.isEmpty()) {
            WorkRequests.notFound(exchange, pages, "There is no approval " + id + ".", LIST_PATH + "/0");
            return;
        }
        page(exchange, request, approval.get(), 200, "1".equals(decided) ? "Your decision is recorded." : null, null);
    }

    /** {@code POST /console/approvals/{id}/decision}. */
    public void decide(@Header("id") String id, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        String pagePath = LIST_PATH + "/" + id + "/decision";
        if (!WorkRequests.csrfChecked(exchange, request, console, pagePath)) {
            return;
        }
        OptionalLong key = WorkRequests.id(id);
        if (key.isEmpty()) {
            WorkRequests.notFound(exchange, pages, "There is no approval " + id + ".", pagePath);
            return;
        }
        FormFields form = FormFields.of(exchange.getMessage().getBody());
        Decision decision;
        try {
            decision = Decision.parse(form.value("decision"));
        } catch (IllegalArgumentException e) {
            PageResponses.write(exchange, pages.problem(400, "Choose a decision", "Choose approve, reject or request "
                    + "changes, then send the form again.", pagePath));
            return;
        }
        String comment = WorkRequests.blankToNull(form.value("comment"));
        if (comment != null && comment.length() > 2000) {
            PageResponses.write(exchange, pages.problem(400, "The comment is too long", "Keep it to 2,000 characters and "
                    + "send the form again.", pagePath));
            return;
        }
        Approvals.Result result = approvals.decide(key.getAsLong(), request.user(), decision, DecisionChannel.CONSOLE,
                comment, json.createObjectNode().put("session", request.user()));
        if (result instanceof Approvals.Done done) {
            exchange.setProperty(io.mailroute.events.EventLog.COMMITTED, done.events());
            PageResponses.redirect(exchange, LIST_PATH + "/" + key.getAsLong() + "?decided=1");
        } else if (result instanceof Approvals.AlreadyDecided already) {
            page(exchange, request, already.approval(), 409, null, "Already " + words(already.state())
                    + (already.by() == null ? "" : " by " + already.by()) + " at " + ApprovalViews.time(already.at())
                    + ApprovalViews.how(already.how()) + ". Your decision was not recorded.");
        } else if (result instanceof Approvals.Refused refused) {
            page(exchange, request, refused.approval(), 422, null, "Not recorded: " + refused.reason() + ".");
        } else {
            WorkRequests.notFound(exchange, pages, "There is no approval " + id + ".", pagePath);
        }
    }

    private void page(Exchange exchange, ConsoleRequest request, Approval approval, int status, String notice, String problem) {
        Map<String, Object> model = new LinkedHashMap<>(views.details(approval));
        List<Approval.Approver> approvers = approvals.approvers(approval.id());
        model.put("summary", row(approval));
        model.put("notice", notice);
        model.put("problem", problem);
        model.put("approvers", approvers.stream().map(a -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("position", a.position());
            view.put("address", a.address());
            view.put("state", words(a.state()));
            view.put("decided", a.decidedAt() == null ? null : ApprovalViews.time(a.decidedAt()) + ApprovalViews.how(a.how()));
            view.put("comment", a.comment());
            view.put("backup", a.backup());
            return view;
        }).toList());
        model.put("history", approvals.history(approval.id()).stream().map(h -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("at", ApprovalViews.time(h.at()));
            view.put("action", words(h.action()));
            view.put("actor", h.actor());
            view.put("how", h.how() == null ? null : h.how().toLowerCase(Locale.ROOT));
            view.put("detail", h.detail());
            return view;
        }).toList());
        Optional<Approval.Approver> me = approvers.stream().filter(a -> a.address().equalsIgnoreCase(request.user())).findFirst();
        boolean mayDecide = approval.pending() && me.filter(a -> "ASKED".equals(a.state())).isPresent();
        model.put("mayDecide", mayDecide);
        if (mayDecide) {
            List<Map<String, Object>> choices = new ArrayList<>();
            for (Decision decision : Decision.values()) {
                choices.add(Map.of("value", decision.wireName(), "label", ApprovalViews.label(decision)));
            }
            model.put("choices", choices);
        } else {
            model.put("whyNot", whyNot(approval, me, request));
        }
        PageResponses.write(exchange, console.render(request, "console-approval", status, LIST_PATH + "/" + approval.id(),
                "Approvals", model));
    }

    /** Why this user sees no decision form. */
    private static String whyNot(Approval approval, Optional<Approval.Approver> me, ConsoleRequest request) {
        if (!approval.pending()) {
            return "It is " + words(approval.state()) + ": nothing is left to decide.";
        }
        if (me.isEmpty()) {
            return "You (" + request.user() + ") are not one of its approvers.";
        }
        if ("WAITING".equals(me.get().state())) {
            return "Not your turn yet: its approvers decide one after the other, and you are number " + me.get().position() + ".";
        }
        return "You have decided already (" + words(me.get().state()) + ").";
    }

    /** The approvals that ask this user now; every pending one for an operator whose name is no address. */
    private List<Approval> waitingFor(ConsoleRequest request) {
        if (!request.user().contains("@")) {
            return WorkRequests.operates(request) ? approvals.list(Approval.PENDING, null, 0, WAITING_MAX) : List.of();
        }
        return approvals.list(Approval.PENDING, request.user(), 0, WAITING_MAX).stream()
                .filter(a -> approvals.approvers(a.id()).stream().anyMatch(p -> p.address().equalsIgnoreCase(request.user())
                        && "ASKED".equals(p.state())))
                .toList();
    }

    private static String waitingNote(ConsoleRequest request) {
        if (request.user().contains("@")) {
            return "The approvals that ask you (" + request.user() + ") now.";
        }
        return WorkRequests.operates(request)
                ? "Your user name is not an email address, so no approval names you: as an operator you see every pending one."
                : "Your user name is not an email address, so no approval names you.";
    }

    private Optional<Approval> find(String id) {
        OptionalLong key = WorkRequests.id(id);
        return key.isPresent() ? approvals.approval(key.getAsLong()) : Optional.empty();
    }

    private static Map<String, Object> row(Approval a) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", a.id());
        row.put("title", a.title());
        row.put("requester", a.requester());
        row.put("state", words(a.state()));
        row.put("itemId", a.itemId());
        row.put("created", ApprovalViews.time(a.createdAt()));
        row.put("expires", a.expiresAt() == null ? null : ApprovalViews.time(a.expiresAt()));
        row.put("urgent", a.urgent());
        return row;
    }

    private static String words(String state) {
        return state == null ? "" : state.toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}

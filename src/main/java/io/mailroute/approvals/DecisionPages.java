package io.mailroute.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.Refusal;
import io.mailroute.links.SignedLink;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.FormFields;
import io.mailroute.pages.Page;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The page an approver reaches from a decision link ({@link DecisionLinks}), {@code routes/approvals-pages.camel.yaml}
 * wires it under {@value DecisionLinks#PAGE_PATH}:
 * <ul>
 * <li>GET shows what is being decided, by whom, with the link's decision pre-selected, a comment and a confirm button.
 * <b>It never decides</b>: mail scanners open every link before the person does. It reads, and writes nothing.</li>
 * <li>POST (the page's form) verifies the link again and the form's CSRF token, then uses the single-use link and
 * records the decision ({@link Approvals#decide}, how = link) in one transaction, and shows what happened.</li>
 * </ul>
 * A link of a decided approval shows who decided, when and how; a refused link (expired, changed, another page's,
 * used) shows the one refusal page ({@link Pages#refused}) and changes nothing. Every value is escaped by the templates.
 */
public final class DecisionPages {

    /** Form fields of the decision form. */
    static final String TOKEN_FIELD = "t";
    static final String CSRF_FIELD = "csrf";
    static final String DECISION_FIELD = "decision";
    static final String COMMENT_FIELD = "comment";
    static final int MAX_COMMENT = 2000;
    private static final Logger LOG = LoggerFactory.getLogger(DecisionPages.class);

    /** What records a decision: {@link Approvals#decide}; a test may watch it. */
    @FunctionalInterface
    interface Decider {
        Approvals.Result decide(long approvalId, String approver, Decision decision, DecisionChannel how, String comment,
                JsonNode evidence);
    }

    /** A POST's answer: the page, and the events its decision committed (to publish). */
    record Submitted(Page page, List<Event> events) {
    }

    private final Approvals approvals;
    private final Decider decider;
    private final SignedLinks links;
    private final Database db;
    private final Pages pages;
    private final DecisionPageModel views;
    private final ObjectMapper json;

    public DecisionPages(Approvals approvals, SignedLinks links, Database db, Pages pages, ObjectMapper json) {
        this(approvals, approvals::decide, links, db, pages, json);
    }

    DecisionPages(Approvals approvals, Decider decider, SignedLinks links, Database db, Pages pages, ObjectMapper json) {
        this.approvals = approvals;
        this.decider = decider;
        this.links = links;
        this.db = db;
        this.pages = pages;
        this.views = new DecisionPageModel(approvals, new OriginalMessages(db));
        this.json = json;
    }

    // ---- the routes' beans ------------------------------------------------------------------------------

    /** {@code GET /p/approvals/decide?t=<token>[&d=approve]}. */
    public void show(@Header(TOKEN_FIELD) String token, @Header(DecisionLinks.DECISION_PARAMETER) String preselected,
            Exchange exchange) {
        Page page;
        try {
            page = show(token, preselected);
        } catch (RuntimeException e) {
            page = failed("show", e);
        }
        PageResponses.write(exchange, page);
    }

    /** {@code POST /p/approvals/decide} with the form's fields; the events it committed in {@link io.mailroute.events.EventLog#COMMITTED}. */
    public void submit(@Body Object body, Exchange exchange) {
        Page page;
        try {
            Submitted submitted = submit(FormFields.of(body));
            exchange.setProperty(io.mailroute.events.EventLog.COMMITTED, submitted.events());
            page = submitted.page();
        } catch (RuntimeException e) {
            page = failed("record", e);
        }
        PageResponses.write(exchange, page);
    }

    // ---- what they do -----------------------------------------------------------------------------------

    /** The page a GET shows; reads only. */
    Page show(String token, String preselected) {
        LinkCheck check = links.verify(token, DecisionLinks.PURPOSE);
        if (check instanceof LinkCheck.Refused refused) {
            return refusedLink(refused);
        }
        SignedLink link = ((LinkCheck.Valid) check).link();
        Optional<Approval> found = approval(link);
        if (found.isEmpty()) {
            return gone();
        }
        Approval approval = found.get();
        Optional<Page> notNow = notToDecideNow(approval, link.recipient());
        if (notNow.isPresent()) {
            return notNow.get();
        }
        return pages.render("approval-decide", 200, DecisionLinks.PAGE_PATH,
                views.form(approval, link.recipient(), token, links.csrfToken(link), preselection(preselected)));
    }

    /** The page a POST answers with, after recording the decision when the link, the form and the approval allow it. */
    Submitted submit(FormFields form) {
        LinkCheck check = links.verify(form.value(TOKEN_FIELD), DecisionLinks.PURPOSE);
        if (check instanceof LinkCheck.Refused refused) {
            return nothing(refusedLink(refused));
        }
        SignedLink link = ((LinkCheck.Valid) check).link();
        if (!links.checkCsrf(link, form.value(CSRF_FIELD))) {
            LOG.info("Decision page: a POST for {} without the page's CSRF token refused", link);
            return nothing(pages.problem(403, "This form cannot be used", "This decision was not sent from its decision "
                    + "page. Open the link from the email again and confirm there.", DecisionLinks.PAGE_PATH));
        }
        Decision decision;
        try {
            decision = Decision.parse(form.value(DECISION_FIELD));
        } catch (IllegalArgumentException e) {
            return nothing(pages.problem(400, "Choose a decision", "Choose Approve, Reject or Request changes, then confirm. "
                    + "Open the link from the email again to do so.", DecisionLinks.PAGE_PATH));
        }
        String comment = comment(form.value(COMMENT_FIELD));
        if (comment != null && comment.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            return nothing(pages.problem(400, "The comment cannot be kept", "The comment contains control characters. Open the "
                    + "link again and type it anew.", DecisionLinks.PAGE_PATH));
        }
        if (comment != null && comment.length() > MAX_COMMENT) {
            return nothing(pages.problem(400, "The comment is too long", "A comment can be at most " + MAX_COMMENT
                    + " characters. Open the link again and shorten it.", DecisionLinks.PAGE_PATH));
        }
        Optional<Approval> found = approval(link);
        if (found.isEmpty()) {
            return nothing(gone());
        }
        long approvalId = found.get().id();
        ObjectNode evidence = json.createObjectNode().put("link", link.linkId()).put("keyId", link.keyId())
                .put("linkExpiresAt", link.expiresAt().toString());
        // The link's use and the decision commit together: a failure leaves the link working and nothing decided.
        Approvals.Result result = db.transactions().execute(tx -> links.consume(link)
                ? decider.decide(approvalId, link.recipient(), decision, DecisionChannel.LINK, comment, evidence)
                : null);
        if (result == null) { // the same link, used a moment ago by another request
            return nothing(approval(link).filter(a -> !a.pending()).map(this::alreadyDecided)
                    .orElseGet(() -> refusedLink(new LinkCheck.Refused(Refusal.USED, Optional.of(link), Optional.empty()))));
        }
        if (result instanceof Approvals.Done done) {
            return new Submitted(pages.render("approval-outcome", 200, DecisionLinks.PAGE_PATH,
                    views.recorded(done.approval(), link.recipient(), decision, comment)), done.events());
        }
        if (result instanceof Approvals.AlreadyDecided already) {
            return nothing(alreadyDecided(already.approval()));
        }
        if (result instanceof Approvals.Refused refused) {
            return nothing(pages.problem(409, "Your decision was not recorded", refused.reason(), DecisionLinks.PAGE_PATH));
        }
        return nothing(gone());
    }

    // ---- pages ------------------------------------------------------------------------------------------

    /**
     * A refused link. A genuine one that was used or has expired may say more: its approval decided shows who decided
     * (not an error); its approver having decided already (the approval waiting for others) says so.
     */
    private Page refusedLink(LinkCheck.Refused refused) {
        if (refused.link().isPresent()) {
            SignedLink link = refused.link().get();
            Optional<Approval> approval = approval(link);
            if (approval.isPresent()) {
                Optional<Page> notNow = notToDecideNow(approval.get(), link.recipient());
                if (notNow.isPresent() && (refused.reason() == Refusal.USED || !approval.get().pending())) {
                    return notNow.get();
                }
            }
        }
        return pages.refused(refused, DecisionLinks.PAGE_PATH);
    }

    /** Why this approver has nothing to decide now, as a page; empty when they may decide. */
    private Optional<Page> notToDecideNow(Approval approval, String approver) {
        if (!approval.pending()) {
            return Optional.of(alreadyDecided(approval));
        }
        Optional<Approval.Approver> me = approvals.approvers(approval.id()).stream()
                .filter(a -> a.address().equalsIgnoreCase(approver)).findFirst();
        if (me.isEmpty()) {
            return Optional.of(pages.problem(410, "This link cannot be used", "You are no longer an approver of this "
                    + "request. Ask its sender if this is unexpected.", DecisionLinks.PAGE_PATH));
        }
        if (me.get().decision() != null || "SKIPPED".equals(me.get().state())) {
            return Optional.of(pages.render("approval-outcome", 200, DecisionLinks.PAGE_PATH, views.yours(approval, me.get())));
        }
        if (!"ASKED".equals(me.get().state())) {
            return Optional.of(pages.render("approval-outcome", 200, DecisionLinks.PAGE_PATH, views.notYet(approval, me.get())));
        }
        return Optional.empty();
    }

    private Page alreadyDecided(Approval approval) {
        return pages.render("approval-outcome", 200, DecisionLinks.PAGE_PATH, views.alreadyDecided(approval));
    }

    private Page gone() {
        return pages.problem(410, "This request no longer exists", "The approval this link was for is not known here any "
                + "more. Ask its sender if this is unexpected.", DecisionLinks.PAGE_PATH);
    }

    private Page failed(String what, RuntimeException e) {
        return pages.failed("Decision", what, "Open the link again in a minute: the page will say whether a decision was "
                + "recorded.", DecisionLinks.PAGE_PATH, e);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** The link's approval; empty when its subject is not an approval id this service has. */
    private Optional<Approval> approval(SignedLink link) {
        try {
            return approvals.approval(Long.parseLong(link.subjectId()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The link's pre-selected decision, if it names one; anything else pre-selects nothing. */
    private static Decision preselection(String value) {
        try {
            return value == null ? null : Decision.parse(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String comment(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.strip().replace("\r", ""); // a browser sends a textarea's lines ending CR LF
        return trimmed.isEmpty() ? null : trimmed;
    }

    private static Submitted nothing(Page page) {
        return new Submitted(page, List.of());
    }
}

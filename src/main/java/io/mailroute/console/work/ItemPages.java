package io.mailroute.console.work;

import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.events.EventLog;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.pages.FormFields;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import io.mailroute.workflow.ItemState;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowItem;
import io.mailroute.workflow.WorkflowStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;

/**
 * The console's Items page (bean {@code consoleItems}, routes/console-work.camel.yaml):
 * <ul>
 * <li>{@code GET /console/items?queue=&state=&assignee=&after=}: the items, filtered, a page at a time;</li>
 * <li>{@code GET /console/items/{id}}: one item with its messages (the text body, or the HTML body through
 * {@link MessageHtml}) and their attachments, and (for operators) a form to assign and move it;</li>
 * <li>{@code POST /console/items/{id}} (operator; fields state, assignee, version, csrf): the change through
 * {@link Workflow#change}, with the version the form was based on: a stale one says someone changed the item since the
 * form was opened and shows the item as it is now; a state the item's pending approval decides is refused with
 * Workflow's sentence; the events committed go out (exchange property {@value io.mailroute.events.EventLog#COMMITTED});</li>
 * <li>{@code GET /console/attachments/{id}}: an attachment's bytes as a download ({@link AttachmentDownload}).</li>
 * </ul>
 */
public final class ItemPages {

    static final String STALE = "Someone changed this item since you opened it. This is the item as it is now: "
            + "make your change again if it still applies.";
    private static final String LIST_PATH = "/console/items";

    private final Workflow workflow;
    private final ItemMessages messages;
    private final AttachmentStore attachments;
    private final Pages pages;
    private final ConsolePages console;

    public ItemPages(Workflow workflow, io.mailroute.db.Database db, AttachmentStore attachments, Pages pages,
            ConsolePages console) {
        this.workflow = workflow;
        this.messages = new ItemMessages(db);
        this.attachments = attachments;
        this.pages = pages;
        this.console = console;
    }

    /** {@code GET /console/items}. */
    public void list(@Header("queue") String queue, @Header("state") String state, @Header("assignee") String assignee,
            @Header("after") String after, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        String wantedState = state(state).map(Enum::name).orElse(null);
        WorkflowStore.ItemFilter filter = new WorkflowStore.ItemFilter(WorkRequests.blankToNull(queue), wantedState, null,
                WorkRequests.blankToNull(assignee), null);
        List<WorkflowItem> items = workflow.store().items(filter, WorkRequests.after(after), WorkRequests.PAGE_SIZE);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("filter", WorkRequests.filters("queue", filter.queue(), "assignee", filter.assignee()));
        model.put("states", stateOptions(Arrays.asList(ItemState.values()), wantedState));
        model.put("items", items.stream().map(ItemPages::row).toList());
        model.put("empty", items.isEmpty());
        if (items.size() == WorkRequests.PAGE_SIZE) {
            model.put("next", WorkRequests.query(WorkRequests.filters("queue", filter.queue(), "state", wantedState,
                    "assignee", filter.assignee(), "after", String.valueOf(items.get(items.size() - 1).id()))));
        }
        PageResponses.write(exchange, console.render(request, "console-items", 200, LIST_PATH, "Items", model));
    }

    /** {@code GET /console/items/{id}} ({@code changed=1} after a change was saved). */
    public void show(@Header("id") String id, @Header("changed") String changed, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        OptionalLong key = WorkRequests.id(id);
        Optional<WorkflowItem> item = key.isPresent() ? workflow.store().item(key.getAsLong()) : Optional.empty();
        if (item.isEmpty()) {
            WorkRequests.notFound(exchange, pages, "There is no item " + id + ".", LIST_PATH + "/0");
            return;
        }
        page(exchange, request, item.get(), 200, "1".equals(changed) ? "Your change is saved." : null, null);
    }

    /** {@code POST /console/items/{id}}: assign and/or move. */
    public void change(@Header("id") String id, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        String pagePath = LIST_PATH + "/" + id;
        if (!WorkRequests.csrfChecked(exchange, request, console, pagePath)) {
            return;
        }
        OptionalLong key = WorkRequests.id(id);
        if (key.isEmpty()) {
            WorkRequests.notFound(exchange, pages, "There is no item " + id + ".", LIST_PATH + "/0");
            return;
        }
        FormFields form = FormFields.of(exchange.getMessage().getBody());
        OptionalLong version = WorkRequests.id(form.value("version"));
        Optional<ItemState> state = state(form.value("state"));
        if (version.isEmpty() || version.getAsLong() > Integer.MAX_VALUE || WorkRequests.blankToNull(form.value("state")) != null && state.isEmpty()) {
            PageResponses.write(exchange, pages.problem(400, "This form cannot be used", "It did not say which version of "
                    + "the item it was based on, or named no state. Open the item again and repeat.", pagePath));
            return;
        }
        boolean assigneeGiven = form.value("assignee") != null;
        Workflow.ChangeResult result = workflow.change(key.getAsLong(), (int) version.getAsLong(), state.orElse(null),
                form.value("assignee"), assigneeGiven, "console:" + request.user());
        switch (result.outcome()) {
            case NOT_FOUND -> WorkRequests.notFound(exchange, pages, "There is no item " + id + ".", pagePath);
            case OK -> {
                exchange.setProperty(EventLog.COMMITTED, result.events());
                PageResponses.redirect(exchange, LIST_PATH + "/" + key.getAsLong() + "?changed=1");
            }
            case CONFLICT -> page(exchange, request, result.item(), 409, null,
                    result.item().version() != version.getAsLong() ? STALE : result.message());
            case INVALID -> page(exchange, request, result.item(), 422, null, result.message());
        }
    }

    /** {@code GET /console/attachments/{id}}: the bytes, as a download. */
    public void attachment(@Header("id") String id, Exchange exchange) throws IOException {
        ConsoleRequest.of(exchange);
        OptionalLong key = WorkRequests.id(id);
        Optional<ItemMessages.Attachment> found = key.isPresent() ? messages.attachment(key.getAsLong()) : Optional.empty();
        Path file = found.map(a -> attachments.pathOf(a.sha256())).filter(Files::isRegularFile).orElse(null);
        if (file == null) {
            WorkRequests.notFound(exchange, pages, "There is no attachment " + id + " in the attachment store.",
                    "/console/attachments/0");
            return;
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        PageResponses.SECURITY_HEADERS.forEach(message::setHeader);
        // a download never runs as a page of this origin, even if a browser were to show it
        message.setHeader("Content-Security-Policy", PageResponses.CONTENT_SECURITY_POLICY + "; sandbox");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, AttachmentDownload.contentType(found.get().contentType()));
        message.setHeader("Content-Disposition", AttachmentDownload.contentDisposition(found.get().filename()));
        message.setHeader("Cache-Control", "no-store");
        message.setBody(Files.readAllBytes(file));
    }

    private void page(Exchange exchange, ConsoleRequest request, WorkflowItem item, int status, String notice, String problem) {
        Map<String, Object> model = new LinkedHashMap<>();
        Map<String, Object> view = row(item);
        view.put("mailbox", item.mailbox());
        view.put("category", item.category());
        view.put("priority", item.priority());
        view.put("rule", item.ruleId());
        view.put("slaDue", WorkRequests.time(item.slaDueAt()));
        view.put("slaBreached", WorkRequests.time(item.slaBreachedAt()));
        view.put("created", WorkRequests.time(item.createdAt()));
        view.put("version", item.version());
        model.put("item", view);
        model.put("notice", notice);
        model.put("problem", problem);
        List<ItemState> moves = new ArrayList<>();
        moves.add(item.state());
        moves.addAll(item.state().next());
        model.put("states", stateOptions(moves, item.state().name()));
        model.put("operates", WorkRequests.operates(request));
        model.put("messages", messages.of(item.id()).stream().map(ItemPages::message).toList());
        PageResponses.write(exchange, console.render(request, "console-item", status, LIST_PATH + "/" + item.id(), "Items",
                model));
    }

    private static Map<String, Object> row(WorkflowItem item) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", item.id());
        row.put("type", item.type().toLowerCase(Locale.ROOT));
        row.put("subject", item.subject() == null || item.subject().isBlank() ? "(no subject)" : item.subject());
        row.put("queue", item.queue());
        row.put("state", words(item.state()));
        row.put("assignee", item.assignee());
        row.put("updated", WorkRequests.time(item.updatedAt()));
        row.put("breached", item.slaBreachedAt() != null);
        return row;
    }

    private static Map<String, Object> message(ItemMessages.Message m) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", m.id());
        view.put("relation", "CREATED".equals(m.relation()) ? "opened the item" : "reply");
        view.put("subject", m.subject() == null || m.subject().isBlank() ? "(no subject)" : m.subject());
        view.put("fromName", m.fromName());
        view.put("fromAddress", m.fromAddress());
        view.put("at", WorkRequests.time(m.sentAt() != null ? m.sentAt() : m.ingestedAt()));
        boolean text = m.textBody() != null && !m.textBody().isBlank();
        view.put("text", text ? m.textBody() : null);
        MessageHtml.Sanitized html = text ? null : MessageHtml.sanitize(m.htmlBody());
        view.put("safeHtml", html == null ? null : html.html()); // the only value a template puts out unescaped
        view.put("hasAttachments", !m.attachments().isEmpty());
        view.put("attachments", m.attachments().stream().map(a -> {
            Map<String, Object> attachment = new LinkedHashMap<>();
            attachment.put("id", a.id());
            attachment.put("filename", AttachmentDownload.safeName(a.filename()));
            attachment.put("contentType", a.contentType());
            attachment.put("size", a.size());
            return attachment;
        }).toList());
        return view;
    }

    private static List<Map<String, Object>> stateOptions(List<ItemState> states, String selected) {
        return states.stream().map(s -> {
            Map<String, Object> option = new LinkedHashMap<>();
            option.put("value", s.name());
            option.put("label", words(s));
            option.put("selected", s.name().equals(selected));
            return option;
        }).toList();
    }

    /** IN_PROGRESS → in progress. */
    static String words(ItemState state) {
        return state.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static Optional<ItemState> state(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ItemState.valueOf(text.strip().toUpperCase(Locale.ROOT).replace('-', '_')));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

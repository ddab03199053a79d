package io.mailroute.console;

import io.mailroute.pages.FormFields;
import io.mailroute.pages.Page;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * The console's shell (bean {@code consolePages}, routes/console.camel.yaml): the layout every console page renders
 * in ({@code console-layout.mustache}: the user and role, the nav, a sign-out button carrying the session's CSRF
 * token), and {@code GET /}, which sends a browser to the Overview ({@code console.overview.OverviewPage}). A console
 * page's bean renders with {@link #render}, passing the {@link ConsoleRequest} the guard admitted.
 */
public final class ConsolePages {

    /** One entry of the console's nav: its path from the service's root, its name, and what it is for. */
    public record NavItem(String path, String label, String purpose) {
    }

    /** The console's pages, in the nav's order. */
    public static final List<NavItem> NAV = List.of(
            new NavItem("console/", "Overview", "What came in and went out lately: messages per mailbox, items by queue and "
                    + "state, deliveries by status, SLA breaches, email→push latency."),
            new NavItem("console/mailboxes", "Mailboxes", "Each mailbox's state, last good poll and quota; connect one with "
                    + "Google, re-authorize, revoke access, pause and resume."),
            new NavItem("console/items", "Items", "The work: filter by queue, state and assignee; read an item's messages, "
                    + "assign and move it."),
            new NavItem("console/approvals", "Approvals", "Approvals waiting for you, and deciding them."),
            new NavItem("console/deliveries", "Deliveries", "What was sent to whom through which channel, with attempts and "
                    + "fallbacks; retry a failed one."),
            new NavItem("console/audit", "Audit", "Verify the audit trail and export it."));

    private final Pages pages;

    public ConsolePages(Pages pages) {
        this.pages = pages;
    }

    /**
     * A console page from {@code pages/<template>.mustache}, which extends {@code console-layout}.
     *
     * @param pagePath the page's path ({@code /console/items}): the layout's addresses are relative to it
     * @param current  the nav entry to mark, by its label ({@code Items}); null for none
     */
    public Page render(ConsoleRequest request, String template, int status, String pagePath, String current,
            Map<String, ?> model) {
        Map<String, Object> scope = new LinkedHashMap<>(model);
        Map<String, Object> console = new LinkedHashMap<>();
        console.put("user", request.user());
        console.put("role", request.role().configName());
        console.put("csrf", request.csrfToken());
        console.put("nav", NAV.stream().map(item -> Map.of("path", item.path(), "label", item.label(), "purpose",
                item.purpose(), "current", item.label().equals(current))).toList());
        scope.put("console", console);
        return pages.render(template, status, pagePath, scope);
    }

    /** {@code GET /}: to the console. */
    public void root(Exchange exchange) {
        PageResponses.redirect(exchange, NextPath.DEFAULT);
    }

    /**
     * The page of a form POST without its session's CSRF token: 403, nothing done. Console page beans answer
     * {@link ConsoleRequest.CsrfRefused} with it.
     */
    public Page csrfRefused(String pagePath) {
        return pages.problem(403, "This form cannot be used", "It was not sent from this console's page, or the page is "
                + "older than your session. Open the page again and repeat.", pagePath);
    }

    /** The session's CSRF token from a form's fields, for {@link ConsoleRequest#requireCsrf}. */
    public static String csrfOf(Object body) {
        return FormFields.of(body).value(ConsoleRequest.CSRF_FIELD);
    }
}

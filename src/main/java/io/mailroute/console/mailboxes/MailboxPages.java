package io.mailroute.console.mailboxes;

import io.mailroute.config.MailboxSettings;
import io.mailroute.connection.Connections;
import io.mailroute.connection.MailboxConnection;
import io.mailroute.connection.OAuthEndpoints;
import io.mailroute.connection.TokenStore;
import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleRequest;
import io.mailroute.console.ConsoleSessions;
import io.mailroute.gmail.MailboxQuotas;
import io.mailroute.gmail.MailboxStates;
import io.mailroute.gmail.MailboxStatus;
import io.mailroute.pages.Page;
import io.mailroute.pages.PageResponses;
import io.mailroute.pages.Pages;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's Mailboxes page (bean {@code mailboxPages}, routes/console-mailboxes.camel.yaml):
 * <ul>
 * <li>{@code GET /console/mailboxes} (viewer): every mailbox's state in words and colour, last good poll, cursor and its
 * age, the grant and its age, quota use; {@code GET /console/mailboxes/{id}} one of them (the broken-connection notice
 * links there).</li>
 * <li>{@code POST /console/mailboxes/{id}/connect} (admin): "Sign in with Google" / "Re-authorize" ({@link MailboxConnect}),
 * back at {@code GET /console/mailboxes/connect/callback}.</li>
 * <li>{@code GET /console/mailboxes/{id}/revoke} (admin) asks "are you sure"; its {@code POST} revokes the grant at the
 * provider and forgets it here.</li>
 * <li>{@code POST /console/mailboxes/{id}/pause} and {@code /resume} (operator).</li>
 * </ul>
 * Every POST carries the session's {@code csrf} field; a change ends in a 303 back to the mailbox's page, which says
 * what happened.
 */
public final class MailboxPages {

    static final String PAGE_PATH = "/console/mailboxes";
    private static final String NAV = "Mailboxes";
    private static final Logger LOG = LoggerFactory.getLogger(MailboxPages.class);
    /** What a page says after an action, by the {@code done} its redirect carries (nothing else of it is shown). */
    private static final Map<String, String> DONE = Map.of(
            "connected", "Connected: the new grant is stored encrypted and in use.",
            "revoked", "Access revoked at the provider and the grant forgotten here: the mailbox is not connected.",
            "revoke-unreachable", "The grant is forgotten here, but the provider's revoke endpoint could not be reached: "
                    + "remove Mailroute's access in the Google account (https://myaccount.google.com/permissions).",
            "paused", "Paused: it is not polled until resumed; its cursor is kept.",
            "resumed", "Resumed: it is polled again now.");

    private final ConsolePages console;
    private final Pages pages;
    private final MailboxConnect connect;
    private final Connections connections;
    private final MailboxStates states;
    private final Supplier<List<TokenStore.Summary>> tokens;
    private final Map<String, MailboxSettings> mailboxes;
    private final MailboxQuotas quotas;
    private final Clock clock;

    public MailboxPages(ConsolePages console, Pages pages, MailboxConnect connect, Connections connections, MailboxStates states,
            Supplier<List<TokenStore.Summary>> tokens, Map<String, MailboxSettings> mailboxes, MailboxQuotas quotas, Clock clock) {
        this.console = console;
        this.pages = pages;
        this.connect = connect;
        this.connections = connections;
        this.states = states;
        this.tokens = tokens;
        this.mailboxes = mailboxes;
        this.quotas = quotas;
        this.clock = clock;
    }

    /** {@code GET /console/mailboxes}. */
    public void list(Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("mailboxes", rows(request, s -> true));
        model.put("redirectUri", connect.redirectUri());
        PageResponses.write(exchange, console.render(request, "console-mailboxes", 200, PAGE_PATH, NAV, model));
        allowConnectForms(request, exchange);
    }

    /** An admin's page has connect forms, whose POST is answered with a redirect to the provider's consent. */
    private void allowConnectForms(ConsoleRequest request, Exchange exchange) {
        if (request.role().includes(io.mailroute.access.Role.ADMIN)) {
            PageResponses.allowFormsTo(exchange, connect.providerOrigins());
        }
    }

    /** {@code GET /console/mailboxes/{id}}, with {@code done} after an action. */
    public void show(@Header("id") String id, @Header("done") String done, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        List<MailboxRow> rows = rows(request, s -> s.id().equals(id));
        if (rows.isEmpty()) {
            notFound(exchange, id, PAGE_PATH + "/id");
            return;
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("mailboxes", rows);
        model.put("single", rows.get(0));
        if (done != null && DONE.containsKey(done)) {
            model.put("done", DONE.get(done));
        }
        PageResponses.write(exchange, console.render(request, "console-mailboxes", 200, PAGE_PATH + "/id", NAV, model));
        allowConnectForms(request, exchange);
    }

    /** {@code POST /console/mailboxes/{id}/connect} (field csrf): to Google's consent for this mailbox. */
    public void connect(@Header("id") String id, @Body Object body, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        if (!csrf(request, body, exchange, id, "connect") || !configured(id, exchange)) {
            return;
        }
        MailboxConnect.Start start = connect.start(id, request);
        LOG.info("Console: {} is connecting mailbox {} ({}) with Google", request.user(), id, mailboxes.get(id).address());
        PageResponses.redirect(exchange, start.authorizationUrl());
        exchange.getMessage().setHeader("Set-Cookie", connect.cookie(start));
    }

    /** {@code GET /console/mailboxes/connect/callback?code=&state=}: the grant stored and in use, or why not. */
    public void callback(@Header("code") String code, @Header("state") String state, @Header("error") String error,
            @Header("Cookie") String cookies, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        try {
            String id = connect.finish(code, state, error, ConsoleSessions.cookieValue(cookies, MailboxConnect.COOKIE), request);
            LOG.info("Console: {} connected mailbox {} ({})", request.user(), id, mailboxes.get(id).address());
            PageResponses.redirect(exchange, pageOf(id) + "?done=connected");
        } catch (MailboxConnect.Refused e) {
            LOG.warn("Console: {}: {}", request.user(), e.getMessage());
            PageResponses.write(exchange, pages.problem(e.status(), "Not connected", e.sentence(),
                    MailboxConnect.CALLBACK_PATH));
        }
        exchange.getMessage().setHeader("Set-Cookie", connect.clearCookie());
    }

    /** {@code GET /console/mailboxes/{id}/revoke}: are you sure? */
    public void confirmRevoke(@Header("id") String id, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        if (!configured(id, exchange)) {
            return;
        }
        List<MailboxRow> rows = rows(request, s -> s.id().equals(id));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("mailbox", rows.isEmpty() ? null : rows.get(0));
        model.put("id", id);
        model.put("address", mailboxes.get(id).address());
        PageResponses.write(exchange, console.render(request, "console-mailbox-revoke", 200, PAGE_PATH + "/id/revoke", NAV, model));
    }

    /** {@code POST /console/mailboxes/{id}/revoke} (field csrf): revoked at the provider, forgotten here. */
    public void revoke(@Header("id") String id, @Body Object body, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        if (!csrf(request, body, exchange, id, "revoke") || !configured(id, exchange)) {
            return;
        }
        OAuthEndpoints.Revocation revocation = connections.disconnect(id, request.user());
        LOG.info("Console: {} revoked the access of mailbox {} ({})", request.user(), id, revocation);
        PageResponses.redirect(exchange, pageOf(id) + "?done="
                + (revocation == OAuthEndpoints.Revocation.UNREACHABLE ? "revoke-unreachable" : "revoked"));
    }

    /** {@code POST /console/mailboxes/{id}/pause} (field csrf). */
    public void pause(@Header("id") String id, @Body Object body, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        if (csrf(request, body, exchange, id, "pause") && configured(id, exchange)) {
            connections.pause(id, request.user());
            PageResponses.redirect(exchange, pageOf(id) + "?done=paused");
        }
    }

    /** {@code POST /console/mailboxes/{id}/resume} (field csrf). */
    public void resume(@Header("id") String id, @Body Object body, Exchange exchange) {
        ConsoleRequest request = ConsoleRequest.of(exchange);
        if (csrf(request, body, exchange, id, "resume") && configured(id, exchange)) {
            connections.resume(id, request.user());
            PageResponses.redirect(exchange, pageOf(id) + "?done=resumed");
        }
    }

    /** The mailboxes the filter keeps, as the page shows them to this request's role. */
    List<MailboxRow> rows(ConsoleRequest request, java.util.function.Predicate<MailboxStatus> which) {
        Instant now = clock.instant();
        Map<String, TokenStore.Summary> stored = tokens.get().stream()
                .collect(Collectors.toMap(TokenStore.Summary::mailboxId, Function.identity()));
        Map<String, MailboxConnection.Source> sources = connections.sources();
        return states.all().stream().filter(which).map(status -> MailboxRows.of(status, mailboxes.get(status.id()),
                stored.get(status.id()), sources.getOrDefault(status.id(), MailboxConnection.Source.NONE),
                quotas.usage(status.id()), request.role(), now)).toList();
    }

    private boolean csrf(ConsoleRequest request, Object body, Exchange exchange, String id, String action) {
        if (request.csrfMatches(ConsolePages.csrfOf(body))) {
            return true;
        }
        LOG.info("Console: {} sent a {} of mailbox {} without the session's CSRF token: refused", request.user(), action, id);
        PageResponses.write(exchange, console.csrfRefused(PAGE_PATH + "/id/" + action)); // the depth of the action's path
        return false;
    }

    private boolean configured(String id, Exchange exchange) {
        if (id != null && mailboxes.containsKey(id)) {
            return true;
        }
        notFound(exchange, id, PAGE_PATH + "/id/action");
        return false;
    }

    /** @param pagePath a path as deep as the request's (the page's addresses are relative) */
    private void notFound(Exchange exchange, String id, String pagePath) {
        PageResponses.write(exchange, pages.problem(404, "No such mailbox", "No mailbox '" + id + "' is configured "
                + "(config/mailboxes.yaml). The Mailboxes page lists those there are.", pagePath));
    }

    /** A configured mailbox's page (its id is [a-z0-9-], safe in a path). */
    private static String pageOf(String id) {
        return PAGE_PATH + "/" + id;
    }
}

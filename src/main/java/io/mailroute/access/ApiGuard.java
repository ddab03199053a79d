package io.mailroute.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import io.mailroute.db.Outage;
import io.mailroute.gmail.push.OidcTokenVerifier;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.model.Model;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in front of everything on the service port (camel.server.port): a request carries
 * {@code Authorization: Bearer <token>} of a token whose role includes what its endpoint needs
 * ({@link ApiAccessPolicy}), or it is answered 401 (no or bad token) or 403 (role too small) and
 * never reaches a route. What reaches a route carries who it is ({@link #PRINCIPAL_HEADER},
 * {@link #ROLE_HEADER}) and no longer the token. The endpoints the route files declare public (signed-link pages
 * under /p/, their static files under /assets/, the console's sign-in pages) pass without a token, and carry no
 * principal. Console pages (security key {@code session}, under /console/) are for a signed-in person's session, not a
 * token: the {@link ConsoleGate} answers them, after checking Host and Origin of everything under /console/ and of /.
 * Pub/Sub's push ({@code POST /gmail/push}, security key {@code pubsubOidc}) passes with a valid OIDC ID token of the
 * configured push service account ({@link #withPubSubPush}): 401 without a genuine one, 403 for one meant for another
 * audience or sent by another account, the reason in the log only; a 404 when no push endpoint is configured.
 */
public final class ApiGuard extends ServiceSupport {

    /** The authenticated token's name, set here (a client's own value is removed): the actor of what the request does. */
    public static final String PRINCIPAL_HEADER = "X-Mailroute-Principal";
    public static final String ROLE_HEADER = "X-Mailroute-Role";
    /** A console session's CSRF token, set here for console pages (a client's own value is removed). */
    public static final String CSRF_HEADER = "X-Mailroute-Csrf";
    /** Before the routes platform-http adds (their order is their position, from 0). */
    private static final int ORDER = -1_000;
    private static final Logger LOG = LoggerFactory.getLogger(ApiGuard.class);

    private final CamelContext context;
    private final ApiTokens tokens;
    private final ObjectMapper json;
    private final Supplier<String> howToGetAToken;
    private ApiAccessPolicy policy;
    private ConsoleGate console;
    private OidcTokenVerifier pushTokens;

    /** @param howToGetAToken the command that creates a token, for the 401 answer */
    public ApiGuard(CamelContext context, ApiTokens tokens, ObjectMapper json, Supplier<String> howToGetAToken) {
        this.context = context;
        this.tokens = tokens;
        this.json = json;
        this.howToGetAToken = howToGetAToken;
    }

    /** Console pages are answered by this gate; without one they are 404s. */
    public ApiGuard withConsole(ConsoleGate gate) {
        this.console = gate;
        return this;
    }

    /** Pub/Sub's push is admitted with a token this verifier accepts; without one it is a 404. */
    public ApiGuard withPubSubPush(OidcTokenVerifier verifier) {
        this.pushTokens = verifier;
        return this;
    }

    @Override
    protected void doStart() {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        policy = ApiAccessPolicy.of(context.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions());
        if (server == null || server.getRouter() == null) {
            LOG.info("No service port (camel.server.enabled=false): no API");
            return;
        }
        server.getRouter().route().order(ORDER).handler(this::handle);
        long open = policy.rules().stream().filter(ApiAccessPolicy.Rule::isPublic).count();
        long pages = policy.rules().stream().filter(ApiAccessPolicy.Rule::isSession).count();
        long pushes = policy.rules().stream().filter(ApiAccessPolicy.Rule::isPubSubPush).count();
        LOG.info("API: {} endpoints, each needing an API token with its role; {} console pages, each needing a session with "
                + "its role; {} public (signed-link pages, sign-in pages and their files); Pub/Sub's push {}",
                policy.rules().size() - open - pages - pushes, pages, open, pushTokens == null ? "off (no pubsub.endpoint)"
                        : "with its OIDC token");
    }

    /**
     * Has platform-http keep the headers this guard sets its own ({@link GuardedHeaders}); before any route's endpoint
     * is made, which takes its component's filter when it is created.
     */
    public static void guardHeaders(CamelContext context) {
        context.getComponent("platform-http", org.apache.camel.component.platform.http.PlatformHttpComponent.class)
                .setHeaderFilterStrategy(new GuardedHeaders());
    }

    public ApiAccessPolicy policy() {
        return policy;
    }

    void handle(RoutingContext request) {
        MultiMap headers = request.request().headers();
        String authorization = headers.get("Authorization");
        headers.remove("Authorization");
        // Every request that passes carries the three, empty until a token or session fills them: platform-http reads
        // HTTP headers before query parameters and form fields, so GuardedHeaders can drop any later value of them.
        headers.set(PRINCIPAL_HEADER, "");
        headers.set(ROLE_HEADER, "");
        headers.set(CSRF_HEADER, "");
        String method = request.request().method().name();
        String path = request.normalizedPath();
        if (console != null && (path.equals("/") || ApiAccessPolicy.isConsole(path)) && !console.addressAllowed(request)) {
            return;
        }
        if (policy.isPublic(method, path)) {
            request.next(); // the page checks its signed link; a token sent along is dropped above, unread
            return;
        }
        if (policy.isPubSubPush(method, path)) {
            admitPush(request, bearer(authorization), method, path);
            return;
        }
        Role required = policy.required(method, path);
        if (policy.isSession(method, path)) {
            if (console == null) {
                refuse(request, 404, null, "no console on this service");
            } else {
                console.admit(request, required); // a token sent along was dropped above, unread: it opens no page
            }
            return;
        }
        String token = bearer(authorization);
        if (token == null) {
            refuse(request, 401, "Bearer realm=\"mailroute\"", method + " " + path + " needs an API token with role "
                    + required.configName() + " or more, sent as 'Authorization: Bearer <token>'; " + howToGetAToken.get());
            return;
        }
        Optional<Outage> outage = tokens.outage();
        if (outage.isPresent()) {
            // A full disk closed the database: said once in the log and by health; a line per request would bury it.
            refuse(request, 503, null, "the database is closed for now: " + outage.get().summary());
            return;
        }
        // The token is looked up in the database, off the event loop; the body waits (platform-http's body
        // handler resumes the request) so that none of it is lost meanwhile, as Vert.x's own auth handlers do.
        if (!request.request().isEnded()) {
            request.request().pause();
        }
        request.vertx().executeBlocking(() -> tokens.authenticate(token), false).onComplete(looked -> {
            if (looked.failed()) {
                Optional<Outage> closed = tokens.outage();
                if (closed.isEmpty()) {
                    LOG.warn("API: cannot check a token ({}): answering 503", looked.cause().getMessage());
                }
                refuse(request, 503, null, closed.map(o -> "the database is closed for now: " + o.summary())
                        .orElse("the service cannot check tokens now (its database does not answer); try again"));
            } else if (looked.result().isEmpty()) {
                refuse(request, 401, "Bearer realm=\"mailroute\", error=\"invalid_token\"",
                        "the API token is not valid (mistyped, or revoked); " + howToGetAToken.get());
            } else {
                admit(request, looked.result().get(), required, method, path);
            }
        });
    }

    private void admit(RoutingContext request, ApiTokens.Principal principal, Role required, String method, String path) {
        if (!principal.role().includes(required)) {
            LOG.info("API: token '{}' ({}) refused {} {}: needs {}", principal.name(), principal.role().configName(),
                    method, path, required.configName());
            refuse(request, 403, "Bearer realm=\"mailroute\", error=\"insufficient_scope\"", "token '" + principal.name()
                    + "' has role " + principal.role().configName() + ", but " + method + " " + path + " needs "
                    + required.configName());
            return;
        }
        MultiMap headers = request.request().headers();
        headers.set(PRINCIPAL_HEADER, principal.name());
        headers.set(ROLE_HEADER, principal.role().configName());
        request.next();
    }

    /**
     * Pub/Sub's push: its token is verified off the event loop (the issuer's keys may have to be fetched). The answer
     * says nothing of why a token is refused (the log does, never with the token).
     */
    private void admitPush(RoutingContext request, String token, String method, String path) {
        if (pushTokens == null) {
            refuse(request, 404, null, "no push endpoint on this service (pubsub.endpoint in mailboxes.yaml)");
            return;
        }
        if (token == null) {
            LOG.warn("Gmail push: {} {} refused (401): no bearer token in the Authorization header", method, path);
            refuse(request, 401, "Bearer realm=\"mailroute\"", "unauthenticated");
            return;
        }
        if (!request.request().isEnded()) {
            request.request().pause();
        }
        request.vertx().executeBlocking(() -> pushTokens.verify(token), false).onComplete(verified -> {
            if (verified.succeeded()) {
                request.request().headers().set(PRINCIPAL_HEADER, "pubsub:" + verified.result().email());
                request.next();
                return;
            }
            boolean notForUs = verified.cause() instanceof OidcTokenVerifier.RefusedException r && r.notForUs();
            int status = notForUs ? 403 : 401;
            // a refusal's message names the failed check, never the token; anything else is named by its class only
            LOG.warn("Gmail push: {} {} refused ({}): {}", method, path, status, verified.cause() instanceof
                    OidcTokenVerifier.RefusedException ? verified.cause().getMessage()
                    : "the token could not be checked (" + verified.cause().getClass().getName() + ")");
            refuse(request, status, notForUs ? "Bearer realm=\"mailroute\", error=\"insufficient_scope\""
                    : "Bearer realm=\"mailroute\", error=\"invalid_token\"", notForUs ? "forbidden" : "unauthenticated");
        });
    }

    /** The token of {@code Authorization: Bearer <token>} (scheme case-insensitive, RFC 6750), or null. */
    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private void refuse(RoutingContext request, int status, String challenge, String message) {
        ObjectNode body = json.createObjectNode();
        body.putObject("error").put("status", status).put("message", message);
        if (challenge != null) {
            request.response().putHeader("WWW-Authenticate", challenge);
        }
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }
}

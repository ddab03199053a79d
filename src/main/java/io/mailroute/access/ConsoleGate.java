package io.mailroute.access;

import io.vertx.ext.web.RoutingContext;

/**
 * What {@link ApiGuard} hands console requests to (the console's sessions, io.mailroute.console.ConsoleGuard): the
 * check of Host and Origin against the console's public address, and the session a console page needs.
 */
public interface ConsoleGate {

    /**
     * Whether the request's Host and Origin are the console's public address; when not, the request has been answered
     * (421 or 403) and must go no further.
     */
    boolean addressAllowed(RoutingContext request);

    /**
     * Answers or passes on a request for a console page: no session → 303 to sign-in, role too small → 403, else on to
     * the route with {@link ApiGuard#PRINCIPAL_HEADER}, {@link ApiGuard#ROLE_HEADER} and {@link ApiGuard#CSRF_HEADER}.
     */
    void admit(RoutingContext request, Role required);
}

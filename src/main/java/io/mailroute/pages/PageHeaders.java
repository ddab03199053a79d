package io.mailroute.pages;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Puts the pages' response headers on every answer under {@value Pages#LINK_PREFIX}, {@value PageAssets#PREFIX} and /console/,
 * on the service port's router itself: also on answers no page bean wrote (a 404 or 405 of the router, an error), and
 * including {@code Cache-Control}, which platform-http's header filter drops from what a route sets. Pages are
 * {@code no-store}; an asset found is cached a year (its name changes with its content); an image that is no asset
 * (an email's open-tracking image, {@link PageResponses#image}) is {@code no-store, private}.
 */
public final class PageHeaders extends ServiceSupport {

    /** After ApiGuard (-1000), before the routes platform-http adds. */
    private static final int ORDER = -900;

    private final CamelContext context;

    public PageHeaders(CamelContext context) {
        this.context = context;
    }

    @Override
    protected void doStart() {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server == null || server.getRouter() == null) {
            return; // no service port, no pages
        }
        server.getRouter().route(Pages.LINK_PREFIX + "*").order(ORDER).handler(request -> handle(request, false));
        server.getRouter().route(PageAssets.PREFIX + "*").order(ORDER).handler(request -> handle(request, true));
        server.getRouter().route(io.mailroute.access.ApiAccessPolicy.CONSOLE_PREFIX + "*").order(ORDER)
                .handler(request -> handle(request, false));
    }

    private static void handle(RoutingContext request, boolean asset) {
        request.addHeadersEndHandler(ignored -> apply(request.response().headers(), request.response().getStatusCode(), asset));
        request.next();
    }

    /** The headers of an answer with this status: the security headers, and how long it may be kept. */
    static void apply(MultiMap headers, int status, boolean asset) {
        // a page's own policy (PageResponses.allowFormsTo) is kept; every other answer gets the default
        String pagePolicy = headers.get(PageResponses.CONTENT_SECURITY_POLICY_HEADER);
        PageResponses.SECURITY_HEADERS.forEach(headers::set);
        if (pagePolicy != null && pagePolicy.startsWith(PageResponses.CONTENT_SECURITY_POLICY.substring(0,
                PageResponses.CONTENT_SECURITY_POLICY.indexOf("form-action")))) {
            headers.set(PageResponses.CONTENT_SECURITY_POLICY_HEADER, pagePolicy);
        }
        String contentType = headers.get("Content-Type");
        headers.set("Cache-Control", asset && status == 200 ? PageResponses.IMMUTABLE
                : !asset && contentType != null && contentType.startsWith("image/") ? PageResponses.NO_STORE_PRIVATE
                : PageResponses.NO_STORE);
    }
}

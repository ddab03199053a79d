package io.mailroute.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The console's keys in the route files: session pages under /console/, public sign-in pages and GET /. */
class ConsoleAccessPolicyTest {

    private static final String ROUTES = """
            - rest:
                path: /api
                get:
                  - path: /items
                    security: [{key: token, scopes: viewer}]
                    to: direct:a1
            - rest:
                path: /console
                get:
                  - path: /
                    security: [{key: session, scopes: viewer}]
                    to: direct:c1
                  - path: /tokens
                    security: [{key: session, scopes: admin}]
                    to: direct:c2
                  - path: /sign-in
                    security: [{key: public}]
                    to: direct:c3
                  - path: /sign-in/google/callback
                    security: [{key: public}]
                    to: direct:c4
                post:
                  - path: /sign-out
                    security: [{key: session, scopes: viewer}]
                    to: direct:c5
            - rest:
                path: /
                get:
                  - security: [{key: public}]
                    to: direct:root
            """;

    @ParameterizedTest(name = "{0} {1}: session {2}, public {3}, needs {4}")
    @CsvSource({
        "GET, /console/, true, false, VIEWER",
        "GET, /console, true, false, VIEWER",
        "GET, /console/tokens, true, false, ADMIN",
        "POST, /console/sign-out, true, false, VIEWER",
        "GET, /console/not-declared, true, false, ADMIN",   // nothing under /console/ is open by omission
        "POST, /console/, true, false, ADMIN",
        "GET, /console/sign-in, false, true, ADMIN",
        "GET, /console/sign-in/google/callback, false, true, ADMIN",
        "GET, /, false, true, ADMIN",
        "GET, /api/items, false, false, VIEWER",             // the API stays the tokens'
        "GET, /consoles, false, false, ADMIN",               // a token path, not the console's
    })
    void consolePagesNeedASessionAndTheSignInPagesNothing(String method, String path, boolean session, boolean open,
            Role role) throws Exception {
        ApiAccessPolicy policy = policy(ROUTES);
        assertEquals(session, policy.isSession(method, path));
        assertEquals(open, policy.isPublic(method, path));
        assertEquals(role, policy.required(method, path));
    }

    @Test
    void aSessionOutsideTheConsoleATokenInsideItAndPublicPagesElsewhereAreProblems() {
        ConfigException e = assertThrows(ConfigException.class, () -> policy("""
                - rest:
                    path: /api
                    get:
                      - id: session-api
                        path: /items
                        security: [{key: session, scopes: viewer}]
                        to: direct:x1
                - rest:
                    path: /console
                    get:
                      - id: token-page
                        path: /items
                        security: [{key: token, scopes: viewer}]
                        to: direct:x2
                      - id: open-page
                        path: /items/all
                        security: [{key: public}]
                        to: direct:x3
                      - id: sign-in-lookalike
                        path: /sign-inside
                        security: [{key: public}]
                        to: direct:x4
                      - id: no-role
                        path: /audit
                        security: [{key: session}]
                        to: direct:x5
                """));
        List<String> problems = e.problems().stream().map(p -> p.key() + ": " + p.problem()).toList();
        assertEquals(List.of(
                "GET /api/items (session-api): needs a console session, which only paths under /console/ may",
                "GET /console/items (token-page): needs an API token, but paths under /console/ are console pages, for sessions",
                "GET /console/items/all (open-page): is public (security key 'public'), which only paths under /assets/ may be",
                "GET /console/sign-inside (sign-in-lookalike): is public (security key 'public'), which only paths under /assets/ may be",
                "GET /console/audit (no-role): has security scopes 'null' is not a role; the roles are viewer, operator, admin"),
                problems);
    }

    @Test
    void theShippedConsoleRoutesDeclareTheirKeys() throws Exception {
        ApiAccessPolicy shipped = policy(java.nio.file.Files.readString(java.nio.file.Path.of("routes", "console.camel.yaml")));
        assertEquals(true, shipped.isSession("GET", "/console/"));
        assertEquals(true, shipped.isSession("POST", "/console/sign-out"));
        assertEquals(true, shipped.isPublic("GET", "/console/sign-in"));
        assertEquals(true, shipped.isPublic("POST", "/console/sign-in"));
        assertEquals(true, shipped.isPublic("GET", "/"));
        assertEquals(Role.VIEWER, shipped.required("GET", "/console/"));
    }

    private static ApiAccessPolicy policy(String yaml) throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromBytes("file:/tmp/memory-routes.camel.yaml",
                    yaml.getBytes(StandardCharsets.UTF_8)));
            return ApiAccessPolicy.of(context.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions());
        }
    }
}

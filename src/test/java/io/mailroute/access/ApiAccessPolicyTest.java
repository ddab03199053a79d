package io.mailroute.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ApiAccessPolicyTest {

    private static final String API = """
            - rest:
                path: /api
                get:
                  - id: list
                    path: /tokens
                    security: [{key: token, scopes: admin}]
                    to: direct:r1
                  - id: one-mailbox
                    path: /mailboxes/{id}
                    security: [{key: token, scopes: viewer}]
                    to: direct:r2
                  - id: mine
                    path: /mailboxes/mine
                    security: [{key: token, scopes: operator}]
                    to: direct:r3
                post:
                  - id: pause
                    path: /mailboxes/{id}/pause
                    security: [{key: token, scopes: operator}]
                    to: direct:r4
            - rest:
                path: /other
                securityRequirements: [{key: token, scopes: viewer}]
                get:
                  - path: /inherited
                    to: direct:r5
            """;

    @ParameterizedTest(name = "{0} {1} needs {2}")
    @CsvSource({
        "GET, /api/tokens, ADMIN",
        "GET, /api/tokens/, ADMIN",
        "GET, /api/mailboxes/hr, VIEWER",
        "GET, /api/mailboxes/mine, OPERATOR",      // the literal path wins over the template
        "POST, /api/mailboxes/hr/pause, OPERATOR",
        "GET, /api/mailboxes/hr/pause, ADMIN",     // no GET there: nothing is open by omission
        "POST, /api/mailboxes/hr, ADMIN",
        "GET, /api/mailboxes/a/b, ADMIN",          // {id} is one segment
        "GET, /other/inherited, VIEWER",           // the rest's requirement applies to its verbs
        "GET, /, ADMIN",
        "DELETE, /api/tokens, ADMIN",
    })
    void eachRequestNeedsTheRoleOfTheEndpointItMatches(String method, String path, Role role) throws Exception {
        assertEquals(role, policy(API).required(method, path));
    }

    @Test
    void anEndpointThatDeclaresNoUsableRoleIsAProblemNamingItsFileAndVerb() {
        ConfigException e = assertThrows(ConfigException.class, () -> policy("""
                - rest:
                    path: /api
                    get:
                      - id: silent
                        path: /a
                        to: direct:r6
                      - id: unknown-role
                        path: /b
                        security: [{key: token, scopes: root}]
                        to: direct:r7
                      - id: other-scheme
                        path: /c
                        security: [{key: basic}]
                        to: direct:r8
                      - id: fine
                        path: /d
                        security: [{key: token, scopes: viewer}]
                        to: direct:r9
                """));
        List<ConfigProblem> problems = e.problems();
        assertEquals(List.of("GET /api/a (silent)", "GET /api/b (unknown-role)", "GET /api/c (other-scheme)"),
                problems.stream().map(ConfigProblem::key).toList());
        assertEquals("declares no role", problems.get(0).problem());
        assertEquals("has security scopes 'root' is not a role; the roles are viewer, operator, admin", problems.get(1).problem());
        assertEquals("has security [basic], but Mailroute knows key 'token', 'session' for console pages under /console/ (and, "
                + "for public pages, 'signedLink' under /p/ and 'public' under /assets/ and /console/sign-in; 'pubsubOidc' "
                + "for POST /gmail/push)", problems.get(2).problem());
        problems.forEach(p -> assertEquals("memory-routes.camel.yaml", p.file().replaceAll(".*/", "")));
        assertEquals("give it 'security: [{key: token, scopes: <role>}]' with one of viewer, operator, admin",
                problems.get(0).fix());
    }

    @Test
    void pubSubsPushTokenOpensOnlyPostGmailPushAndNothingElseIsOpenedByIt() throws Exception {
        ApiAccessPolicy shipped = ApiAccessPolicy.of(io.mailroute.testing.ShippedRoutes.restDefinitions());
        assertEquals(true, shipped.isPubSubPush("POST", "/gmail/push"));
        assertEquals(false, shipped.isPublic("POST", "/gmail/push"), "never open without its token");
        assertEquals(false, shipped.isSession("POST", "/gmail/push"));
        assertEquals(false, shipped.isPubSubPush("GET", "/gmail/push"), "only the declared verb");
        assertEquals(Role.ADMIN, shipped.required("GET", "/gmail/push"));
        assertEquals(false, shipped.isPubSubPush("POST", "/api/messages"));

        ConfigException e = assertThrows(ConfigException.class, () -> policy("""
                - rest:
                    path: /api
                    post:
                      - id: sneaky
                        path: /tokens
                        security: [{key: pubsubOidc}]
                        to: direct:s1
                - rest:
                    path: /gmail
                    get:
                      - id: wrong-verb
                        path: /push
                        security: [{key: pubsubOidc}]
                        to: direct:s2
                """));
        assertEquals(List.of("POST /api/tokens (sneaky)", "GET /gmail/push (wrong-verb)"),
                e.problems().stream().map(ConfigProblem::key).toList());
        assertEquals("has security key 'pubsubOidc', which only POST /gmail/push (Pub/Sub's push of Gmail notifications) "
                + "may have", e.problems().get(0).problem());
    }

    @Test
    void theShippedApiDeclaresARoleForEveryEndpoint() throws Exception {
        ApiAccessPolicy shipped = ApiAccessPolicy.of(io.mailroute.testing.ShippedRoutes.restDefinitions());
        assertEquals(Role.VIEWER, shipped.required("GET", "/api/messages"));
        assertEquals(Role.OPERATOR, shipped.required("PATCH", "/api/items/7"));
        assertEquals(Role.ADMIN, shipped.required("PUT", "/api/mailboxes/hr/connection"));
        assertEquals(Role.ADMIN, shipped.required("POST", "/api/recipients/team/targets"));
    }

    @Test
    void signedLinkPagesAndTheirFilesArePublicOnlyWhereTheyMayBe() throws Exception {
        ApiAccessPolicy policy = policy(API + """
                - rest:
                    path: /p/approvals
                    get:
                      - path: /decide
                        security: [{key: signedLink}]
                        to: direct:p1
                - rest:
                    path: /assets
                    get:
                      - path: /{name}
                        security: [{key: public}]
                        to: direct:p2
                """);
        assertEquals(true, policy.isPublic("GET", "/p/approvals/decide"));
        assertEquals(true, policy.isPublic("GET", "/assets/mailroute.0123456789.css"));
        assertEquals(false, policy.isPublic("POST", "/p/approvals/decide"), "only the declared verb");
        assertEquals(false, policy.isPublic("GET", "/p/approvals/other"));
        assertEquals(false, policy.isPublic("GET", "/api/tokens"));
        assertEquals(Role.ADMIN, policy.required("POST", "/p/approvals/decide"));

        ConfigException e = assertThrows(ConfigException.class, () -> policy("""
                - rest:
                    path: /api
                    get:
                      - id: opened
                        path: /items
                        security: [{key: signedLink}]
                        to: direct:p3
                      - id: files
                        path: /p/x
                        security: [{key: public}]
                        to: direct:p4
                """));
        assertEquals(List.of("is public (security key 'signedLink'), which only paths under /p/ may be",
                "is public (security key 'public'), which only paths under /assets/ may be"),
                e.problems().stream().map(ConfigProblem::problem).toList());
    }

    @ParameterizedTest
    @CsvSource(value = {
        "Bearer mrt_abc | mrt_abc",
        "bearer   mrt_abc   | mrt_abc",
        "BEARER mrt_abc | mrt_abc",
        "Basic dXNlcjpwYXNz | ",
        "Bearer | ",
        "Bearer    | ",
        "mrt_abc | ",
        " | ",
    }, delimiter = '|')
    void theBearerTokenIsReadFromTheAuthorizationHeader(String header, String token) {
        assertEquals(token, ApiGuard.bearer(header));
    }

    @Test
    void noHeaderIsNoToken() {
        assertNull(ApiGuard.bearer(null));
    }

    private static ApiAccessPolicy policy(String yaml) throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromBytes("file:/tmp/memory-routes.camel.yaml",
                    yaml.getBytes(StandardCharsets.UTF_8)));
            List<RestDefinition> rests = context.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions();
            return ApiAccessPolicy.of(rests);
        }
    }
}

package io.mailroute.access;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.SecurityDefinition;
import org.apache.camel.model.rest.VerbDefinition;

/**
 * Which role each REST endpoint needs, read from the route files themselves: a verb says
 * {@code security: [{key: token, scopes: viewer}]} (or its {@code rest:} says it for all its verbs
 * with {@code securityRequirements}), the same declaration Camel puts in an OpenAPI document. A verb
 * that says nothing is a configuration problem, and a request that matches no verb needs admin:
 * nothing on the service port is open by omission.
 *
 * <p>Pages people open without a token are declared the same way, each with what stands in for it: a
 * signed-link page says {@code security: [{key: signedLink}]} (the link's signature is the credential, checked by
 * the page) and must live under {@value #SIGNED_LINK_PREFIX}; a static file says {@code security: [{key: public}]}
 * and must live under {@value #ASSETS_PREFIX} (or be the console's sign-in pages under {@value #SIGN_IN_PREFIX}, or
 * {@code GET /}, which sends a browser to the console). Either key elsewhere is a configuration problem, so no route file
 * can open an API path by mistake.
 *
 * <p>Console pages are for people with a session instead of a token: {@code security: [{key: session, scopes: viewer}]},
 * only under {@value #CONSOLE_PREFIX}. A token never opens one, and a session never opens anything else. A request
 * under {@value #CONSOLE_PREFIX} that matches no verb needs an admin session.
 *
 * <p>Pub/Sub's push subscription delivers Gmail notifications to {@value #PUBSUB_PUSH_PATH} only, with an OIDC ID token
 * Google signed instead of an API token: {@code security: [{key: pubsubOidc}]}, checked by the guard against
 * {@code pubsub.endpoint:} of mailboxes.yaml. Neither an API token nor a session opens it, nor it anything else.
 */
public final class ApiAccessPolicy {

    /** The security key the route files use for API tokens. */
    public static final String TOKEN_KEY = "token";
    /** The security key of a signed-link page: no token, the signature in the link is the credential. */
    public static final String SIGNED_LINK_KEY = "signedLink";
    /** The security key of a static file for those pages: no credential at all. */
    public static final String PUBLIC_KEY = "public";
    /** Where signed-link pages must live. */
    public static final String SIGNED_LINK_PREFIX = "/p/";
    /** Where public static files must live. */
    public static final String ASSETS_PREFIX = "/assets/";
    /** The security key of a console page: a signed-in person's session, with a role. */
    public static final String SESSION_KEY = "session";
    /** Where console pages must live. */
    public static final String CONSOLE_PREFIX = "/console/";
    /** The console's sign-in pages, public ({@value #PUBLIC_KEY}) like the assets. */
    public static final String SIGN_IN_PREFIX = "/console/sign-in";

    /** The security key of Pub/Sub's push deliveries: an OIDC ID token signed by Google (or the sandbox). */
    public static final String PUBSUB_OIDC_KEY = "pubsubOidc";
    /** The one path Pub/Sub may push to. */
    public static final String PUBSUB_PUSH_PATH = "/gmail/push";

    /**
     * One endpoint: method and path template, the role it needs, and where it was declared.
     *
     * @param role the role a token or session needs; null for a public endpoint
     * @param key  its security key: {@value #TOKEN_KEY}, {@value #SESSION_KEY}, {@value #PUBSUB_OIDC_KEY}, or for a
     *             public endpoint {@value #SIGNED_LINK_KEY} or {@value #PUBLIC_KEY}
     */
    public record Rule(String method, String template, Pattern path, Role role, String routeId, String key) {

        /** Reached without an API token or a session. */
        public boolean isPublic() {
            return publicPrefix(key) != null;
        }

        /** A console page: a session with {@link #role} opens it, a token does not. */
        public boolean isSession() {
            return SESSION_KEY.equals(key);
        }

        /** Pub/Sub's push: its OIDC token opens it, neither an API token nor a session does. */
        public boolean isPubSubPush() {
            return PUBSUB_OIDC_KEY.equals(key);
        }

        boolean matches(String requestMethod, String requestPath) {
            return method.equals(requestMethod) && path.matcher(requestPath).matches();
        }

        /** More literal segments first, so {@code /tokens/mine} wins over {@code /tokens/{name}}. */
        int literalSegments() {
            return (int) template.chars().filter(c -> c == '/').count() - (int) template.chars().filter(c -> c == '{').count();
        }
    }

    private final List<Rule> rules;

    private ApiAccessPolicy(List<Rule> rules) {
        this.rules = rules.stream().sorted(Comparator.comparingInt(Rule::literalSegments).reversed()).toList();
    }

    public List<Rule> rules() {
        return rules;
    }

    /**
     * The policy the REST definitions declare.
     *
     * @throws ConfigException listing every verb that declares no role, or one that does not exist
     */
    public static ApiAccessPolicy of(List<RestDefinition> rests) {
        List<ConfigProblem> problems = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        for (RestDefinition rest : rests) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String template = join(rest.getPath(), verb.getPath());
                String method = verb.asVerb().toUpperCase(Locale.ROOT);
                String where = method + " " + template + (verb.getId() == null ? "" : " (" + verb.getId() + ")");
                List<SecurityDefinition> security = verb.getSecurity() != null && !verb.getSecurity().isEmpty()
                        ? verb.getSecurity() : rest.getSecurityRequirements();
                Role role = null;
                String problem = null;
                String key = security == null || security.size() != 1 ? null : security.get(0).getKey();
                if (security == null || security.isEmpty()) {
                    problem = "declares no role";
                } else if (publicPrefix(key) != null) {
                    if (!mayBePublic(key, template)) {
                        problem = "is public (security key '" + key + "'), which only paths under " + publicPrefix(key)
                                + " may be";
                    }
                } else if (PUBSUB_OIDC_KEY.equals(key)) {
                    if (!template.equals(PUBSUB_PUSH_PATH) || !method.equals("POST")) {
                        problem = "has security key '" + PUBSUB_OIDC_KEY + "', which only POST " + PUBSUB_PUSH_PATH
                                + " (Pub/Sub's push of Gmail notifications) may have";
                    }
                } else if (key == null || !TOKEN_KEY.equals(key) && !SESSION_KEY.equals(key)) {
                    problem = "has security " + describe(security) + ", but Mailroute knows key '" + TOKEN_KEY
                            + "', '" + SESSION_KEY + "' for console pages under " + CONSOLE_PREFIX + " (and, for public pages, '"
                            + SIGNED_LINK_KEY + "' under " + SIGNED_LINK_PREFIX + " and '" + PUBLIC_KEY + "' under "
                            + ASSETS_PREFIX + " and " + SIGN_IN_PREFIX + "; '" + PUBSUB_OIDC_KEY + "' for POST "
                            + PUBSUB_PUSH_PATH + ")";
                } else if (TOKEN_KEY.equals(key) == isConsole(template)) {
                    problem = TOKEN_KEY.equals(key) ? "needs an API token, but paths under " + CONSOLE_PREFIX
                            + " are console pages, for sessions" : "needs a console session, which only paths under "
                            + CONSOLE_PREFIX + " may";
                } else {
                    try {
                        role = Role.parse(security.get(0).getScopes());
                    } catch (IllegalArgumentException e) {
                        problem = "has security scopes " + e.getMessage();
                    }
                }
                if (problem != null) {
                    problems.add(new ConfigProblem(file(rest), where, problem,
                            "give it 'security: [{key: " + TOKEN_KEY + ", scopes: <role>}]' with one of " + Role.names()));
                } else {
                    rules.add(new Rule(method, template, pattern(template), role, verb.getId(), key));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ApiAccessPolicy(rules);
    }

    /**
     * The role a request needs: its endpoint's, or admin when it matches none (or only a public one: ask {@link #isPublic}
     * first). Whether a token or a session must have it: {@link #isSession}.
     */
    public Role required(String method, String path) {
        return match(method, path).filter(r -> !r.isPublic()).map(Rule::role).orElse(Role.ADMIN);
    }

    /** Whether the request is for a public endpoint (a signed-link page or a static file): then no token is asked for. */
    public boolean isPublic(String method, String path) {
        return match(method, path).map(Rule::isPublic).orElse(false);
    }

    /**
     * Whether the request is for a console page, which a session opens and a token does not: an endpoint declared with
     * key {@value #SESSION_KEY}, or any path under {@value #CONSOLE_PREFIX} that matches no public one.
     */
    public boolean isSession(String method, String path) {
        return match(method, path).map(Rule::isSession).orElse(isConsole(path));
    }

    /** Whether the request is Pub/Sub's push ({@value #PUBSUB_OIDC_KEY}): its OIDC token is checked, not an API token. */
    public boolean isPubSubPush(String method, String path) {
        return match(method, path).map(Rule::isPubSubPush).orElse(false);
    }

    private java.util.Optional<Rule> match(String method, String path) {
        String normalized = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return rules.stream().filter(r -> r.matches(method, normalized)).findFirst();
    }

    /** The path a public security key may open, or null when the key is not one of them. */
    private static String publicPrefix(String key) {
        return SIGNED_LINK_KEY.equals(key) ? SIGNED_LINK_PREFIX : PUBLIC_KEY.equals(key) ? ASSETS_PREFIX : null;
    }

    private static boolean mayBePublic(String key, String template) {
        return template.startsWith(publicPrefix(key)) || PUBLIC_KEY.equals(key) && (template.equals("/")
                || template.equals(SIGN_IN_PREFIX) || template.startsWith(SIGN_IN_PREFIX + "/"));
    }

    /** Under /console/ (or /console itself): the console's, never the API's. */
    static boolean isConsole(String path) {
        return path.equals(CONSOLE_PREFIX.substring(0, CONSOLE_PREFIX.length() - 1)) || path.startsWith(CONSOLE_PREFIX);
    }

    private static String join(String base, String path) {
        String joined = (base == null ? "" : base) + "/" + (path == null ? "" : path);
        joined = joined.replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }

    /** {@code /mailboxes/{id}/pause} matches one path segment for {@code {id}}. */
    static Pattern pattern(String template) {
        StringBuilder regex = new StringBuilder();
        for (String part : template.split("(?=\\{)|(?<=\\})")) {
            regex.append(part.startsWith("{") && part.endsWith("}") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    private static String describe(List<SecurityDefinition> security) {
        return security.stream().map(s -> s.getKey() + (s.getScopes() == null ? "" : ":" + s.getScopes())).toList().toString();
    }

    private static String file(RestDefinition rest) {
        return rest.getResource() == null ? "routes/" : rest.getResource().getLocation().replaceFirst("^file:", "");
    }
}

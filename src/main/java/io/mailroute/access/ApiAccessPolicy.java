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
 */
public final class ApiAccessPolicy {

    /** The security key the route files use for API tokens. */
    public static final String TOKEN_KEY = "token";

    /** One endpoint: method and path template, the role it needs, and where it was declared. */
    public record Rule(String method, String template, Pattern path, Role role, String routeId) {

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
                if (security == null || security.isEmpty()) {
                    problem = "declares no role";
                } else if (security.size() > 1 || !TOKEN_KEY.equals(security.get(0).getKey())) {
                    problem = "has security " + describe(security) + ", but Mailroute knows one: key '" + TOKEN_KEY + "'";
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
                    rules.add(new Rule(method, template, pattern(template), role, verb.getId()));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ApiAccessPolicy(rules);
    }

    /** The role a request needs: its endpoint's, or admin when it matches none. */
    public Role required(String method, String path) {
        String normalized = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return rules.stream().filter(r -> r.matches(method, normalized)).findFirst().map(Rule::role).orElse(Role.ADMIN);
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

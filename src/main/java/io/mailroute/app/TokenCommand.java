package io.mailroute.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.access.ApiTokens;
import io.mailroute.access.Role;
import io.mailroute.audit.AuditLog;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;

/**
 * {@code token create NAME --role viewer|operator|admin}, {@code token list} and {@code token revoke NAME}:
 * through the running service when there is one (with the local commands' token), else on the
 * database. {@code create} prints the token alone on standard output, so that
 * {@code export MAILROUTE_TOKEN=$(java -jar target/mailroute.jar token create me --role admin)} works.
 */
public final class TokenCommand {

    static final String USAGE = "usage: token create NAME --role viewer|operator|admin | token list | token revoke NAME";
    private static final ObjectMapper JSON = Json.newMapper();

    private TokenCommand() {
    }

    public static int run(List<String> args, Path configDir, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty()) {
            return usage(err, "token: say what to do");
        }
        try (CamelContext properties = Configs.propertiesOnly(configDir)) {
            Settings settings = Settings.of(properties, configDir);
            ServiceClient service = new ServiceClient(settings, System::getenv);
            String who = "command line (" + System.getProperty("user.name") + ")";
            switch (args.get(0)) {
                case "create": {
                    if (args.size() != 4 || !args.get(2).equals("--role")) {
                        return usage(err, "token create: give a name and --role");
                    }
                    Role role;
                    try {
                        role = Role.parse(args.get(3));
                    } catch (IllegalArgumentException e) {
                        return usage(err, "token create: " + e.getMessage());
                    }
                    String body = JSON.createObjectNode().put("name", args.get(1)).put("role", role.configName()).toString();
                    Optional<HttpResponse<String>> answer = service.call("POST", "/tokens", body);
                    String token;
                    if (answer.isPresent()) {
                        if (answer.get().statusCode() != 201) {
                            return refused(err, answer.get());
                        }
                        token = JSON.readTree(answer.get().body()).path("token").asText();
                    } else {
                        try (Database db = Configs.openDatabase(settings)) {
                            token = tokens(db).create(args.get(1), role, who).token();
                        }
                    }
                    out.println(token);
                    err.println("Token '" + args.get(1) + "' (" + role.configName() + ") created. It is shown this once: keep it "
                            + "in a secret store. Send it as 'Authorization: Bearer <token>'.");
                    return 0;
                }
                case "list": {
                    if (args.size() != 1) {
                        return usage(err, "token list takes no options");
                    }
                    Optional<HttpResponse<String>> answer = service.call("GET", "/tokens", null);
                    if (answer.isPresent()) {
                        if (answer.get().statusCode() != 200) {
                            return refused(err, answer.get());
                        }
                        for (JsonNode t : JSON.readTree(answer.get().body()).path("items")) {
                            print(out, t.path("name").asText(), t.path("role").asText(), t.path("hint").asText(),
                                    t.path("createdAt").asText(), t.path("lastUsedAt").asText("-"));
                        }
                        return 0;
                    }
                    try (Database db = Configs.openDatabase(settings)) {
                        for (ApiTokens.Info t : tokens(db).list()) {
                            print(out, t.name(), t.role().configName(), t.hint() + "…", String.valueOf(t.createdAt()),
                                    t.lastUsedAt() == null ? "-" : t.lastUsedAt().toString());
                        }
                    }
                    return 0;
                }
                case "revoke": {
                    if (args.size() != 2) {
                        return usage(err, "token revoke: give the token's name");
                    }
                    Optional<HttpResponse<String>> answer = service.call("DELETE", "/tokens/"
                            + URLEncoder.encode(args.get(1), StandardCharsets.UTF_8), null);
                    boolean revoked;
                    if (answer.isPresent()) {
                        if (answer.get().statusCode() != 200 && answer.get().statusCode() != 404) {
                            return refused(err, answer.get());
                        }
                        revoked = answer.get().statusCode() == 200;
                    } else {
                        try (Database db = Configs.openDatabase(settings)) {
                            revoked = tokens(db).revoke(args.get(1), who);
                        }
                    }
                    if (!revoked) {
                        err.println("No token named '" + args.get(1) + "' is in use (token list shows them).");
                        return 1;
                    }
                    out.println("Revoked token '" + args.get(1) + "': requests with it are refused from now on.");
                    return 0;
                }
                default:
                    return usage(err, "token: unknown command '" + args.get(0) + "'");
            }
        } catch (ServiceClient.RefusedException | ApiTokens.TokenException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    private static ApiTokens tokens(Database db) {
        Clock clock = Clock.systemUTC();
        return new ApiTokens(db, new AuditLog(db, JSON, clock)::append, JSON, clock);
    }

    private static void print(PrintStream out, String name, String role, String hint, String createdAt, String lastUsedAt) {
        out.printf("%-40s %-9s %-10s created %s, last used %s%n", name, role, hint, createdAt, lastUsedAt);
    }

    private static int refused(PrintStream err, HttpResponse<String> answer) {
        err.println(ServiceClient.refusal(answer));
        return 1;
    }

    private static int usage(PrintStream err, String problem) {
        err.println(problem);
        err.println(USAGE);
        return 2;
    }
}

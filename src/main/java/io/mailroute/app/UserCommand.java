package io.mailroute.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.access.Role;
import io.mailroute.audit.AuditLog;
import io.mailroute.console.ConsoleUser;
import io.mailroute.console.ConsoleUsers;
import io.mailroute.console.PasswordHashing;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.CamelContext;

/**
 * {@code user create NAME --role viewer|operator|admin [--google]}, {@code user list}, {@code user disable NAME} and
 * {@code user password NAME}: the console's users, through the running service when there is one (with the local
 * commands' token, as {@code token} does), else on the database. A password is read from the terminal without echo (twice), or, without a
 * terminal, from {@value #PASSWORD_ENV} or else the first line of standard input; never from the command line, which
 * other users of the machine can see.
 */
public final class UserCommand {

    static final String USAGE = "usage: user create NAME --role viewer|operator|admin [--google] | user list | "
            + "user disable NAME | user password NAME";
    static final String PASSWORD_ENV = "MAILROUTE_USER_PASSWORD";
    private static final ObjectMapper JSON = Json.newMapper();

    private UserCommand() {
    }

    public static int run(List<String> args, Path configDir, InputStream in, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty()) {
            return usage(err, "user: say what to do");
        }
        String who = "command line (" + System.getProperty("user.name") + ")";
        try (CamelContext properties = Configs.propertiesOnly(configDir)) {
            Settings settings = Settings.of(properties, configDir);
            ServiceClient service = new ServiceClient(settings, System::getenv);
            switch (args.get(0)) {
                case "create": {
                    boolean google = args.contains("--google");
                    List<String> rest = args.stream().filter(a -> !a.equals("--google")).toList();
                    if (rest.size() != 4 || !rest.get(2).equals("--role")) {
                        return usage(err, "user create: give a name and --role");
                    }
                    Role role;
                    try {
                        role = Role.parse(rest.get(3));
                    } catch (IllegalArgumentException e) {
                        return usage(err, "user create: " + e.getMessage());
                    }
                    char[] password = google ? null : password(in, err, System::getenv, "Password for " + rest.get(1));
                    try {
                        String name;
                        ObjectNode body = JSON.createObjectNode().put("name", rest.get(1)).put("role", role.configName());
                        if (google) {
                            body.put("google", true);
                        } else {
                            body.put("password", new String(password));
                        }
                        Optional<HttpResponse<String>> answer = service.call("POST", "/console-users", body.toString());
                        if (answer.isPresent()) {
                            if (answer.get().statusCode() != 201) {
                                return refused(err, answer.get());
                            }
                            name = JSON.readTree(answer.get().body()).path("name").asText();
                        } else {
                            try (Database db = Configs.openDatabase(settings)) {
                                name = users(db).create(rest.get(1), role, password, who).name();
                            }
                        }
                        out.println("Console user '" + name + "' (" + role.configName() + ") created: "
                                + (google ? "signs in with Google as " + name : "signs in with name and password")
                                + " at /console/sign-in.");
                    } finally {
                        if (password != null) {
                            Arrays.fill(password, '\0');
                        }
                    }
                    return 0;
                }
                case "list": {
                    if (args.size() != 1) {
                        return usage(err, "user list takes no options");
                    }
                    Optional<HttpResponse<String>> answer = service.call("GET", "/console-users", null);
                    if (answer.isPresent()) {
                        if (answer.get().statusCode() != 200) {
                            return refused(err, answer.get());
                        }
                        for (JsonNode u : JSON.readTree(answer.get().body()).path("items")) {
                            print(out, u.path("name").asText(), u.path("role").asText(), u.path("signIn").asText(),
                                    u.path("createdAt").asText(), u.path("createdBy").asText(), u.path("disabledAt").asText(null));
                        }
                        return 0;
                    }
                    try (Database db = Configs.openDatabase(settings)) {
                        for (ConsoleUser u : users(db).list()) {
                            print(out, u.name(), u.role().configName(), u.signIn(), String.valueOf(u.createdAt()), u.createdBy(),
                                    u.isDisabled() ? String.valueOf(u.disabledAt()) : null);
                        }
                    }
                    return 0;
                }
                case "disable": {
                    if (args.size() != 2) {
                        return usage(err, "user disable: give the user's name");
                    }
                    Optional<HttpResponse<String>> answer = service.call("POST", "/console-users/" + encoded(args.get(1))
                            + "/disable", null);
                    boolean disabled;
                    if (answer.isPresent()) {
                        if (answer.get().statusCode() != 200 && answer.get().statusCode() != 404) {
                            return refused(err, answer.get());
                        }
                        disabled = answer.get().statusCode() == 200;
                    } else {
                        try (Database db = Configs.openDatabase(settings)) {
                            disabled = users(db).disable(args.get(1), who);
                        }
                    }
                    if (!disabled) {
                        err.println("No console user named '" + args.get(1) + "' is in use (user list shows them).");
                        return 1;
                    }
                    out.println("Disabled console user '" + args.get(1) + "': their sessions are over, and they cannot sign in.");
                    return 0;
                }
                case "password": {
                    if (args.size() != 2) {
                        return usage(err, "user password: give the user's name");
                    }
                    char[] password = password(in, err, System::getenv, "New password for " + args.get(1));
                    try {
                        Optional<HttpResponse<String>> answer = service.call("PUT", "/console-users/" + encoded(args.get(1))
                                + "/password", JSON.createObjectNode().put("password", new String(password)).toString());
                        boolean changed;
                        if (answer.isPresent()) {
                            if (answer.get().statusCode() != 200 && answer.get().statusCode() != 404) {
                                return refused(err, answer.get());
                            }
                            changed = answer.get().statusCode() == 200;
                        } else {
                            try (Database db = Configs.openDatabase(settings)) {
                                changed = users(db).setPassword(args.get(1), password, who);
                            }
                        }
                        if (!changed) {
                            err.println("No console user named '" + args.get(1) + "' signs in with a password (user list shows "
                                    + "them; a Google user has none).");
                            return 1;
                        }
                    } finally {
                        Arrays.fill(password, '\0');
                    }
                    out.println("New password set for '" + args.get(1) + "': their sessions are over; they sign in again with it.");
                    return 0;
                }
                default:
                    return usage(err, "user: unknown command '" + args.get(0) + "'");
            }
        } catch (ConsoleUsers.UserException | ServiceClient.RefusedException e) {
            err.println("user " + args.get(0) + ": " + e.getMessage());
            return 1;
        }
    }

    private static void print(PrintStream out, String name, String role, String signIn, String createdAt, String createdBy,
            String disabledAt) {
        out.printf("%-40s %-9s %-9s created %s by %s%s%n", name, role, signIn, createdAt, createdBy,
                disabledAt == null ? "" : ", DISABLED " + disabledAt);
    }

    private static String encoded(String name) {
        return java.net.URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The running service's refusal, in its words (never the request, which may hold a password). */
    private static int refused(PrintStream err, HttpResponse<String> answer) {
        err.println(ServiceClient.refusal(answer));
        return 1;
    }

    /**
     * The password: typed twice without echo at a terminal, else {@value #PASSWORD_ENV}, else the first line of
     * {@code in}.
     *
     * @throws ConsoleUsers.UserException when none was given, the two differ, or it is too short
     */
    static char[] password(InputStream in, PrintStream err, Function<String, String> environment, String prompt)
            throws IOException {
        Console console = System.console();
        char[] password;
        if (console != null && environment.apply(PASSWORD_ENV) == null) {
            password = console.readPassword("%s (at least %d characters): ", prompt, PasswordHashing.MIN_LENGTH);
            char[] again = console.readPassword("Again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                throw new ConsoleUsers.UserException("the two passwords differ; nothing was changed");
            }
            Arrays.fill(again, '\0');
        } else if (environment.apply(PASSWORD_ENV) != null) {
            password = environment.apply(PASSWORD_ENV).toCharArray();
        } else {
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new ConsoleUsers.UserException("no password: type it at a terminal, or set " + PASSWORD_ENV
                        + ", or give it as the first line of standard input");
            }
            password = line.toCharArray();
        }
        String problem = PasswordHashing.problem(password);
        if (problem != null) {
            throw new ConsoleUsers.UserException(problem + "; nothing was changed");
        }
        return password;
    }

    private static ConsoleUsers users(Database db) {
        Clock clock = Clock.systemUTC();
        return ConsoleWiring.users(db, new AuditLog(db, JSON, clock)::append, JSON, clock);
    }

    private static int usage(PrintStream err, String problem) {
        err.println(problem);
        err.println(USAGE);
        return 2;
    }
}

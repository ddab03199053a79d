package io.mailroute;

import io.mailroute.app.MailrouteService;
import io.mailroute.app.ConfigCheck;
import io.mailroute.app.Configs;
import io.mailroute.app.ConnectionCommands;
import io.mailroute.app.Settings;
import io.mailroute.app.ServiceAuditSource;
import io.mailroute.app.TokenCommand;
import io.mailroute.app.TriageCommand;
import io.mailroute.app.UserCommand;
import io.mailroute.audit.AuditCommand;
import org.apache.camel.CamelContext;
import io.mailroute.config.ConfigException;
import io.mailroute.sandbox.GmailSandbox;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar target/mailroute.jar [command] [--config DIR] [--routes DIR]}:
 * no command runs the service; {@code sandbox} runs only the Gmail sandbox; {@code check}
 * validates config and routes and exits 0 or 1.
 */
public final class Mailroute {

    static final String USAGE = """
            Usage: java -jar target/mailroute.jar [command] [--config DIR] [--routes DIR]
              (no command)   run the service (reads ./config and ./routes)
              sandbox        run only the Gmail sandbox: [--port N] [--seed DIR] [--state DIR]
                             (--state keeps its users, grants and mail there across restarts)
              check          validate config and routes without starting anything; exit 1 on problems
              connect MAILBOX [--timeout 5m]
                             grant Mailroute access to a mailbox (OAuth with PKCE): prints the address to
                             open, stores the grant encrypted; a running service uses it at once
              disconnect MAILBOX
                             revoke and delete the mailbox's grant (state REVOKED; its mail goes from the
                             fallback sender)
              status         every mailbox's state, last good poll, grant, token age and cursor age
              token create NAME --role viewer|operator|admin
                             an API token (printed once) for Authorization: Bearer; token list; token revoke NAME
              user create NAME --role viewer|operator|admin [--google]
                             a console user (password typed twice, or MAILROUTE_USER_PASSWORD); user list;
                             user disable NAME; user password NAME (with the service stopped)
              reports list   the reports of config/reports.yaml, their next firing and last run
              reports run ID [--period P] [--dry-run OUT_DIR]
                             run a report now for its latest period or P (2026-W48); a period is sent once;
                             --dry-run renders the documents to OUT_DIR and sends nothing
              triage --explain FILE.eml [--mailbox ID] [--reply]
                             which triage rule a message matches, and why the earlier ones do not
              audit verify   check the audit trail's hash chain; exit 1 naming the first bad record
              audit export --from ISO --to ISO [--mailbox ID] [--out FILE]
                             write audit records as JSON Lines
              help           show this text""";

    /**
     * Exit status for configuration that cannot work (sysexits' EX_CONFIG): restarting will not help, so a
     * supervisor should not (systemd: RestartPreventExitStatus=78).
     */
    static final int EXIT_CONFIG = 78;

    private Mailroute() {
    }

    public static void main(String[] args) {
        io.mailroute.gmail.mime.MimeParser.nameStreamProvider();
        int exit;
        try {
            exit = run(args, System.out, System.err);
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("ERROR " + p));
            System.err.println("Mailroute stopped: fix the configuration above (java -jar target/mailroute.jar check lists every problem).");
            exit = EXIT_CONFIG;
        } catch (Exception e) {
            System.err.println("Mailroute stopped: " + describe(e));
            exit = 1;
        }
        if (exit >= 0) {
            System.exit(exit);
        }
    }

    /** {@code check} prints its verdict, not the start and stop chatter of the Camel context it loads routes into. */
    private static void quietCamelLogs() {
        if (org.slf4j.LoggerFactory.getLogger("org.apache.camel") instanceof ch.qos.logback.classic.Logger camel) {
            camel.setLevel(ch.qos.logback.classic.Level.WARN);
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.camel.impl.engine.AbstractCamelContext"))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    /** The chain of messages, which usually says what to do; the stack trace only helps us. */
    static String describe(Throwable error) {
        if (error instanceof io.mailroute.db.Database.InUseException) {
            return error.getMessage();
        }
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    /** @return the exit code, or -1 when a server was started and keeps the JVM alive */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        String command = !rest.isEmpty() && !rest.get(0).startsWith("--") ? rest.remove(0) : "run";
        if (command.equals("sandbox")) {
            GmailSandbox.main(rest.toArray(String[]::new));
            return -1;
        }
        Path config = Path.of("config");
        Path routes = Path.of("routes");
        List<String> commandArgs = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            String option = rest.get(i);
            if ((option.equals("--config") || option.equals("--routes")) && i + 1 < rest.size()) {
                Path dir = Path.of(rest.get(++i));
                if (option.equals("--config")) {
                    config = dir;
                } else {
                    routes = dir;
                }
            } else {
                commandArgs.add(option);
            }
        }
        if (!commandArgs.isEmpty() && !List.of("audit", "triage", "connect", "disconnect", "status", "token", "user", "reports").contains(command)) {
            err.println("Unknown option '" + commandArgs.get(0) + "'.");
            err.println(USAGE);
            return 2;
        }
        switch (command) {
            case "run":
                new MailrouteService(config, routes).run();
                return 0;
            case "check":
                quietCamelLogs();
                return new ConfigCheck(config, routes).run(out, err);
            case "audit":
                quietCamelLogs();
                try (CamelContext properties = Configs.propertiesOnly(config);
                        ServiceAuditSource source = new ServiceAuditSource(Settings.of(properties, config))) {
                    return AuditCommand.run(commandArgs, source, out, err);
                }
            case "triage":
                quietCamelLogs();
                return TriageCommand.run(commandArgs, config, out, err);
            case "token":
                quietCamelLogs();
                return TokenCommand.run(commandArgs, config, out, err);
            case "reports":
                quietCamelLogs();
                return io.mailroute.app.ReportsCommand.run(commandArgs, config, out, err);
            case "user":
                quietCamelLogs();
                return UserCommand.run(commandArgs, config, System.in, out, err);
            case "connect":
            case "disconnect":
            case "status":
                quietCamelLogs();
                return ConnectionCommands.run(command, commandArgs, config, System.in, out, err);
            case "help":
            case "--help":
                out.println(USAGE);
                return 0;
            default:
                err.println("Unknown command '" + command + "'.");
                err.println(USAGE);
                return 2;
        }
    }
}

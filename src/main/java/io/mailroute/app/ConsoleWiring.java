package io.mailroute.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.access.ConsoleGate;
import io.mailroute.audit.AuditTrail;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.console.ConsoleGuard;
import io.mailroute.console.ConsolePages;
import io.mailroute.console.ConsoleSessions;
import io.mailroute.console.ConsoleUsers;
import io.mailroute.console.PasswordHashing;
import io.mailroute.console.PublicAddress;
import io.mailroute.console.overview.OverviewPage;
import io.mailroute.console.overview.OverviewQueries;
import io.mailroute.console.signin.SignInPages;
import io.mailroute.console.signin.SignInThrottle;
import io.mailroute.db.Database;
import io.mailroute.pages.Pages;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's sign-in and sessions from {@code mailroute.console.*}: binds {@code consoleUsers},
 * {@code consoleSessions}, {@code consolePages} and {@code signInPages}, and gives {@link io.mailroute.access.ApiGuard}
 * the gate for console pages. {@code check} validates the same settings ({@link #check}).
 */
final class ConsoleWiring {

    static final String PUBLIC_URL = "mailroute.console.public-url";
    static final String IDLE = "mailroute.console.session.idle";
    static final String ABSOLUTE = "mailroute.console.session.absolute";
    static final String ATTEMPTS = "mailroute.console.sign-in.attempts";
    static final String WINDOW = "mailroute.console.sign-in.window";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleWiring.class);

    private ConsoleWiring() {
    }

    /** The console's beans, bound; the gate ApiGuard hands console requests to. */
    static ConsoleGate bind(CamelContext context, Settings settings, Database db, AuditTrail audit, ObjectMapper json, Clock clock) {
        PublicAddress address = publicAddress(settings);
        ConsoleSessions sessions;
        SignInThrottle throttle;
        try {
            sessions = new ConsoleSessions(db, clock, settings.duration(IDLE, Duration.ofMinutes(30)),
                    settings.duration(ABSOLUTE, Duration.ofHours(12)));
            throttle = new SignInThrottle(clock, (int) settings.number(ATTEMPTS, 5), settings.duration(WINDOW, Duration.ofMinutes(5)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(new ConfigProblem(file(settings), IDLE + ", " + ABSOLUTE + ", " + ATTEMPTS + ", " + WINDOW,
                    e.getMessage(), "see the comments in the Console section"));
        }
        Pages pages = new Pages();
        ConsoleUsers users = users(db, audit, json, clock);
        ConsolePages console = new ConsolePages(pages);
        context.getRegistry().bind("consoleUsers", users);
        context.getRegistry().bind("consoleUserApi", new io.mailroute.ops.ConsoleUserApi(users, json));
        context.getRegistry().bind("consoleSessions", sessions);
        context.getRegistry().bind("consolePages", console);
        context.getRegistry().bind("consoleOverview", new OverviewPage(new OverviewQueries(db), console, clock));
        context.getRegistry().bind("signInPages", new SignInPages(users, sessions, throttle, pages, console, address.isSecure(), clock));
        LOG.info("Console at {}console/ (sessions idle {}, at most {}; {} sign-in attempts per {})",
                address.url().endsWith("/") ? address.url() : address.url() + "/", sessions.idleTimeout(),
                sessions.absoluteTimeout(), settings.number(ATTEMPTS, 5), settings.duration(WINDOW, Duration.ofMinutes(5)));
        return new ConsoleGuard(sessions, address, pages);
    }

    /** The console's users on this database, as the {@code user} command and the service use them. */
    static ConsoleUsers users(Database db, AuditTrail audit, ObjectMapper json, Clock clock) {
        return new ConsoleUsers(db, new PasswordHashing(), audit, json, clock);
    }

    /** The problems {@link #bind} would stop at. */
    static List<ConfigProblem> check(Settings settings) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (Runnable each : List.<Runnable>of(() -> publicAddress(settings),
                () -> new SignInThrottle(Clock.systemUTC(), (int) settings.number(ATTEMPTS, 5),
                        settings.duration(WINDOW, Duration.ofMinutes(5))),
                () -> {
                    Duration idle = settings.duration(IDLE, Duration.ofMinutes(30));
                    Duration absolute = settings.duration(ABSOLUTE, Duration.ofHours(12));
                    if (idle.isNegative() || idle.isZero() || absolute.compareTo(idle) < 0) {
                        throw new IllegalArgumentException("idle is " + idle + " and absolute " + absolute
                                + ": idle must be positive and absolute no shorter");
                    }
                })) {
            try {
                each.run();
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(file(settings), "mailroute.console.*", e.getMessage(),
                        "see the comments in the Console section"));
            }
        }
        return problems;
    }

    /** {@value #PUBLIC_URL} as written; by default the service port on localhost. One default for every console feature. */
    static String publicUrl(Settings settings) {
        return settings.text(PUBLIC_URL, "http://localhost:" + (int) settings.number("camel.server.port", 8080));
    }

    private static PublicAddress publicAddress(Settings settings) {
        int port = (int) settings.number("camel.server.port", 8080);
        String url = publicUrl(settings);
        try {
            return new PublicAddress(url, port);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(new ConfigProblem(file(settings), PUBLIC_URL, e.getMessage(),
                    "write the address browsers reach the console at, e.g. https://mailroute.acme.example"));
        }
    }

    private static String file(Settings settings) {
        return settings.configDir().resolve("application.properties").toString();
    }
}

package io.mailroute.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.console.google.GoogleSignIn;
import io.mailroute.console.google.GoogleSignInSettings;
import io.mailroute.links.SignedLinks;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.SandboxCredentials;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Sign in with Google" from {@code mailroute.console.google.*}: on when {@value GoogleSignInSettings#DOMAINS} names
 * a Workspace domain. The provider is Google ({@value GoogleSignInSettings#GOOGLE_ISSUER}) or, with
 * {@code mailroute.console.google.issuer = sandbox}, the Gmail sandbox (the demo); the OAuth client comes from
 * {@value GoogleSignInSettings#CLIENT_ID_ENV} and {@value GoogleSignInSettings#CLIENT_SECRET_ENV}, or from the
 * in-process sandbox. Google sends the browser back to {@code <mailroute.console.public-url>/console/sign-in/google/callback}.
 * {@code check} validates the same settings.
 */
final class GoogleSignInWiring {

    static final String PUBLIC_URL = "mailroute.console.public-url";
    static final String SANDBOX = "sandbox";
    private static final Logger LOG = LoggerFactory.getLogger(GoogleSignInWiring.class);
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

    private GoogleSignInWiring() {
    }

    /** Binds {@code googleSignIn} for the console's routes when Google sign-in is on. */
    static void bind(CamelContext context, Settings settings, Function<String, String> environment, GmailSandbox sandbox,
            String sandboxRoot, SignedLinks links, ObjectMapper json, Clock clock) {
        GoogleSignInSettings google = settings(settings, environment, sandboxRoot, sandbox == null ? null : sandbox.admin().client());
        GoogleSignIn signIn = null;
        if (google == null) {
            LOG.info("Sign in with Google is off ({} is empty)", GoogleSignInSettings.DOMAINS);
        } else {
            LOG.info("Sign in with Google via {} for accounts of {}, back to {}", google.issuer(), google.domains(),
                    google.redirectUri());
            signIn = new GoogleSignIn(google, links, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                    json, clock);
            context.getRegistry().bind("googleSignIn", signIn);
        }
        // the console's pages for it (after ConsoleWiring bound the users and sessions); they say so when it is off
        io.mailroute.console.ConsoleUsers users = context.getRegistry().lookupByNameAndType("consoleUsers",
                io.mailroute.console.ConsoleUsers.class);
        io.mailroute.console.ConsoleSessions sessions = context.getRegistry().lookupByNameAndType("consoleSessions",
                io.mailroute.console.ConsoleSessions.class);
        io.mailroute.console.google.GoogleSignInPages pages = new io.mailroute.console.google.GoogleSignInPages(signIn, users,
                sessions, new io.mailroute.pages.Pages(), publicUrl(settings).startsWith("https:"));
        context.getRegistry().bind("googleSignInPages", pages);
        io.mailroute.console.signin.SignInPages signInPages = context.getRegistry().lookupByNameAndType("signInPages",
                io.mailroute.console.signin.SignInPages.class);
        if (signInPages != null) {
            signInPages.offeringGoogle(pages.enabled());
        }
    }

    /**
     * The settings, or null when Google sign-in is off.
     *
     * @param sandboxRoot   the sandbox's root URL (in-process or {@code mailroute.sandbox.url}), or null
     * @param sandboxClient the in-process sandbox's OAuth client, or null when none runs here
     * @throws ConfigException naming every key that is wrong
     */
    static GoogleSignInSettings settings(Settings settings, Function<String, String> environment, String sandboxRoot,
            SandboxCredentials sandboxClient) {
        List<ConfigProblem> problems = problems(settings, environment, sandboxRoot != null, sandboxClient != null);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        Set<String> domains = domains(settings);
        if (domains.isEmpty()) {
            return null;
        }
        boolean sandbox = SANDBOX.equals(issuerSetting(settings));
        String issuer = sandbox ? withoutSlash(sandboxRoot) : withoutSlash(issuerSetting(settings));
        String clientId = sandbox && sandboxClient != null ? sandboxClient.clientId()
                : environment.apply(GoogleSignInSettings.CLIENT_ID_ENV).trim();
        String clientSecret = sandbox && sandboxClient != null ? sandboxClient.clientSecret()
                : environment.apply(GoogleSignInSettings.CLIENT_SECRET_ENV).trim();
        return new GoogleSignInSettings(issuer, clientId, clientSecret,
                publicUrl(settings) + GoogleSignInSettings.CALLBACK_PATH, domains);
    }

    /**
     * What {@link #settings} would refuse, for {@code check}.
     *
     * @param sandboxReachable a sandbox runs in this process or {@code mailroute.sandbox.url} names one
     * @param sandboxInProcess it runs in this process, so its OAuth client needs no environment variables
     */
    static List<ConfigProblem> problems(Settings settings, Function<String, String> environment, boolean sandboxReachable,
            boolean sandboxInProcess) {
        List<ConfigProblem> problems = new ArrayList<>();
        String file = settings.configDir().resolve("application.properties").toString();
        Set<String> domains = domains(settings);
        for (String domain : domains) {
            if (!DOMAIN.matcher(domain).matches()) {
                problems.add(new ConfigProblem(file, GoogleSignInSettings.DOMAINS, "'" + domain + "' is not a domain",
                        "write the Workspace domains whose accounts may sign in, comma-separated, e.g. acme.example"));
            }
        }
        if (domains.isEmpty()) {
            return problems; // off: nothing else is read
        }
        String issuer = issuerSetting(settings);
        boolean sandbox = SANDBOX.equals(issuer);
        if (sandbox && !sandboxReachable) {
            problems.add(new ConfigProblem(file, GoogleSignInSettings.ISSUER, "is sandbox, but no sandbox runs",
                    "set mailroute.sandbox.enabled=true (with a mailbox on gmail: sandbox) or mailroute.sandbox.url, or"
                            + " write " + GoogleSignInSettings.GOOGLE_ISSUER));
        } else if (!sandbox) {
            String why = urlProblem(issuer);
            if (why != null) {
                problems.add(new ConfigProblem(file, GoogleSignInSettings.ISSUER, "'" + issuer + "' " + why,
                        "write " + GoogleSignInSettings.GOOGLE_ISSUER + " (the default) or sandbox"));
            }
        }
        if (!(sandbox && sandboxInProcess)) {
            for (String variable : List.of(GoogleSignInSettings.CLIENT_ID_ENV, GoogleSignInSettings.CLIENT_SECRET_ENV)) {
                String value = environment.apply(variable);
                if (value == null || value.isBlank()) {
                    problems.add(new ConfigProblem(file, GoogleSignInSettings.DOMAINS, "Google sign-in is on, but"
                            + " environment variable " + variable + " is not set", "export the OAuth client's id and"
                            + " secret from Google Cloud console, APIs & Services, Credentials (README: Sign in with Google)"));
                }
            }
        }
        String publicUrl = publicUrl(settings);
        String why = urlProblem(publicUrl);
        if (why != null) {
            problems.add(new ConfigProblem(file, PUBLIC_URL, "'" + publicUrl + "' " + why, "write the address browsers"
                    + " reach the console at, e.g. https://mailroute.acme.example"));
        }
        return problems;
    }

    private static Set<String> domains(Settings settings) {
        Set<String> domains = new LinkedHashSet<>();
        Arrays.stream(settings.text(GoogleSignInSettings.DOMAINS, "").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).map(s -> s.toLowerCase(Locale.ROOT)).forEach(domains::add);
        return domains;
    }

    private static String issuerSetting(Settings settings) {
        return settings.text(GoogleSignInSettings.ISSUER, GoogleSignInSettings.GOOGLE_ISSUER);
    }

    /** {@value #PUBLIC_URL} without its trailing slash (the console's default: the service port on localhost). */
    static String publicUrl(Settings settings) {
        return withoutSlash(ConsoleWiring.publicUrl(settings));
    }

    /** Why this is no https URL (http only on loopback), or null when it is one. */
    private static String urlProblem(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return "is not an absolute URL without query or fragment";
            }
            boolean https = "https".equalsIgnoreCase(uri.getScheme());
            boolean loopbackHttp = "http".equalsIgnoreCase(uri.getScheme())
                    && LOOPBACK.contains(uri.getHost().toLowerCase(Locale.ROOT));
            return https || loopbackHttp ? null : "is neither https nor http on loopback";
        } catch (URISyntaxException e) {
            return "is not a URL (" + e.getReason() + ")";
        }
    }

    private static String withoutSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}

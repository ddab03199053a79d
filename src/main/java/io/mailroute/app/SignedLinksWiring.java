package io.mailroute.app;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.db.Database;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signed-link service from {@code mailroute.links.*} and the environment: its keys ({@value LinkKeys#ENV}
 * or the key file, by default {@code <data-dir>/link.key}, made at the first start; previous keys from
 * {@value LinkKeys#PREVIOUS_ENV} and {@value LinkKeys#PREVIOUS_KEY_FILES}) and its public base URL
 * ({@value LinkBaseUrl#KEY}, by default the service port on loopback). {@code check} validates the same settings.
 */
final class SignedLinksWiring {

    private static final Logger LOG = LoggerFactory.getLogger(SignedLinksWiring.class);

    private SignedLinksWiring() {
    }

    static SignedLinks create(Settings settings, Function<String, String> environment, Database db, Clock clock) {
        LinkBaseUrl baseUrl = baseUrl(settings);
        LinkKeys keys = LinkKeys.load(environment, keyFile(settings), settings.paths(LinkKeys.PREVIOUS_KEY_FILES, false));
        LOG.info("Signed links to {} with {}", baseUrl, keys.describe());
        return new SignedLinks(keys, baseUrl, db, clock);
    }

    /** The problems {@link #create} would stop at, without creating the key file; and a warning for links in clear text. */
    static ConfigValidation.Findings check(Settings settings, Function<String, String> environment) {
        List<ConfigProblem> problems = new ArrayList<>(LinkKeys.check(environment, keyFile(settings),
                settings.paths(LinkKeys.PREVIOUS_KEY_FILES, false)));
        List<ConfigProblem> warnings = new ArrayList<>();
        try {
            LinkBaseUrl baseUrl = baseUrl(settings);
            if (baseUrl.isCleartextBeyondLoopback()) {
                warnings.add(new ConfigProblem(file(settings), LinkBaseUrl.KEY, "is " + baseUrl + ": plain http to another "
                        + "machine, so every signed link (a credential) crosses the network readable",
                        "serve the links over https (e.g. from a reverse proxy) and write its https:// address"));
            }
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        String database = settings.text("mailroute.db.url", null);
        if (database != null && database.startsWith("jdbc:postgresql:") && isBlank(environment.apply(LinkKeys.ENV))) {
            warnings.add(new ConfigProblem(file(settings), LinkKeys.KEY_FILE, "is where this instance keeps its own link key, "
                    + "but mailroute.db.url is PostgreSQL, which several instances may share: a link one of them signed "
                    + "would be refused by the others", "give every instance the same key in " + LinkKeys.ENV
                    + " (32 random bytes, base64: openssl rand -base64 32)"));
        }
        return new ConfigValidation.Findings(problems, warnings);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static LinkBaseUrl baseUrl(Settings settings) {
        String value = settings.text(LinkBaseUrl.KEY, null);
        return value == null ? LinkBaseUrl.loopback((int) settings.number("camel.server.port", 8080))
                : LinkBaseUrl.parse(value, file(settings));
    }

    private static Path keyFile(Settings settings) {
        return settings.path(LinkKeys.KEY_FILE, Configs.dataDirectory(settings).resolve("link.key").toString(), false);
    }

    private static String file(Settings settings) {
        return settings.configDir().resolve("application.properties").toString();
    }
}

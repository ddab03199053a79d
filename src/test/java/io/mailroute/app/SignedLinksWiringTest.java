package io.mailroute.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.db.Database;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mailroute.links.* as the service reads them at start and as check validates them. */
class SignedLinksWiringTest {

    @TempDir
    Path dir;
    private final Map<String, String> properties = new HashMap<>();
    private final Database db = TestDatabases.h2("links-wiring");

    @AfterEach
    void close() {
        db.close();
    }

    private Settings settings() {
        properties.putIfAbsent("mailroute.data-dir", dir.resolve("data").toString());
        return new Settings(key -> Optional.ofNullable(properties.get(key)), dir.resolve("config"));
    }

    @Test
    void byDefaultTheKeyIsMadeUnderTheDataDirectoryAndLinksPointAtTheServicePortOnLoopback() {
        properties.put("camel.server.port", "18080");
        assertEquals(List.of(), SignedLinksWiring.check(settings(), name -> null).problems());
        assertFalse(Files.exists(dir.resolve("data").resolve("link.key")), "check creates nothing");

        SignedLinks links = SignedLinksWiring.create(settings(), name -> null, db, Clock.systemUTC());
        assertTrue(Files.isRegularFile(dir.resolve("data").resolve("link.key")));
        String token = links.issue("report.download", "r-1", "anna@acme.example", Clock.systemUTC().instant().plus(Duration.ofHours(1)), false);
        assertEquals("http://127.0.0.1:18080/reports/download?t=" + token, links.url("reports/download", token));
        SignedLinks restarted = SignedLinksWiring.create(settings(), name -> null, db, Clock.systemUTC());
        assertTrue(restarted.verify(token, "report.download") instanceof LinkCheck.Valid, "a restart keeps the key");
    }

    @Test
    void theSettingsNameTheKeyFilesAndTheBaseUrl() throws Exception {
        Path previous = Files.writeString(dir.resolve("old.key"), LinkKeys.generate());
        properties.put(LinkKeys.KEY_FILE, dir.resolve("keys").resolve("current.key").toString());
        properties.put(LinkKeys.PREVIOUS_KEY_FILES, previous + " , ");
        properties.put(LinkBaseUrl.KEY, "https://proxy.acme.example/mailroute");
        SignedLinks links = SignedLinksWiring.create(settings(), name -> null, db, Clock.systemUTC());
        assertTrue(Files.isRegularFile(dir.resolve("keys").resolve("current.key")));
        assertTrue(links.url("a", "T").startsWith("https://proxy.acme.example/mailroute/a?t="));
        String old = new SignedLinks(LinkKeys.load(name -> null, previous, List.of()), LinkBaseUrl.loopback(1), db,
                Clock.systemUTC()).issue("ack", "i-1", "b@acme.example", Clock.systemUTC().instant().plusSeconds(60), false);
        assertTrue(links.verify(old, "ack").isValid(), "the previous key file verifies");
    }

    @Test
    void checkReportsABadBaseUrlAndABadKeyAndWarnsOfLinksInClearText() {
        properties.put(LinkBaseUrl.KEY, "mailroute.acme.example/approvals?x=1");
        List<ConfigProblem> problems = SignedLinksWiring.check(settings(), Map.of(LinkKeys.ENV, "c2hvcnQ=")::get).problems();
        assertEquals(2, problems.size(), problems.toString());
        assertEquals("environment variable " + LinkKeys.ENV, problems.get(0).file());
        assertEquals(LinkBaseUrl.KEY, problems.get(1).key());
        assertEquals(dir.resolve("config").resolve("application.properties").toString(), problems.get(1).file());
        assertThrows(ConfigException.class, () -> SignedLinksWiring.create(settings(), name -> null, db, Clock.systemUTC()));

        properties.put(LinkBaseUrl.KEY, "http://mailroute.acme.example/");
        ConfigValidation.Findings findings = SignedLinksWiring.check(settings(), name -> null);
        assertEquals(List.of(), findings.problems());
        assertEquals(1, findings.warnings().size());
        assertTrue(findings.warnings().get(0).fix().contains("https"), findings.warnings().get(0).toString());
    }
}

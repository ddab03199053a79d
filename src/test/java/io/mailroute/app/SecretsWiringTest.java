package io.mailroute.app;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.connection.TokenStore;
import io.mailroute.db.Database;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One token key for refresh tokens and push subscription keys: a lost key is never silently replaced. */
class SecretsWiringTest {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final Map<String, String> BROWSER = Map.of("p256dh", "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
            "auth", "tBHItJI5svbpez7KI4CCXg");

    @TempDir
    Path dir;
    private Database db;

    @BeforeEach
    void open() {
        db = TestDatabases.h2("secrets");
        TestDatabases.addMailbox(db, "hr");
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** What one start of the service (or one command) builds: the key is loaded afresh. */
    private io.mailroute.secrets.Secrets start(Path keyFile) {
        return SecretsWiring.secrets(name -> null, keyFile, db);
    }

    @Test
    void keysSealedForPushTargetsKeepANewKeyFromBeingMadeForTokens() throws Exception {
        Path keyFile = dir.resolve("token.key");
        new DeliveryStore(db, start(keyFile)).addTarget("team", "team-browser", "https://push.example.com/1", BROWSER, NOW);
        assertTrue(Files.exists(keyFile), "nothing was sealed yet: the first subscription made the key");
        Files.delete(keyFile); // lost

        ConfigException missing = assertThrows(ConfigException.class,
                () -> new TokenStore(db, start(keyFile)).save("hr", "client", "refresh", "scope", NOW));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        assertTrue(Files.notExists(keyFile), "no new key replaced the lost one");
    }

    @Test
    void sealedTokensKeepANewKeyFromBeingMadeForPushTargets() throws Exception {
        Path keyFile = dir.resolve("token.key");
        new TokenStore(db, start(keyFile)).save("hr", "client", "refresh", "scope", NOW);
        Files.delete(keyFile);

        assertThrows(ConfigException.class, () -> new DeliveryStore(db, start(keyFile))
                .addTarget("team", "team-browser", "https://push.example.com/1", BROWSER, NOW));
        assertTrue(Files.notExists(keyFile));
        // a target without keys needs no key at all
        assertTrue(new DeliveryStore(db, start(keyFile)).addTarget("team", "team-mobile", "token-1", Map.of(), NOW));
    }
}

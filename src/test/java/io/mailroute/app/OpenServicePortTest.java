package io.mailroute.app;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailroute.access.ApiTokens;
import io.mailroute.access.LocalCommandsToken;
import io.mailroute.access.Role;
import io.mailroute.config.ConfigException;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A service port other machines can reach starts only when somebody holds a token for it. */
class OpenServicePortTest {

    private final Database db = Database.open("jdbc:h2:mem:open-port-" + System.nanoTime()
            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "", 2);
    private final ApiTokens tokens = new ApiTokens(db, (a, m, s, d) -> { }, Json.newMapper(), Clock.systemUTC());

    @AfterEach
    void close() {
        db.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.10", "mailroute.internal"})
    void aReachablePortWithoutAnyTokenRefusesToStart(String host) {
        tokens.replace(LocalCommandsToken.NAME_PREFIX + "host.1", Role.ADMIN, "service start");
        ConfigException e = assertThrows(ConfigException.class, () -> MailrouteBeans.refuseOpenPortWithoutTokens(settings(host), tokens));
        assertEquals("config/application.properties: camel.server.host: is " + host + ", reachable from other machines, but no "
                + "API token exists; create one first (java -jar target/mailroute.jar token create NAME --role "
                + "viewer|operator|admin, with the service stopped), or bind to 127.0.0.1", e.problems().get(0).toString());
    }

    @Test
    void aReachablePortStartsOnceATokenExists() {
        tokens.create("ops", Role.OPERATOR, "command line");
        assertDoesNotThrow(() -> MailrouteBeans.refuseOpenPortWithoutTokens(settings("0.0.0.0"), tokens));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"})
    void loopbackStartsWithoutTokens(String host) {
        assertDoesNotThrow(() -> MailrouteBeans.refuseOpenPortWithoutTokens(settings(host), tokens));
    }

    private static Settings settings(String host) {
        Map<String, String> values = Map.of("camel.server.enabled", "true", "camel.server.host", host);
        return new Settings(key -> Optional.ofNullable(values.get(key)), Path.of("config"));
    }
}

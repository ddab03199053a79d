package io.mailroute.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.db.Database;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.TestDatabases;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    private Database db;
    private final String keyA = TokenKey.generate();

    @BeforeEach
    void open() {
        db = TestDatabases.h2("tokens");
        TestDatabases.addMailbox(db, "hr");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private TokenStore store(String key) {
        return store(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, key)::get, null, false));
    }

    private TokenStore store(java.util.function.Function<Boolean, TokenKey> keys) {
        return new TokenStore(db, new Secrets(keys, () -> TokenStore.holdsAny(db)));
    }

    @Test
    void aSavedGrantIsReadBackAndEachConnectBumpsTheVersion() {
        TokenStore store = store(keyA);
        assertEquals(0, store.version("hr"));
        assertEquals(1, store.save("hr", "client-1", "refresh-1", "https://www.googleapis.com/auth/gmail.modify", T0));
        assertEquals(2, store.save("hr", "client-1", "refresh-2", "https://www.googleapis.com/auth/gmail.modify",
                T0.plusSeconds(60)));
        TokenStore.Grant grant = store.find("hr").orElseThrow();
        assertEquals("refresh-2", grant.refreshToken());
        assertEquals(2, grant.version());
        assertEquals(T0.plusSeconds(60), grant.connectedAt());
        assertFalse(grant.toString().contains("refresh-2"));
    }

    @Test
    void theDatabaseHoldsOnlyCiphertextAndAnotherKeyCannotReadIt() {
        store(keyA).save("hr", "client-1", "1//0-very-secret-refresh", "scope", T0);
        String stored = db.jdbc().queryForObject("SELECT ciphertext FROM mailbox_token WHERE mailbox_id = 'hr'", Map.of(),
                String.class);
        assertFalse(stored.contains("very-secret"), stored);
        ConfigException wrongKey = assertThrows(ConfigException.class, () -> store(TokenKey.generate()).find("hr"));
        assertTrue(wrongKey.getMessage().startsWith("environment variable MAILROUTE_TOKEN_KEY: is not the key mailbox 'hr''s"
                + " OAuth token was stored with"), wrongKey.getMessage());
        assertTrue(wrongKey.getMessage().contains("connect hr"), wrongKey.getMessage());
    }

    @Test
    void aTokenMovedToAnotherMailboxIsDamagedAndTheMessageSaysHowToRepairIt() {
        TokenStore store = store(keyA);
        store.save("hr", "client-1", "refresh-1", "scope", T0);
        TestDatabases.addMailbox(db, "support");
        store.save("support", "client-1", "refresh-2", "scope", T0);
        db.jdbc().update("UPDATE mailbox_token SET ciphertext = (SELECT ciphertext FROM mailbox_token WHERE mailbox_id = 'hr')"
                + " WHERE mailbox_id = 'support'", Map.of());
        ConfigException moved = assertThrows(ConfigException.class, () -> store.find("support"));
        assertTrue(moved.getMessage().contains("damaged or belongs to another mailbox"), moved.getMessage());
        assertTrue(moved.getMessage().contains("connect support"), moved.getMessage());
    }

    @Test
    void aRefreshIsRecordedForItsOwnGrantAndKeepsTheStoredToken() {
        TokenStore store = store(keyA);
        long version = store.save("hr", "client-1", "refresh-1", "scope", T0);
        store.refreshed("hr", version, T0.plusSeconds(3600));
        TokenStore.Grant grant = store.find("hr").orElseThrow();
        assertEquals("refresh-1", grant.refreshToken());
        assertEquals(version, grant.version());
        assertEquals(T0, grant.connectedAt());
        assertEquals(T0.plusSeconds(3600), grant.refreshedAt());
        // a refresh reported for an older grant does not touch a newer one
        long newer = store.save("hr", "client-1", "refresh-new", "scope", T0.plusSeconds(7200));
        store.refreshed("hr", version, T0.plusSeconds(7300));
        TokenStore.Grant current = store.find("hr").orElseThrow();
        assertEquals("refresh-new", current.refreshToken());
        assertEquals(newer, current.version());
        assertEquals(T0.plusSeconds(7200), current.refreshedAt());
    }

    @Test
    void aKeyIsCreatedOnlyWhileNothingIsStored() {
        boolean[] mayCreateAsked = new boolean[2];
        TokenStore first = store(mayCreate -> {
            mayCreateAsked[0] = mayCreate;
            return TokenKey.load(Map.of(TokenKey.ENV, keyA)::get, null, false);
        });
        first.save("hr", "c", "r", "s", T0);
        assertTrue(mayCreateAsked[0], "nothing stored yet: a new key may be made");
        TokenStore second = store(mayCreate -> {
            mayCreateAsked[1] = mayCreate;
            return TokenKey.load(Map.of(TokenKey.ENV, keyA)::get, null, false);
        });
        second.save("hr", "c", "r2", "s", T0);
        assertFalse(mayCreateAsked[1], "a grant is stored: a missing key must not be replaced by a new one");
        assertTrue(second.delete("hr"));
        assertTrue(second.find("hr").isEmpty());
    }
}

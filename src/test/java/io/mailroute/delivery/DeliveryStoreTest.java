package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.db.Database;
import io.mailroute.testing.TestDatabases;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Push targets at rest: subscription keys sealed with the token key, bound to their row; the key only when needed. */
class DeliveryStoreTest {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final String ENDPOINT = "https://push.example.com/wpush/v2/abc";
    private static final Map<String, String> KEYS = Map.of("p256dh", "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
            "auth", "tBHItJI5svbpez7KI4CCXg");

    private Database db;
    private final String key = TokenKey.generate();
    private final AtomicInteger keyLoads = new AtomicInteger();

    @BeforeEach
    void open() {
        db = TestDatabases.h2("targets");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private DeliveryStore store(String base64Key) {
        return new DeliveryStore(db, new Secrets(mayCreate -> {
            keyLoads.incrementAndGet();
            return TokenKey.load(Map.of(TokenKey.ENV, base64Key)::get, null, false);
        }, () -> DeliveryStore.holdsSealedKeys(db)));
    }

    private Map<String, Object> row(String address) {
        return db.jdbc().queryForMap("SELECT keys_json, keys_key_id FROM push_target WHERE address = :address",
                Map.of("address", address));
    }

    @Test
    void aSubscriptionsKeysAreSealedAtRestAndOpenForTheSend() {
        DeliveryStore store = store(key);
        assertTrue(store.addTarget("team", "team-browser", ENDPOINT, KEYS, NOW));

        Map<String, Object> stored = row(ENDPOINT);
        String text = (String) stored.get("keys_json");
        assertFalse(text.contains(KEYS.get("auth")), text);
        assertFalse(text.contains(KEYS.get("p256dh")), text);
        assertEquals(TokenKey.load(Map.of(TokenKey.ENV, key)::get, null, false).id(), stored.get("keys_key_id"));
        assertEquals(KEYS, store.targetFor("team", "team-browser", ENDPOINT).keys());
        assertEquals(List.of(ENDPOINT), store.targetAddresses("team", "team-browser"));
    }

    @Test
    void targetsWithoutKeysNeverNeedTheKey() {
        DeliveryStore store = store(key);
        store.addTarget("team", "team-mobile", "demo-phone-registration-token", Map.of(), NOW);
        store.addTarget("team", "team-hook", "team-room", null, NOW);

        assertEquals(0, store.sealStoredKeys());
        assertEquals(Map.of(), store.targetFor("team", "team-mobile", "demo-phone-registration-token").keys());
        assertEquals(List.of("team-room"), store.targetAddresses("team", "team-hook"));
        assertNull(row("team-room").get("keys_key_id"));
        assertEquals(0, keyLoads.get(), "no key was loaded, none created");
    }

    @Test
    void keysStoredInPlaintextBeforeAreReadAndSealedAtTheNextStart() {
        db.jdbc().update("""
                INSERT INTO push_target (recipient, channel, address, keys_json, active, created_at)
                VALUES ('team', 'team-browser', :address, :keys, TRUE, CURRENT_TIMESTAMP)""",
                Map.of("address", ENDPOINT, "keys", "{\"p256dh\":\"" + KEYS.get("p256dh") + "\",\"auth\":\"" + KEYS.get("auth") + "\"}"));
        DeliveryStore store = store(key);
        assertEquals(KEYS, store.targetFor("team", "team-browser", ENDPOINT).keys(), "the plaintext form is still read");

        assertEquals(1, store.sealStoredKeys());

        assertFalse(((String) row(ENDPOINT).get("keys_json")).contains(KEYS.get("auth")));
        assertEquals(KEYS, store.targetFor("team", "team-browser", ENDPOINT).keys());
        assertEquals(0, store(key).sealStoredKeys(), "sealed once");
    }

    @Test
    void anotherKeyStopsTheStartNamingBothKeys() {
        store(key).addTarget("team", "team-browser", ENDPOINT, KEYS, NOW);
        DeliveryStore other = store(TokenKey.generate());

        ConfigException atStart = assertThrows(ConfigException.class, other::sealStoredKeys);
        assertTrue(atStart.getMessage().startsWith("environment variable MAILROUTE_TOKEN_KEY: is not the key the push "
                + "subscription keys were stored with (key "), atStart.getMessage());
        assertTrue(atStart.getMessage().contains("register the browser subscriptions again"), atStart.getMessage());
        ConfigException atSend = assertThrows(ConfigException.class, () -> other.targetFor("team", "team-browser", ENDPOINT));
        assertEquals(atStart.getMessage(), atSend.getMessage());
    }

    @Test
    void keysCopiedToAnotherTargetDoNotOpen() {
        DeliveryStore store = store(key);
        store.addTarget("team", "team-browser", ENDPOINT, KEYS, NOW);
        store.addTarget("eve", "team-browser", ENDPOINT + "-eve", Map.of("p256dh", KEYS.get("p256dh"), "auth", "AAAAAAAAAAAAAAAAAAAAAA"), NOW);
        db.jdbc().update("UPDATE push_target SET keys_json = (SELECT keys_json FROM push_target WHERE address = :from)"
                + " WHERE address = :to", Map.of("from", ENDPOINT, "to", ENDPOINT + "-eve"));

        ConfigException moved = assertThrows(ConfigException.class, () -> store.targetFor("eve", "team-browser", ENDPOINT + "-eve"));
        assertTrue(moved.getMessage().startsWith("table push_target: channel team-browser: the stored keys of a subscription"
                + " are damaged or belong to another target"), moved.getMessage());
        assertFalse(moved.getMessage().contains(KEYS.get("auth")));
    }
}

package io.mailroute.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretCipherTest {

    @TempDir
    Path dir;

    private static TokenKey key(String base64) {
        return TokenKey.load(Map.of(TokenKey.ENV, base64)::get, null, false);
    }

    @Test
    void aSecretRoundTripsAndItsCiphertextDoesNotContainIt() {
        SecretCipher cipher = new SecretCipher(key(TokenKey.generate()));
        String sealed = cipher.seal("mailroute mailbox_token hr", "1//0refresh-token-of-hr");
        assertFalse(sealed.contains("refresh-token"), sealed);
        assertNotEquals(sealed, cipher.seal("mailroute mailbox_token hr", "1//0refresh-token-of-hr"),
                "each encryption uses a fresh nonce");
        assertEquals("1//0refresh-token-of-hr", cipher.open("mailroute mailbox_token hr", cipher.keyId(), sealed));
    }

    @Test
    void aRefreshTokenSealedBeforeTheCipherMovedHereStillOpens() {
        // written by connection.TokenCipher (mailbox hr) with an all-zero test key: the format and associated data held
        SecretCipher cipher = new SecretCipher(key(Base64.getEncoder().encodeToString(new byte[32])));
        assertEquals("c7c0889f", cipher.keyId());
        assertEquals("1//0stored-before-the-move", cipher.open("mailroute mailbox_token hr", "c7c0889f",
                "v1.8eJQqK8_hDANC7LvWlA_xPEXrm2DGBMGtM2R4YQxQAaEbNGiDQF5lhENqokRUeDOY9oi0v_a"));
    }

    @Test
    void anotherKeyCannotOpenItAndSaysWhichKeyItWasSealedWith() {
        SecretCipher right = new SecretCipher(key(TokenKey.generate()));
        SecretCipher wrong = new SecretCipher(key(TokenKey.generate()));
        String sealed = right.seal("row", "secret");
        SecretCipher.Unreadable e = assertThrows(SecretCipher.Unreadable.class, () -> wrong.open("row", right.keyId(), sealed));
        assertTrue(e.wrongKey());
        assertTrue(e.getMessage().contains("environment variable MAILROUTE_TOKEN_KEY"), e.getMessage());
        assertTrue(e.getMessage().contains("key " + right.keyId()), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void aValueMovedToAnotherRowOrAlteredDoesNotOpen() {
        SecretCipher cipher = new SecretCipher(key(TokenKey.generate()));
        String sealed = cipher.seal("mailroute mailbox_token hr", "secret");
        SecretCipher.Unreadable moved = assertThrows(SecretCipher.Unreadable.class,
                () -> cipher.open("mailroute mailbox_token support", cipher.keyId(), sealed));
        assertFalse(moved.wrongKey());
        assertTrue(moved.getMessage().contains("damaged or belongs to another row"), moved.getMessage());
        // one character inside the nonce (the last one may only carry padding bits a decoder ignores)
        int at = "v1.".length() + 4;
        String altered = sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A') + sealed.substring(at + 1);
        assertThrows(SecretCipher.Unreadable.class, () -> cipher.open("mailroute mailbox_token hr", cipher.keyId(), altered));
    }

    @Test
    void aKeyThatIsNotThirtyTwoBytesIsRefusedNamingWhereItCameFrom() {
        ConfigException e = assertThrows(ConfigException.class, () -> key("c2hvcnQ="));
        assertTrue(e.getMessage().startsWith("environment variable MAILROUTE_TOKEN_KEY: is not a token key"), e.getMessage());
    }

    @Test
    void aMissingKeyIsAClearErrorUnlessOneMayBeCreated() throws IOException {
        Path file = dir.resolve("keys/token.key");
        ConfigException missing = assertThrows(ConfigException.class, () -> TokenKey.load(name -> null, file, false));
        assertTrue(missing.getMessage().contains("the key file " + file + " does not exist"), missing.getMessage());
        assertTrue(missing.getMessage().contains("MAILROUTE_TOKEN_KEY"), missing.getMessage());

        TokenKey created = TokenKey.load(name -> null, file, true);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(created.id(), TokenKey.load(name -> null, file, false).id(), "the file holds the key it reported");
        assertFalse(created.toString().contains(Files.readString(file).trim()), "toString never shows the key");
    }

    @Test
    void theEnvironmentWinsOverTheFile() throws IOException {
        Path file = dir.resolve("token.key");
        Files.writeString(file, TokenKey.generate());
        String env = TokenKey.generate();
        assertEquals(key(env).id(), TokenKey.load(Map.of(TokenKey.ENV, env)::get, file, false).id());
        assertNotEquals(key(env).id(), TokenKey.load(name -> null, file, false).id());
    }
}

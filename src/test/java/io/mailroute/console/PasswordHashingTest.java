package io.mailroute.console;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHashingTest {

    /** Cheap parameters for the tests; the service uses {@link PasswordHashing.Cost#OWASP}. */
    static final PasswordHashing CHEAP = new PasswordHashing(new PasswordHashing.Cost(256, 1, 1));

    @Test
    void aPasswordMatchesItsOwnHashOnly() {
        String hash = CHEAP.hash("correct horse battery".toCharArray());
        assertTrue(CHEAP.matches("correct horse battery".toCharArray(), hash));
        assertFalse(CHEAP.matches("correct horse batterY".toCharArray(), hash));
        assertFalse(CHEAP.matches("".toCharArray(), hash));
        assertNotEquals(hash, CHEAP.hash("correct horse battery".toCharArray()), "a new salt each time");
    }

    @Test
    void theDefaultIsArgon2idWithOwaspsParametersInAPhcString() {
        String hash = new PasswordHashing().hash("välkommen – 12345".toCharArray());
        assertTrue(hash.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash);
        assertTrue(CHEAP.matches("välkommen – 12345".toCharArray(), hash), "the parameters travel with the hash");
    }

    @Test
    void noHashAMalformedOneOrAHugePasswordNeverMatch() {
        assertFalse(CHEAP.matches("anything at all".toCharArray(), null));
        assertFalse(CHEAP.matches("anything at all".toCharArray(), "$argon2id$v=19$m=256,t=1,p=1$bad"));
        assertFalse(CHEAP.matches("x".repeat(PasswordHashing.MAX_LENGTH + 1).toCharArray(), CHEAP.hash("x".repeat(20).toCharArray())));
    }

    @Test
    void aPasswordHasTwelveToTwoHundredFiftySixCharacters() {
        assertTrue(PasswordHashing.problem("elevenchars".toCharArray()).contains("at least 12"));
        assertNull(PasswordHashing.problem("twelve chars".toCharArray()));
        assertTrue(PasswordHashing.problem("y".repeat(257).toCharArray()).contains("at most 256"));
    }
}

package io.mailroute.secrets;

import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The one key that seals secrets at rest, for every table that keeps some (refresh tokens, push
 * subscription keys). The key is loaded the first time a value is sealed or opened, so a service
 * with nothing sealed needs none; and a new key is made only while nothing sealed is stored
 * anywhere, never to replace a missing one (that would leave the stored values unreadable).
 */
public final class Secrets {

    /** A sealed value and the fingerprint of the key that sealed it: both are stored. */
    public record Sealed(String keyId, String text) {
    }

    private final Function<Boolean, TokenKey> keys;
    private final BooleanSupplier anythingSealed;
    private volatile SecretCipher cipher;

    /**
     * @param keys           loads the key; its argument says whether a new one may be created
     * @param anythingSealed whether any table holds a value sealed with a key (then none may be created)
     */
    public Secrets(Function<Boolean, TokenKey> keys, BooleanSupplier anythingSealed) {
        this.keys = keys;
        this.anythingSealed = anythingSealed;
    }

    public Sealed seal(String associatedData, String plaintext) {
        SecretCipher c = cipher(true);
        return new Sealed(c.keyId(), c.seal(associatedData, plaintext));
    }

    /** @throws SecretCipher.Unreadable when this key cannot open it */
    public String open(String associatedData, String keyId, String text) {
        return cipher(false).open(associatedData, keyId, text);
    }

    /** The fingerprint of the key (loaded, never created, by asking). */
    public String keyId() {
        return cipher(false).keyId();
    }

    /** Where the key comes from, for messages (loads it). */
    public String keySource() {
        return cipher(false).keySource();
    }

    private SecretCipher cipher(boolean sealing) {
        SecretCipher c = cipher;
        if (c == null) {
            synchronized (this) {
                if (cipher == null) {
                    cipher = new SecretCipher(keys.apply(sealing && !anythingSealed.getAsBoolean()));
                }
                c = cipher;
            }
        }
        return c;
    }
}

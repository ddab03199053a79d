package io.mailroute.secrets;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.function.Function;

/**
 * The AES-256 key that encrypts secrets at rest (refresh tokens, push subscription keys): from the
 * environment variable {@value #ENV} (base64 of 32 bytes) or from a key file outside the repository
 * ({@code mailroute.tokens.key-file}). It is never logged; only its {@link #id() fingerprint} is
 * stored beside each sealed value, so that a wrong key is told apart from damaged data.
 */
public final class TokenKey {

    public static final String ENV = "MAILROUTE_TOKEN_KEY";
    static final int BYTES = 32;

    private final byte[] key;
    private final String source;

    private TokenKey(byte[] key, String source) {
        this.key = key;
        this.source = source;
    }

    /**
     * @param keyFile the configured key file, or null when only the environment is used
     * @param create  write a new random key file when neither the variable nor the file exists
     */
    public static TokenKey load(Function<String, String> environment, Path keyFile, boolean create) {
        String fromEnv = environment.apply(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new TokenKey(decode(fromEnv.trim(), "environment variable " + ENV), "environment variable " + ENV);
        }
        if (keyFile == null) {
            throw missing("no key file is configured (mailroute.tokens.key-file)");
        }
        if (!Files.exists(keyFile)) {
            if (!create) {
                throw missing("the key file " + keyFile + " does not exist");
            }
            return createFile(keyFile);
        }
        try {
            return new TokenKey(decode(KeyMaterial.read(keyFile), "key file " + keyFile), "key file " + keyFile);
        } catch (IOException e) {
            throw new ConfigException(new ConfigProblem(keyFile.toString(), null, "cannot read the token key: " + e.getMessage(),
                    "make it readable by the service's user only (chmod 600)"));
        }
    }

    /** A new random key, base64: what the key file or {@value #ENV} holds. */
    public static String generate() {
        return KeyMaterial.generate(BYTES);
    }

    /** A short fingerprint of the key (not the key): stored with each token. */
    public String id() {
        return HexFormat.of().formatHex(KeyMaterial.fingerprint("mailroute token key v1", key, 4));
    }

    /** Where the key came from, for messages ("environment variable MAILROUTE_TOKEN_KEY", "key file ..."). */
    public String source() {
        return source;
    }

    byte[] bytes() {
        return key.clone();
    }

    @Override
    public String toString() {
        return "TokenKey[" + id() + " from " + source + "]";
    }

    private static TokenKey createFile(Path keyFile) {
        try {
            return new TokenKey(decode(KeyMaterial.createFile(keyFile, BYTES), "key file " + keyFile), "key file " + keyFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the token key file " + keyFile + " (mailroute.tokens.key-file): "
                    + e.getMessage() + ". Create it yourself with 32 random bytes in base64, or set " + ENV, e);
        }
    }

    private static byte[] decode(String text, String where) {
        byte[] key = KeyMaterial.decode(text, BYTES, BYTES);
        if (key == null) {
            throw new ConfigException(new ConfigProblem(where, null, "is not a token key (expected 32 bytes in base64)",
                    "generate one with: head -c 32 /dev/urandom | base64"));
        }
        return key;
    }

    private static ConfigException missing(String why) {
        return new ConfigException(new ConfigProblem(ENV, null, "no token key: " + why
                + ", and the stored OAuth tokens or push subscription keys need it",
                "set " + ENV + " or mailroute.tokens.key-file to the key they were stored with; if it is lost, run "
                        + "'java -jar target/mailroute.jar connect MAILBOX' again for each mailbox and register the "
                        + "browser subscriptions again"));
    }
}

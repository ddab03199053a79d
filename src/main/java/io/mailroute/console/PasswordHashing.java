package io.mailroute.console;

import java.nio.CharBuffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Console passwords as Argon2id hashes (Bouncy Castle's {@link Argon2BytesGenerator}), kept as PHC strings
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, unpadded base64) so that the parameters travel with each
 * hash and can be raised later without breaking stored ones. The defaults are OWASP's Password Storage Cheat Sheet's
 * first Argon2id choice: 19 MiB, 2 iterations, 1 lane. Hashes are compared in constant time.
 */
public final class PasswordHashing {

    /** Argon2id's cost: memory in KiB, iterations, lanes. */
    public record Cost(int memoryKib, int iterations, int parallelism) {
        public static final Cost OWASP = new Cost(19_456, 2, 1);
    }

    /** Shorter passwords are refused when they are set. */
    public static final int MIN_LENGTH = 12;
    /** Longer ones too: hashing megabytes for a stranger is a cheap attack. */
    public static final int MAX_LENGTH = 256;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{16,128})");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final Cost cost;
    private final SecureRandom random = new SecureRandom();
    /** Checked against when a name is unknown, so an unknown name takes as long as a wrong password. */
    private final String decoy;

    public PasswordHashing(Cost cost) {
        this.cost = cost;
        this.decoy = hash("decoy password that matches nothing".toCharArray());
    }

    public PasswordHashing() {
        this(Cost.OWASP);
    }

    /** Why this password cannot be set, or null when it can. */
    public static String problem(char[] password) {
        if (password == null || password.length < MIN_LENGTH) {
            return "a console password has at least " + MIN_LENGTH + " characters";
        }
        if (password.length > MAX_LENGTH) {
            return "a console password has at most " + MAX_LENGTH + " characters";
        }
        return null;
    }

    /** The PHC string of a new salted hash of the password. */
    public String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, cost, HASH_BYTES);
        return "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p=" + cost.parallelism() + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * Whether the password matches the stored hash, compared in constant time. A null or malformed hash is checked
     * against a decoy (same work) and never matches; a password too long is refused unhashed.
     */
    public boolean matches(char[] password, String stored) {
        if (password == null || password.length > MAX_LENGTH) {
            return false;
        }
        Matcher phc = stored == null ? null : PHC.matcher(stored);
        boolean real = phc != null && phc.matches();
        if (!real) {
            phc = PHC.matcher(decoy);
            phc.matches();
        }
        Cost storedCost = new Cost(Integer.parseInt(phc.group(1)), Integer.parseInt(phc.group(2)), Integer.parseInt(phc.group(3)));
        byte[] salt = B64D.decode(phc.group(4));
        byte[] expected = B64D.decode(phc.group(5));
        byte[] actual = derive(password, salt, storedCost, expected.length);
        return MessageDigest.isEqual(expected, actual) && real;
    }

    private static byte[] derive(char[] password, byte[] salt, Cost cost, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(cost.memoryKib())
                .withIterations(cost.iterations())
                .withParallelism(cost.parallelism())
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] secret = utf8(password);
        byte[] out = new byte[length];
        try {
            generator.generateBytes(secret, out);
            return out;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }
}

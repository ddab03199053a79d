package io.mailroute.links;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import io.mailroute.secrets.KeyMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The keys that sign links: the current one, which signs every new link, and previous ones, which only verify
 * links made before a rotation. The current key comes from the environment variable {@value #ENV} (base64 of at
 * least 32 bytes) or else from the key file {@value #KEY_FILE}, which the service creates (0600, 32 random
 * bytes) at its first start; previous keys from {@value #PREVIOUS_ENV} (comma-separated base64) and the files of
 * {@value #PREVIOUS_KEY_FILES}. Keys never appear in messages or logs, only their ids (fingerprints).
 */
public final class LinkKeys {

    /** The current key, base64 of at least 32 bytes; wins over the key file. */
    public static final String ENV = "MAILROUTE_LINK_KEY";
    /** Previous keys, comma-separated base64: accepted to verify, never used to sign. */
    public static final String PREVIOUS_ENV = "MAILROUTE_LINK_KEYS_PREVIOUS";
    public static final String KEY_FILE = "mailroute.links.key-file";
    public static final String PREVIOUS_KEY_FILES = "mailroute.links.previous-key-files";
    static final int MIN_BYTES = 32;
    private static final int MAX_BYTES = 1024;
    private static final String FIX = "write 32 or more random bytes in base64, e.g. from: head -c 32 /dev/urandom | base64";

    private final LinkKey current;
    private final Map<String, LinkKey> byId;

    private LinkKeys(LinkKey current, List<LinkKey> previous) {
        this.current = current;
        Map<String, LinkKey> keys = new LinkedHashMap<>();
        keys.put(current.hexId(), current);
        previous.forEach(key -> keys.putIfAbsent(key.hexId(), key)); // the current key listed again is still current
        this.byId = Collections.unmodifiableMap(keys);
    }

    /**
     * The keys as configured; a missing current key file is created (owner-only, 32 random bytes).
     *
     * @param keyFile          {@value #KEY_FILE}: the current key unless {@value #ENV} is set
     * @param previousKeyFiles {@value #PREVIOUS_KEY_FILES}: each must exist
     * @throws ConfigException naming the variable or file that holds no usable key, never the key
     */
    public static LinkKeys load(Function<String, String> environment, Path keyFile, List<Path> previousKeyFiles) {
        List<ConfigProblem> problems = new ArrayList<>();
        LinkKey current = current(environment, keyFile, true, problems);
        List<LinkKey> previous = previous(environment, previousKeyFiles, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new LinkKeys(current, previous);
    }

    /**
     * What {@link #load} would refuse, without creating anything: a current key file that does not exist yet is
     * fine (the service creates it), one that exists must hold a key.
     */
    public static List<ConfigProblem> check(Function<String, String> environment, Path keyFile, List<Path> previousKeyFiles) {
        List<ConfigProblem> problems = new ArrayList<>();
        current(environment, keyFile, false, problems);
        previous(environment, previousKeyFiles, problems);
        return problems;
    }

    /**
     * Keys given directly, base64 (tests, tools).
     *
     * @throws IllegalArgumentException when one is not base64 of at least 32 bytes (the message shows no key)
     */
    public static LinkKeys of(String current, String... previous) {
        List<LinkKey> older = new ArrayList<>();
        for (String key : previous) {
            older.add(new LinkKey(decodeOrThrow(key), "a previous key given directly"));
        }
        return new LinkKeys(new LinkKey(decodeOrThrow(current), "a key given directly"), older);
    }

    /** A new random key, base64: what {@value #ENV} or a key file holds. */
    public static String generate() {
        return KeyMaterial.generate(MIN_BYTES);
    }

    /** The id (8 hex digits) of the key that signs new links. */
    public String currentId() {
        return current.hexId();
    }

    /** For the start-up log: the ids and where the keys came from, never the keys. */
    public String describe() {
        int previous = byId.size() - 1;
        return "key " + current.hexId() + " from " + current.source()
                + (previous == 0 ? "" : ", and " + previous + " previous key" + (previous == 1 ? "" : "s") + " "
                + byId.keySet().stream().skip(1).toList() + " that only verify");
    }

    LinkKey current() {
        return current;
    }

    /** The key with this id, current or previous, or null. */
    LinkKey find(String hexId) {
        return byId.get(hexId);
    }

    @Override
    public String toString() {
        return "LinkKeys[" + describe() + "]";
    }

    private static LinkKey current(Function<String, String> environment, Path keyFile, boolean create,
            List<ConfigProblem> problems) {
        String fromEnv = environment.apply(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return key(fromEnv, "environment variable " + ENV, null, problems);
        }
        if (keyFile == null) {
            problems.add(new ConfigProblem("environment variable " + ENV, null, "is not set and no key file is configured",
                    "set " + KEY_FILE + " (by default under the data directory) or " + ENV));
            return null;
        }
        if (!Files.exists(keyFile)) {
            if (!create) {
                return null; // made at start
            }
            try {
                return key(KeyMaterial.createFile(keyFile, MIN_BYTES), keyFile.toString(), KEY_FILE, problems);
            } catch (IOException e) {
                problems.add(new ConfigProblem(keyFile.toString(), KEY_FILE, "cannot create the signed-link key file: "
                        + e.getMessage(), "make its directory writable by the service's user, choose another file, or set "
                        + ENV));
                return null;
            }
        }
        return fromFile(keyFile, KEY_FILE, problems);
    }

    private static List<LinkKey> previous(Function<String, String> environment, List<Path> files, List<ConfigProblem> problems) {
        List<LinkKey> keys = new ArrayList<>();
        String fromEnv = environment.apply(PREVIOUS_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            String[] entries = fromEnv.split(",");
            for (int i = 0; i < entries.length; i++) {
                if (!entries[i].isBlank()) {
                    keys.add(key(entries[i], "environment variable " + PREVIOUS_ENV + " (entry " + (i + 1) + ")", null,
                            problems));
                }
            }
        }
        for (Path file : files) {
            if (!Files.exists(file)) {
                problems.add(new ConfigProblem(file.toString(), PREVIOUS_KEY_FILES, "does not exist",
                        "remove it from " + PREVIOUS_KEY_FILES + " once links signed with it may expire, or restore it"));
            } else {
                keys.add(fromFile(file, PREVIOUS_KEY_FILES, problems));
            }
        }
        keys.removeIf(Objects::isNull);
        return keys;
    }

    private static LinkKey fromFile(Path file, String setting, List<ConfigProblem> problems) {
        try {
            return key(KeyMaterial.read(file), file.toString(), setting, problems);
        } catch (IOException e) {
            problems.add(new ConfigProblem(file.toString(), setting, "cannot read the signed-link key: " + e.getMessage(),
                    "make it readable by the service's user only (chmod 600)"));
            return null;
        }
    }

    /**
     * The key, or null with a problem that names where it came from, never its content.
     *
     * @param where   the variable ("environment variable ...") or, with its setting, the key file
     * @param setting the setting that names the key file; null for a variable
     */
    private static LinkKey key(String base64, String where, String setting, List<ConfigProblem> problems) {
        byte[] key = KeyMaterial.decode(base64, MIN_BYTES, MAX_BYTES);
        if (key == null) {
            problems.add(new ConfigProblem(where, setting, "is not a signed-link key (expected base64 of at least "
                    + MIN_BYTES + " bytes)", FIX));
            return null;
        }
        return new LinkKey(key, setting == null ? where : "key file " + where);
    }

    private static byte[] decodeOrThrow(String base64) {
        byte[] key = base64 == null ? null : KeyMaterial.decode(base64, MIN_BYTES, MAX_BYTES);
        if (key == null) {
            throw new IllegalArgumentException("not a signed-link key: expected base64 of at least " + MIN_BYTES + " bytes");
        }
        return key;
    }
}

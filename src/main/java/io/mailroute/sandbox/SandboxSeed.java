package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mailroute.text.Counted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's seed: {@code DIR/sandbox.yaml} names the OAuth client and the users, and each user's
 * {@code mail} directory holds .eml files inserted in file-name order into INBOX + UNREAD. Seeded mail
 * arrives when it is seeded (Gmail's internalDate; the Date headers stay as written), so that SLAs count
 * from the demo's start rather than from the dates the files were written with.
 */
record SandboxSeed(Path file, String clientId, String clientSecret, List<SeedUser> users) {

    static final String FILE_NAME = "sandbox.yaml";
    static final List<String> SEED_LABELS = List.of("INBOX", "UNREAD");

    private static final Logger LOG = LoggerFactory.getLogger(SandboxSeed.class);

    /** @param mailDir resolved against the seed directory; null when the user has no mail key */
    record SeedUser(String address, String refreshToken, Path mailDir) {
    }

    static SandboxSeed load(Path dir) throws SandboxSeedException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new SandboxSeedException("Sandbox seed file " + file + " not found (expected " + FILE_NAME
                    + " in the --seed directory)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new SandboxSeedException("Sandbox seed file " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SandboxSeedException("Sandbox seed file " + file + " must be a YAML mapping with keys client and users");
        }
        String clientId = text(file, root, "client", "id", "client.id");
        String clientSecret = text(file, root, "client", "secret", "client.secret");
        JsonNode usersNode = root.get("users");
        if (usersNode == null || !usersNode.isArray()) {
            throw new SandboxSeedException("Sandbox seed file " + file + ": missing key 'users' (a list of users)");
        }
        List<SeedUser> users = new ArrayList<>();
        for (int i = 0; i < usersNode.size(); i++) {
            JsonNode user = usersNode.get(i);
            String at = "users[" + i + "]";
            String address = text(file, user, null, "address", at + ".address");
            String refreshToken = text(file, user, null, "refreshToken", at + ".refreshToken");
            JsonNode mail = user.get("mail");
            Path mailDir = mail == null || mail.isNull() ? null : dir.resolve(mail.asText());
            users.add(new SeedUser(address, refreshToken, mailDir));
        }
        return new SandboxSeed(file, clientId, clientSecret, List.copyOf(users));
    }

    private static String text(Path file, JsonNode node, String parent, String key, String keyPath)
            throws SandboxSeedException {
        JsonNode holder = parent == null ? node : node.get(parent);
        JsonNode value = holder == null || !holder.isObject() ? null : holder.get(key);
        if (value == null || value.isNull() || !value.isValueNode() || value.asText().isBlank()) {
            throw new SandboxSeedException("Sandbox seed file " + file + ": missing key '" + keyPath + "'");
        }
        return value.asText().trim();
    }

    /** Registers the client and users, then inserts each user's mail. */
    void applyTo(OAuthTokenStore tokens, SandboxAdmin admin, SandboxMailStore store) throws SandboxSeedException {
        tokens.usePrimaryClient(clientId, clientSecret);
        for (SeedUser user : users) {
            seed(user, admin, store);
        }
    }

    /** Over a state kept from an earlier run: only the users added to the seed since, with their mail. */
    void addNewUsersTo(SandboxAdmin admin, SandboxMailStore store) throws SandboxSeedException {
        for (SeedUser user : users) {
            if (store.mailbox(user.address()).isEmpty()) {
                LOG.info("Sandbox seed: {} is new in {}", user.address(), file);
                seed(user, admin, store);
            }
        }
    }

    private void seed(SeedUser user, SandboxAdmin admin, SandboxMailStore store) throws SandboxSeedException {
        admin.addUser(user.address(), user.refreshToken());
        if (user.mailDir() == null) {
            return;
        }
        if (!Files.isDirectory(user.mailDir())) {
            LOG.info("Sandbox seed: no mail directory {} for {}; the mailbox starts empty", user.mailDir(), user.address());
            return;
        }
        int count = 0;
        for (Path eml : emlFiles(user.mailDir())) {
            try {
                store.receive(store.requireMailbox(user.address()), Files.readAllBytes(eml), SEED_LABELS, null,
                        SandboxMailStore.InternalDateSource.RECEIVED_TIME);
                count++;
            } catch (IOException | GmailApiException e) {
                throw new SandboxSeedException("Sandbox seed: cannot insert " + eml + " for " + user.address()
                        + ": " + e.getMessage(), e);
            }
        }
        LOG.info("Sandbox seed: {} for {}", Counted.of(count, "message"), user.address());
    }

    private static List<Path> emlFiles(Path dir) throws SandboxSeedException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".eml"))
                    .filter(Files::isRegularFile)
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new SandboxSeedException("Sandbox seed: cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}

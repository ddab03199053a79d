package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mailroute.files.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's users, OAuth clients and grants, and mail (with labels, threads and history), kept in a
 * directory across restarts: the demo keeps them in {@code data/sandbox}, so that a grant the sandbox issued
 * to {@code connect} still works after a restart, and history ids go on where they were (a cursor kept by
 * Mailroute stays valid). {@code state.json} holds everything but the messages' bytes, which are written
 * once each to {@code mail/<sha256>.eml}. Everything is readable by its owner only.
 */
final class SandboxState {

    static final String FILE = "state.json";
    private static final int FORMAT = 1;
    private static final Logger LOG = LoggerFactory.getLogger(SandboxState.class);

    record Saved(int format, OAuthTokenStore.Image oauth, List<SavedMailbox> mailboxes) {
    }

    record SavedMailbox(String address, long historyId, int nextUserLabel, List<SavedLabel> userLabels,
            List<SavedMessage> messages, List<HistoryLog.Record> history, long oldestAnswerableHistoryId) {
    }

    record SavedLabel(String id, String name, String messageListVisibility, String labelListVisibility) {
    }

    /** @param raw the name of its bytes' file under {@code mail/} */
    record SavedMessage(String id, String threadId, String raw, long internalDate, List<String> labelIds, long historyId) {
    }

    private final Path dir;
    private final Path mailDir;
    private final SandboxMailStore store;
    private final OAuthTokenStore tokens;
    private final ObjectMapper json = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    /** Message bytes never change, so each message's file is named (hashed) and written once. */
    private final Map<String, String> rawFileByMessageId = new HashMap<>();
    private long savedChanges = -1;

    SandboxState(Path dir, SandboxMailStore store, OAuthTokenStore tokens) {
        this.dir = dir;
        this.mailDir = dir.resolve("mail");
        this.store = store;
        this.tokens = tokens;
    }

    Path dir() {
        return dir;
    }

    /**
     * Loads what an earlier run kept into the (empty) stores.
     *
     * @return false when the directory holds no state yet
     */
    synchronized boolean restore() throws SandboxSeedException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        Saved saved;
        try {
            saved = json.readValue(file.toFile(), Saved.class);
        } catch (IOException e) {
            throw unreadable(file, e.getMessage(), e);
        }
        if (saved.format() != FORMAT || saved.oauth() == null || saved.mailboxes() == null) {
            throw unreadable(file, "format " + saved.format() + ", expected " + FORMAT, null);
        }
        tokens.restore(saved.oauth());
        int messages = 0;
        for (SavedMailbox mailbox : saved.mailboxes()) {
            List<MessageSnapshot> kept = new ArrayList<>();
            for (SavedMessage m : mailbox.messages()) {
                Path rawFile = mailDir.resolve(m.raw());
                byte[] raw;
                try {
                    raw = Files.readAllBytes(rawFile);
                } catch (IOException e) {
                    throw unreadable(rawFile, "message " + m.id() + " of " + mailbox.address() + " is missing", e);
                }
                kept.add(new MessageSnapshot(m.id(), m.threadId(), raw, ParsedMessage.parse(raw), m.internalDate(),
                        m.labelIds(), m.historyId()));
                rawFileByMessageId.put(m.id(), m.raw());
            }
            store.restore(new SandboxMailbox.Image(mailbox.address(), mailbox.historyId(), mailbox.nextUserLabel(),
                    mailbox.userLabels().stream().map(l -> new SandboxLabel(l.id(), l.name(), "user",
                            l.messageListVisibility(), l.labelListVisibility())).toList(),
                    kept, mailbox.history(), mailbox.oldestAnswerableHistoryId()));
            messages += kept.size();
        }
        savedChanges = changeCount();
        LOG.info("Sandbox state restored from {}: {} users, {} messages, their grants and history (delete the directory"
                + " to start again from the seed)", dir, saved.mailboxes().size(), messages);
        return true;
    }

    /** Saves when anything changed since the last save; a failure is logged, the sandbox carries on. */
    synchronized void saveIfChanged() {
        long changes = changeCount();
        if (changes == savedChanges) {
            return;
        }
        try {
            save();
            savedChanges = changes;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Sandbox state not saved to {}: {}; a restart would forget the latest changes", dir, e.getMessage());
        }
    }

    private long changeCount() {
        return store.changeCount() + tokens.changeCount();
    }

    private void save() throws IOException {
        OwnerOnly.directory(dir);
        OwnerOnly.directory(mailDir);
        List<SavedMailbox> mailboxes = new ArrayList<>();
        Set<String> kept = new HashSet<>();
        for (SandboxMailbox mailbox : store.mailboxes()) {
            SandboxMailbox.Image image = mailbox.image();
            List<SavedMessage> messages = new ArrayList<>();
            for (MessageSnapshot m : image.messages()) {
                String rawFile = rawFileByMessageId.get(m.id());
                if (rawFile == null) {
                    rawFile = sha256(m.raw()) + ".eml";
                    if (!Files.exists(mailDir.resolve(rawFile))) {
                        OwnerOnly.write(mailDir.resolve(rawFile), m.raw());
                    }
                    rawFileByMessageId.put(m.id(), rawFile);
                }
                kept.add(m.id());
                messages.add(new SavedMessage(m.id(), m.threadId(), rawFile, m.internalDate(), m.labelIds(), m.historyId()));
            }
            mailboxes.add(new SavedMailbox(image.address(), image.historyId(), image.nextUserLabel(),
                    image.userLabels().stream().map(l -> new SavedLabel(l.id(), l.name(), l.messageListVisibility(),
                            l.labelListVisibility())).toList(),
                    messages, image.history(), image.oldestAnswerableHistoryId()));
        }
        OwnerOnly.write(dir.resolve(FILE), json.writeValueAsBytes(new Saved(FORMAT, tokens.image(), mailboxes)));
        deleteFilesOfDeletedMessages(kept);
    }

    private void deleteFilesOfDeletedMessages(Set<String> keptMessageIds) throws IOException {
        if (rawFileByMessageId.keySet().retainAll(keptMessageIds)) {
            Set<String> referenced = new HashSet<>(rawFileByMessageId.values());
            try (var files = Files.list(mailDir)) {
                for (Path file : files.filter(f -> !referenced.contains(f.getFileName().toString())).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private SandboxSeedException unreadable(Path file, String problem, Exception cause) {
        return new SandboxSeedException("The sandbox state " + file + " cannot be read (" + problem + "). Delete " + dir
                + " to start the sandbox again from its seed (mail and grants it issued are then forgotten).", cause);
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}

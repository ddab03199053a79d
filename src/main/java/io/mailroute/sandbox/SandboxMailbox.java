package io.mailroute.sandbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One user's mailbox: messages, labels, threads and history. Every method is atomic (synchronized);
 * every mutation bumps the history id and leaves a history record.
 */
final class SandboxMailbox {

    /** Where a new message starts: its labels, thread wish and receive time. */
    record NewMessage(byte[] raw, ParsedMessage parsed, List<String> labelIds, String requestedThreadId,
            long internalDate) {
    }

    record Profile(String emailAddress, int messagesTotal, int threadsTotal, long historyId) {
    }

    record LabelCounts(int messagesTotal, int messagesUnread, int threadsTotal, int threadsUnread) {
    }

    record HistoryPage(List<HistoryLog.Record> records, Long nextAfterId, long historyId) {
    }

    /** Everything the mailbox holds, to keep it across a restart: messages in arrival order, user labels, history. */
    record Image(String address, long historyId, int nextUserLabel, List<SandboxLabel> userLabels,
            List<MessageSnapshot> messages, List<HistoryLog.Record> history, long oldestAnswerableHistoryId) {
    }

    static final long INITIAL_HISTORY_ID = 1000;

    private static final Comparator<StoredMessage> NEWEST_FIRST =
            Comparator.comparingLong((StoredMessage m) -> m.internalDate).thenComparing(m -> m.id).reversed();

    private final String address;
    private final GmailIds ids;
    private final Map<String, StoredMessage> messages = new LinkedHashMap<>();
    private final Map<String, SandboxLabel> labels = new LinkedHashMap<>();
    private final Map<String, String> gmailIdByRfc822Id = new HashMap<>();
    private final HistoryLog history;
    private final HistoryLog.Listener listener;
    private long historyId = INITIAL_HISTORY_ID;
    private int nextUserLabel = 1;

    SandboxMailbox(String address, GmailIds ids, int retainedHistory, HistoryLog.Listener listener) {
        this(address, ids, new HistoryLog(INITIAL_HISTORY_ID, retainedHistory), listener);
    }

    private SandboxMailbox(String address, GmailIds ids, HistoryLog history, HistoryLog.Listener listener) {
        this.address = address;
        this.ids = ids;
        this.history = history;
        this.listener = listener;
        SandboxLabel.SYSTEM_LABEL_IDS.forEach(id -> labels.put(id, SandboxLabel.system(id)));
    }

    /** The mailbox as {@link #image()} kept it. */
    static SandboxMailbox restore(Image image, GmailIds ids, int retainedHistory, HistoryLog.Listener listener) {
        SandboxMailbox mailbox = new SandboxMailbox(image.address(), ids,
                new HistoryLog(image.history(), image.oldestAnswerableHistoryId(), retainedHistory), listener);
        image.userLabels().forEach(label -> mailbox.labels.put(label.id(), label));
        for (MessageSnapshot kept : image.messages()) {
            mailbox.index(new StoredMessage(kept.id(), kept.threadId(), kept.raw(), kept.parsed(), kept.internalDate(),
                    kept.labelIds(), kept.historyId()));
            ids.continueAfter(kept.id());
        }
        mailbox.historyId = image.historyId();
        mailbox.nextUserLabel = image.nextUserLabel();
        return mailbox;
    }

    synchronized Image image() {
        return new Image(address, historyId, nextUserLabel, labels.values().stream().filter(l -> !l.isSystem()).toList(),
                messages.values().stream().map(StoredMessage::snapshot).toList(), history.records(),
                history.oldestAnswerableStart());
    }

    String address() {
        return address;
    }

    synchronized Profile profile() {
        long threads = messages.values().stream().map(m -> m.threadId).distinct().count();
        return new Profile(address, messages.size(), (int) threads, historyId);
    }

    synchronized long historyId() {
        return historyId;
    }

    synchronized int messageCount() {
        return messages.size();
    }

    // ---- labels

    synchronized List<SandboxLabel> labels() {
        return List.copyOf(labels.values());
    }

    synchronized Optional<SandboxLabel> label(String id) {
        return Optional.ofNullable(labels.get(id));
    }

    synchronized LabelCounts labelCounts(String labelId) {
        List<StoredMessage> labelled = messages.values().stream().filter(m -> m.labelIds.contains(labelId)).toList();
        List<StoredMessage> unread = labelled.stream().filter(m -> m.labelIds.contains("UNREAD")).toList();
        return new LabelCounts(labelled.size(), unread.size(),
                (int) labelled.stream().map(m -> m.threadId).distinct().count(),
                (int) unread.stream().map(m -> m.threadId).distinct().count());
    }

    synchronized SandboxLabel createLabel(String name, String messageListVisibility, String labelListVisibility) {
        String trimmed = name == null ? "" : name.trim();
        if (trimmed.isEmpty()) {
            throw GmailErrors.invalidArgument("Invalid label name");
        }
        boolean clash = labels.values().stream().anyMatch(l -> l.name().equalsIgnoreCase(trimmed));
        if (clash) {
            throw GmailErrors.duplicateLabel();
        }
        SandboxLabel label = new SandboxLabel("Label_" + nextUserLabel++, trimmed, "user",
                messageListVisibility == null ? "show" : messageListVisibility,
                labelListVisibility == null ? "labelShow" : labelListVisibility);
        labels.put(label.id(), label);
        historyId++;
        return label;
    }

    private void requireLabels(Collection<String> labelIds) {
        for (String id : labelIds) {
            if (!labels.containsKey(id)) {
                throw GmailErrors.invalidArgument("Invalid label: " + id);
            }
        }
    }

    // ---- messages

    synchronized MessageSnapshot add(NewMessage incoming) {
        requireLabels(incoming.labelIds());
        String id = ids.next();
        String threadId = resolveThread(incoming.requestedThreadId(), incoming.parsed()).orElse(id);
        historyId++;
        StoredMessage message = new StoredMessage(id, threadId, incoming.raw(), incoming.parsed(),
                incoming.internalDate(), incoming.labelIds(), historyId);
        index(message);
        record(new HistoryLog.Record(historyId, HistoryLog.ChangeType.MESSAGE_ADDED, id, threadId,
                List.copyOf(message.labelIds), List.of()));
        return message.snapshot();
    }

    private void index(StoredMessage message) {
        messages.put(message.id, message);
        message.parsed.header("Message-ID").map(ParsedMessage::messageIds).filter(found -> !found.isEmpty())
                .ifPresent(found -> gmailIdByRfc822Id.putIfAbsent(found.get(0), message.id));
    }

    /**
     * Gmail's threading: a requested thread of this mailbox, or the thread of a message named in
     * In-Reply-To/References, and in both cases only when the subjects match (ignoring Re:/Fwd:).
     */
    private Optional<String> resolveThread(String requestedThreadId, ParsedMessage parsed) {
        String subject = normalizeSubject(parsed.subject());
        if (requestedThreadId != null && !requestedThreadId.isBlank()) {
            Optional<StoredMessage> root = messages.values().stream()
                    .filter(m -> m.threadId.equals(requestedThreadId)).findFirst();
            if (root.isPresent() && normalizeSubject(root.get().parsed.subject()).equals(subject)) {
                return Optional.of(requestedThreadId);
            }
        }
        for (String rfcId : parsed.referencedMessageIds()) {
            StoredMessage referenced = messages.get(gmailIdByRfc822Id.get(rfcId));
            if (referenced != null && normalizeSubject(referenced.parsed.subject()).equals(subject)) {
                return Optional.of(referenced.threadId);
            }
        }
        return Optional.empty();
    }

    static String normalizeSubject(String subject) {
        return subject.replaceAll("(?i)^(\\s*(re|fwd?|aw|sv|wg)\\s*(\\[\\d+])?\\s*:\\s*)+", "").trim()
                .toLowerCase(Locale.ROOT);
    }

    synchronized Optional<MessageSnapshot> get(String id) {
        return Optional.ofNullable(messages.get(id)).map(StoredMessage::snapshot);
    }

    /** Messages matching the filter, newest first. */
    synchronized List<MessageSnapshot> list(Predicate<MessageSnapshot> filter) {
        return messages.values().stream().sorted(NEWEST_FIRST).map(StoredMessage::snapshot).filter(filter).toList();
    }

    synchronized List<MessageSnapshot> thread(String threadId) {
        return messages.values().stream().filter(m -> m.threadId.equals(threadId))
                .sorted(NEWEST_FIRST.reversed()).map(StoredMessage::snapshot).toList();
    }

    synchronized Map<String, String> labelNames() {
        Map<String, String> names = new LinkedHashMap<>();
        labels.values().forEach(l -> names.put(l.id(), l.name()));
        return names;
    }

    synchronized MessageSnapshot modify(String id, List<String> add, List<String> remove) {
        StoredMessage message = messages.get(id);
        if (message == null) {
            throw GmailErrors.notFound();
        }
        requireLabels(add);
        requireLabels(remove);
        applyLabels(message, add, remove);
        return message.snapshot();
    }

    /** All or nothing: an unknown id or label fails the whole batch before anything changes. */
    synchronized void batchModify(List<String> messageIds, List<String> add, List<String> remove) {
        requireLabels(add);
        requireLabels(remove);
        List<StoredMessage> targets = new ArrayList<>();
        for (String id : messageIds) {
            StoredMessage message = messages.get(id);
            if (message == null) {
                throw GmailErrors.invalidArgument("Invalid id value: " + id);
            }
            targets.add(message);
        }
        targets.forEach(m -> applyLabels(m, add, remove));
    }

    private void applyLabels(StoredMessage message, List<String> add, List<String> remove) {
        Set<String> added = new LinkedHashSet<>();
        for (String label : add) {
            if (!remove.contains(label) && message.labelIds.add(label)) {
                added.add(label);
            }
        }
        Set<String> removed = new LinkedHashSet<>();
        for (String label : remove) {
            if (message.labelIds.remove(label)) {
                removed.add(label);
            }
        }
        if (!added.isEmpty()) {
            recordLabelChange(message, HistoryLog.ChangeType.LABEL_ADDED, added);
        }
        if (!removed.isEmpty()) {
            recordLabelChange(message, HistoryLog.ChangeType.LABEL_REMOVED, removed);
        }
    }

    private void recordLabelChange(StoredMessage message, HistoryLog.ChangeType type, Set<String> changed) {
        historyId++;
        message.historyId = historyId;
        record(new HistoryLog.Record(historyId, type, message.id, message.threadId,
                List.copyOf(message.labelIds), List.copyOf(changed)));
    }

    synchronized void delete(String id) {
        StoredMessage message = messages.remove(id);
        if (message == null) {
            throw GmailErrors.notFound();
        }
        gmailIdByRfc822Id.values().removeIf(id::equals);
        historyId++;
        record(new HistoryLog.Record(historyId, HistoryLog.ChangeType.MESSAGE_DELETED, id, message.threadId,
                List.copyOf(message.labelIds), List.of()));
    }

    // ---- history

    private void record(HistoryLog.Record change) {
        history.add(change);
        listener.recorded(address, change);
    }

    /** Records after {@code afterId} (the start id, or the last id of the previous page). */
    synchronized HistoryPage history(long startHistoryId, long afterId, Set<HistoryLog.ChangeType> types,
            String labelId, int max) {
        if (history.isTooOld(startHistoryId)) {
            throw GmailErrors.notFound();
        }
        HistoryLog.Page page = history.page(afterId, types, labelId, max);
        return new HistoryPage(page.records(), page.nextAfterId(), historyId);
    }

    /**
     * Makes every start id up to the current history id "too old". The history id then moves on by one,
     * so a client that recovers with a full sync and a fresh {@code getProfile} can poll again.
     */
    synchronized void expireHistory() {
        history.expire(historyId);
        historyId++;
    }
}

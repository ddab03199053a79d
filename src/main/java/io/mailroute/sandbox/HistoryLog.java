package io.mailroute.sandbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * A mailbox's change records, as {@code history.list} serves them. Only the newest records are kept;
 * a start id from before what is kept is "too old" and answered 404, like Gmail.
 */
final class HistoryLog {

    enum ChangeType {
        MESSAGE_ADDED("messageAdded", "messagesAdded"),
        MESSAGE_DELETED("messageDeleted", "messagesDeleted"),
        LABEL_ADDED("labelAdded", "labelsAdded"),
        LABEL_REMOVED("labelRemoved", "labelsRemoved");

        final String apiType;
        final String field;

        ChangeType(String apiType, String field) {
            this.apiType = apiType;
            this.field = field;
        }

        static ChangeType fromApi(String name) {
            for (ChangeType t : values()) {
                if (t.apiType.equalsIgnoreCase(name)) {
                    return t;
                }
            }
            throw GmailErrors.invalidArgument("Invalid historyTypes value: " + name);
        }
    }

    /** One change; {@code messageLabels} is the message's labels after it, {@code changedLabels} for label changes. */
    record Record(long id, ChangeType type, String messageId, String threadId, List<String> messageLabels,
            List<String> changedLabels) {
    }

    record Page(List<Record> records, Long nextAfterId) {
    }

    /** Told of each new change of a mailbox as it is recorded (under the mailbox's lock: it must be quick). */
    @FunctionalInterface
    interface Listener {
        Listener NONE = (address, record) -> { };

        void recorded(String address, Record record);
    }

    static final int DEFAULT_RETAINED = 100_000;

    private final int retained;
    private final Deque<Record> records = new ArrayDeque<>();
    private long oldestAnswerableStart;

    HistoryLog(long initialHistoryId, int retained) {
        this.oldestAnswerableStart = initialHistoryId;
        this.retained = retained;
    }

    /** A log as it was kept: its records, oldest first, and the oldest start id it still answers. */
    HistoryLog(List<Record> kept, long oldestAnswerableStart, int retained) {
        this(oldestAnswerableStart, retained);
        kept.forEach(this::add);
    }

    List<Record> records() {
        return List.copyOf(records);
    }

    long oldestAnswerableStart() {
        return oldestAnswerableStart;
    }

    void add(Record record) {
        records.addLast(record);
        if (records.size() > retained) {
            Record dropped = records.removeFirst();
            oldestAnswerableStart = Math.max(oldestAnswerableStart, dropped.id());
        }
    }

    /** Forgets everything up to and including {@code upToHistoryId}. */
    void expire(long upToHistoryId) {
        records.removeIf(r -> r.id() <= upToHistoryId);
        oldestAnswerableStart = Math.max(oldestAnswerableStart, upToHistoryId + 1);
    }

    boolean isTooOld(long startHistoryId) {
        return startHistoryId < oldestAnswerableStart;
    }

    /** Records with id greater than {@code afterId}, filtered, at most {@code max}. */
    Page page(long afterId, Set<ChangeType> types, String labelId, int max) {
        List<Record> out = new ArrayList<>();
        for (Record r : records) {
            if (r.id() <= afterId) {
                continue;
            }
            if (!types.isEmpty() && !types.contains(r.type())) {
                continue;
            }
            if (labelId != null && !r.messageLabels().contains(labelId) && !r.changedLabels().contains(labelId)) {
                continue;
            }
            if (out.size() == max) {
                return new Page(out, out.get(out.size() - 1).id());
            }
            out.add(r);
        }
        return new Page(out, null);
    }
}

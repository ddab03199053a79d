package io.mailroute.sandbox;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All sandbox mailboxes and the operations that span them: storing incoming mail (insert, import,
 * seed) and sending, which also delivers to recipients who are sandbox users.
 */
final class SandboxMailStore {

    /** Gmail's {@code internalDateSource}: when the message arrived, or its Date header. */
    enum InternalDateSource {
        RECEIVED_TIME, DATE_HEADER;

        static InternalDateSource fromApi(String value, InternalDateSource fallback) {
            if (value == null || value.isEmpty()) {
                return fallback;
            }
            return switch (value) {
                case "receivedTime" -> RECEIVED_TIME;
                case "dateHeader" -> DATE_HEADER;
                default -> throw GmailErrors.invalidArgument("Invalid internalDateSource: " + value);
            };
        }
    }

    private final Map<String, SandboxMailbox> mailboxes = new ConcurrentHashMap<>();
    private final GmailIds ids = new GmailIds();
    private final Clock clock;
    private final int retainedHistory;
    private volatile HistoryLog.Listener historyListener = HistoryLog.Listener.NONE;

    SandboxMailStore(Clock clock, int retainedHistory) {
        this.clock = clock;
        this.retainedHistory = retainedHistory;
    }

    static String key(String address) {
        return address.trim().toLowerCase(Locale.ROOT);
    }

    SandboxMailbox addUser(String address) {
        return mailboxes.computeIfAbsent(key(address), k -> new SandboxMailbox(address.trim(), ids, retainedHistory,
                this::recorded));
    }

    /** A mailbox kept from before a restart. */
    void restore(SandboxMailbox.Image image) {
        mailboxes.put(key(image.address()), SandboxMailbox.restore(image, ids, retainedHistory, this::recorded));
    }

    /** Who hears of every new history record of every mailbox (Gmail push: {@link GmailWatches}). */
    void onHistory(HistoryLog.Listener listener) {
        this.historyListener = listener;
    }

    private void recorded(String address, HistoryLog.Record record) {
        historyListener.recorded(address, record);
    }

    /**
     * Grows with every change to the mail (a mailbox's every change moves its history id on), so that
     * {@link SandboxState} can tell whether there is anything to save.
     */
    long changeCount() {
        return mailboxes.size() + mailboxes.values().stream().mapToLong(SandboxMailbox::historyId).sum();
    }

    Optional<SandboxMailbox> mailbox(String address) {
        return address == null ? Optional.empty() : Optional.ofNullable(mailboxes.get(key(address)));
    }

    SandboxMailbox requireMailbox(String address) {
        return mailbox(address).orElseThrow(() -> new IllegalArgumentException("No sandbox user " + address));
    }

    List<SandboxMailbox> mailboxes() {
        return List.copyOf(mailboxes.values());
    }

    /** messages.insert / messages.import / seed: stamps Authentication-Results as Gmail does on receipt. */
    MessageSnapshot receive(SandboxMailbox mailbox, byte[] raw, List<String> labelIds, String threadId,
            InternalDateSource dateSource) {
        byte[] stamped = AuthenticationResultsStamper.stamp(raw);
        ParsedMessage parsed = ParsedMessage.parse(stamped);
        long internalDate = dateSource == InternalDateSource.DATE_HEADER
                ? parsed.dateHeader().map(d -> d.toEpochMilli()).orElse(clock.millis())
                : clock.millis();
        return mailbox.add(new SandboxMailbox.NewMessage(stamped, parsed, labelIds, threadId, internalDate));
    }

    /**
     * messages.send: completes the headers Gmail adds (From, Date, Message-ID), files the message as SENT
     * in the sender's thread, and delivers a copy to every recipient who is a sandbox user.
     */
    MessageSnapshot send(SandboxMailbox sender, byte[] raw, String threadId) {
        ParsedMessage given = ParsedMessage.parse(raw);
        List<String> added = new ArrayList<>();
        if (given.header("From").isEmpty()) {
            added.add("From: " + sender.address());
        }
        if (given.header("Date").isEmpty()) {
            added.add("Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(clock)));
        }
        if (given.header("Message-ID").isEmpty()) {
            added.add("Message-ID: <" + ids.next() + ".sandbox@mail.gmail.com>");
        }
        byte[] sentRaw = added.isEmpty() ? raw : RawMessageHeaders.prepend(raw, added);
        ParsedMessage parsed = added.isEmpty() ? given : ParsedMessage.parse(sentRaw);

        Set<String> recipients = recipients(parsed);
        if (recipients.isEmpty()) {
            throw GmailErrors.invalidArgument("Recipient address required");
        }
        List<String> labels = new ArrayList<>(List.of("SENT"));
        if (recipients.contains(key(sender.address()))) {
            labels.addAll(List.of("INBOX", "UNREAD")); // mail to oneself lands in one's own inbox too
        }
        MessageSnapshot sent = sender.add(new SandboxMailbox.NewMessage(sentRaw, parsed, labels, threadId,
                clock.millis()));

        byte[] delivered = RawMessageHeaders.remove(sentRaw, "Bcc");
        for (String recipient : recipients) {
            if (recipient.equals(key(sender.address()))) {
                continue;
            }
            mailbox(recipient).ifPresent(inbox ->
                    receive(inbox, delivered, List.of("INBOX", "UNREAD"), null, InternalDateSource.RECEIVED_TIME));
        }
        return sent;
    }

    private static Set<String> recipients(ParsedMessage parsed) {
        Set<String> out = new LinkedHashSet<>();
        for (String header : List.of("To", "Cc", "Bcc")) {
            for (String value : parsed.headers().stream().filter(h -> h.name().equalsIgnoreCase(header))
                    .map(ParsedMessage.HeaderField::value).toList()) {
                try {
                    for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                        if (a.getAddress() != null) {
                            out.add(key(a.getAddress()));
                        }
                    }
                } catch (AddressException e) {
                    // an unparsable recipient is simply not a sandbox user
                }
            }
        }
        return out;
    }
}

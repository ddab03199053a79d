package io.mailroute.engagement;

import io.mailroute.db.Database;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our email notices as a recipient's mailbox shows them: a message in a monitored mailbox is one of our deliveries when
 * its Message-ID is the one we set on that delivery ({@code delivery.message_id}, recorded before the send) and the
 * delivery was addressed to that mailbox. A message we never sent, or sent to someone else (a forward, the sender's
 * own SENT copy), matches nothing.
 */
public final class SentNotices {

    /** RFC 5322 caps a line at 998 characters; anything longer is not a Message-ID we set. */
    static final int MAX_MESSAGE_ID = 998;
    private static final Pattern BRACKETED = Pattern.compile("<([^<>\\s]+)>");
    private static final String FIND = """
            SELECT id, address FROM delivery WHERE message_id = :messageId AND channel_type = 'email'""";
    private static final String AWAITING = """
            SELECT COUNT(*) FROM delivery
             WHERE address IN (:addresses) AND channel_type = 'email' AND message_id IS NOT NULL AND opened_at IS NULL""";

    private final Database db;

    public SentNotices(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Whether any email notice to this address is still unopened: only then is a read worth looking at. */
    public boolean awaitOpening(String address) {
        Set<String> spellings = new TreeSet<>(List.of(address, address.toLowerCase(Locale.ROOT)));
        Long count = db.jdbc().queryForObject(AWAITING, Map.of("addresses", spellings), Long.class);
        return count != null && count > 0;
    }

    /**
     * The delivery a message in {@code mailboxAddress}'s mailbox is, by its Message-ID header.
     *
     * @param messageIdHeader the header as the message carries it ({@code <id@host>}); untrusted, may be null
     * @return the delivery id; empty when the header names no delivery of ours addressed to that mailbox
     */
    public Optional<Long> deliveryFor(String mailboxAddress, String messageIdHeader) {
        String messageId = messageId(messageIdHeader);
        if (messageId == null) {
            return Optional.empty();
        }
        return db.jdbc().query(FIND, Map.of("messageId", messageId), (rs, row) -> rs.getString("address")
                        .equalsIgnoreCase(mailboxAddress.strip()) ? rs.getLong("id") : null).stream()
                .filter(Objects::nonNull).findFirst();
    }

    /** The id inside a Message-ID header's angle brackets (the first one); null for none or one too long. */
    static String messageId(String header) {
        if (header == null || header.length() > MAX_MESSAGE_ID + 64) {
            return null;
        }
        Matcher bracketed = BRACKETED.matcher(header);
        String id = bracketed.find() ? bracketed.group(1) : header.strip();
        return id.isEmpty() || id.length() > MAX_MESSAGE_ID || id.chars().anyMatch(c -> c <= ' ' || c == '<' || c == '>')
                ? null : id;
    }
}

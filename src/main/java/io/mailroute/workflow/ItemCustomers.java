package io.mailroute.workflow;

import io.mailroute.db.Database;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who an item's customer is: the sender of the message that opened it, for a case. Approvals and alerts have none (the
 * first message's sender is a requester or a monitoring system, not someone to write to about the item). The address
 * comes from an email, so it is untrusted: it must be one valid address of at most 254 characters, without line breaks,
 * and never one of our own mailboxes (we do not write to ourselves).
 */
public final class ItemCustomers {

    /** RFC 5321's limit on a forward path. */
    static final int MAX_ADDRESS = 254;

    private static final String ITEM = """
            SELECT i.type, m.from_address, m.status
            FROM workflow_item i LEFT JOIN mail_message m ON m.id = i.source_message_id
            WHERE i.id = :item""";
    private static final String MESSAGE = "SELECT from_address FROM mail_message WHERE id = :id AND status = 'INGESTED'";

    private final Database db;
    private final Set<String> ownAddresses;

    /** @param ownAddresses our mailboxes' (and the fallback sender's) addresses, in any case */
    public ItemCustomers(Database db, Set<String> ownAddresses) {
        this.db = db;
        this.ownAddresses = ownAddresses.stream().map(a -> a.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** The customer of an item, or why it has none ({@link Customer#address()} null, {@link Customer#reason()} says why). */
    public Customer ofItem(long itemId) {
        Map<String, Object> row = db.jdbc().queryForList(ITEM, Map.of("item", itemId)).stream().findFirst().orElse(null);
        if (row == null) {
            return Customer.none("there is no item " + itemId);
        }
        String type = String.valueOf(row.get("type"));
        if (!"CASE".equals(type)) {
            return Customer.none("item " + itemId + " is " + article(type) + " " + type.toLowerCase(Locale.ROOT)
                    + ", not a case: it has no customer to write to");
        }
        if (!"INGESTED".equals(row.get("status"))) {
            return Customer.none("item " + itemId + " has no stored first message to answer");
        }
        return check(itemId, (String) row.get("from_address"));
    }

    /** The sender of one stored message (e.g. a reply an event answers), when it is someone we may write to. */
    public Customer senderOf(long messageId) {
        java.util.List<String> found = db.jdbc().queryForList(MESSAGE, Map.of("id", messageId), String.class);
        return found.isEmpty() ? Customer.none("there is no stored message " + messageId) : check(null, found.get(0));
    }

    private Customer check(Long itemId, String address) {
        String whose = itemId == null ? "the message's sender" : "item " + itemId + "'s customer";
        if (address == null || address.isBlank()) {
            return Customer.none(whose + " gave no address");
        }
        if (!isSingleAddress(address)) {
            return Customer.none(whose + " is not a single valid email address");
        }
        if (ownAddresses.contains(address.toLowerCase(Locale.ROOT))) {
            return Customer.none(whose + " is our own mailbox " + address + ": Mailroute does not write to itself");
        }
        return new Customer(address, null);
    }

    /** One address as a header may carry it: parsed strictly, no line break, at most {@value #MAX_ADDRESS} characters. */
    static boolean isSingleAddress(String address) {
        if (address.length() > MAX_ADDRESS || address.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return false;
        }
        try {
            InternetAddress[] parsed = InternetAddress.parse(address, true);
            if (parsed.length != 1 || parsed[0].getPersonal() != null || !address.equals(parsed[0].getAddress())) {
                return false;
            }
            parsed[0].validate();
            return address.indexOf('@') > 0;
        } catch (AddressException e) {
            return false;
        }
    }

    private static String article(String word) {
        return "AEIOU".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }

    /** @param address the customer's address, or null; then {@code reason} says why there is none */
    public record Customer(String address, String reason) {
        public static Customer none(String reason) {
            return new Customer(null, reason);
        }

        public boolean exists() {
            return address != null;
        }
    }
}

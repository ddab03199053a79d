package io.mailroute.approvals;

import io.mailroute.db.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The mail that asked for an approval, as intake stored it in the approval's mailbox: what the request email threads
 * onto and quotes, and what the decision page shows as its summary. An approval made through the API has none.
 */
final class OriginalMessages {

    /**
     * @param from       who sent it ("Name <address>", or the address), as its From header said; untrusted text
     * @param references the Message-IDs our reply's References carries (the original's own last)
     * @param summary    the start of its text ({@link ApprovalMail#summary}), or null when it had none
     */
    record Original(String subject, String from, List<String> references, String summary) {
    }

    private static final String ORIGINAL = """
            SELECT subject, from_address, from_name, references_header, text_body FROM mail_message
            WHERE mailbox_id = :mailbox AND message_id_header = :messageId ORDER BY id""";

    private final Database db;

    OriginalMessages(Database db) {
        this.db = db;
    }

    /** The approval's original message, one that names only its Message-ID when intake has not stored it, or null. */
    Original of(Approval approval) {
        String messageId = approval.originalMessageId();
        if (messageId == null || messageId.isBlank() || !ApprovalMail.headerSafe(messageId)) {
            return null;
        }
        return db.jdbc().query(ORIGINAL, Map.of("mailbox", approval.mailbox(), "messageId", messageId), (rs, n) -> {
            List<String> references = new ArrayList<>(ApprovalMail.messageIds(rs.getString("references_header")));
            references.add(messageId);
            return new Original(rs.getString("subject"), from(rs.getString("from_name"), rs.getString("from_address")),
                    references, ApprovalMail.summary(rs.getString("text_body")));
        }).stream().findFirst().orElse(new Original(null, null, List.of(messageId), null));
    }

    private static String from(String name, String address) {
        if (address == null || address.isBlank()) {
            return name == null || name.isBlank() ? null : name.strip();
        }
        return name == null || name.isBlank() ? address : name.strip() + " <" + address + ">";
    }
}

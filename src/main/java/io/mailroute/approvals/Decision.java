package io.mailroute.approvals;

import java.util.Locale;

/** What an approver says. */
public enum Decision {
    APPROVE, REJECT, REQUEST_CHANGES;

    /** {@code approve}, {@code reject}, {@code request-changes} (or {@code changes}), any case. */
    public static Decision parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (value) {
            case "approve", "approved" -> APPROVE;
            case "reject", "rejected" -> REJECT;
            case "request-changes", "changes", "changes-requested" -> REQUEST_CHANGES;
            default -> throw new IllegalArgumentException("decision must be approve, reject or request-changes, got '"
                    + text + "'");
        };
    }

    /** The approver's state after this decision, and an approval's when it decides alone. */
    public String outcome() {
        return switch (this) {
            case APPROVE -> "APPROVED";
            case REJECT -> "REJECTED";
            case REQUEST_CHANGES -> "CHANGES_REQUESTED";
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

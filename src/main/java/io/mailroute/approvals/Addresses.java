package io.mailroute.approvals;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Approver and requester addresses: one plain address (no display name, no list, nothing that could break
 * out of a mail header), kept with its domain in lower case; two addresses are the same person when they
 * are equal ignoring case.
 */
final class Addresses {

    static final int MAX_LENGTH = 320;
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>,;:\"()\\[\\]\\\\]{1,64}@[^@\\s<>,;:\"()\\[\\]\\\\]+\\.[^@\\s<>,;:\"()\\[\\]\\\\.]+");

    private Addresses() {
    }

    static boolean isAddress(String text) {
        return text != null && text.length() <= MAX_LENGTH && ADDRESS.matcher(text).matches()
                && text.chars().noneMatch(Character::isISOControl);
    }

    /** The address with its domain lower-cased; call only with {@link #isAddress} true. */
    static String normalize(String address) {
        int at = address.lastIndexOf('@');
        return address.substring(0, at) + "@" + address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** The same person: equal ignoring case (as this class's comment says). */
    static boolean sameAddress(String a, String b) {
        return a != null && b != null && a.strip().equalsIgnoreCase(b.strip());
    }
}

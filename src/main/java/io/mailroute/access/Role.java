package io.mailroute.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an API token may do; each role includes the ones before it. */
public enum Role {
    /** Reads: messages, items, events, deliveries, mailboxes, the audit trail. */
    VIEWER,
    /** Acts on the work: items, deliveries, pausing and resuming mailboxes. */
    OPERATOR,
    /** Changes who and what Mailroute trusts: grants, recipients and their push targets, API tokens. */
    ADMIN;

    public boolean includes(Role required) {
        return ordinal() >= required.ordinal();
    }

    /** Its name in configuration, commands and the API: {@code viewer}, {@code operator}, {@code admin}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the roles there are */
    public static Role parse(String text) {
        for (Role role : values()) {
            if (role.configName().equals(text == null ? null : text.trim().toLowerCase(Locale.ROOT))) {
                return role;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a role; the roles are " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(Role::configName).collect(Collectors.joining(", "));
    }
}

package io.mailroute.gmail.mime;

/**
 * A mailbox from an address header: {@code address} as written with its domain lower-cased (local parts are
 * case-sensitive by RFC 5321, and a quoted one keeps its quotes: {@code "big bug bb"@bug.com}), so code that
 * matches addresses compares them ignoring case; the display name decoded, null when there is none.
 */
public record MailAddress(String address, String displayName) {
}

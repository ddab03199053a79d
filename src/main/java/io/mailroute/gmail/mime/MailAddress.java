package io.mailroute.gmail.mime;

/** A mailbox from an address header: address lower-cased, display name decoded (nullable). */
public record MailAddress(String address, String displayName) {
}

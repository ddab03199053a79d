package io.mailroute.gmail.mime;

/**
 * A stored attachment: where its bytes are ({@code sha256}, see {@link AttachmentStore#pathOf(String)})
 * and what the sender said about it. {@code filename} is already sanitised; {@code contentId} has no
 * angle brackets and is null when absent.
 */
public record AttachmentRef(String filename, String contentType, long size, String sha256, boolean inline, String contentId) {
}

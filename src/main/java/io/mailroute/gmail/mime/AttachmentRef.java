package io.mailroute.gmail.mime;

/**
 * A stored attachment: where its bytes are ({@code sha256}, see {@link AttachmentStore#pathOf(String)})
 * and what the sender said about it. {@code filename} is already sanitised; {@code contentId} has no
 * angle brackets and is null when absent. {@code undecodable} is null for a decoded attachment; otherwise
 * it says why its transfer encoding could not be undone, and the stored bytes are the part as sent.
 */
public record AttachmentRef(String filename, String contentType, long size, String sha256, boolean inline, String contentId,
        String undecodable) {

    public AttachmentRef(String filename, String contentType, long size, String sha256, boolean inline, String contentId) {
        this(filename, contentType, size, sha256, inline, contentId, null);
    }

    /** The same stored bytes, marked as the undecoded part with the reason. */
    AttachmentRef asUndecodable(String reason) {
        return new AttachmentRef(filename, contentType, size, sha256, inline, contentId, reason);
    }
}

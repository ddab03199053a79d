package io.mailroute.gmail.mime;

/** An attachment is larger than the configured cap; nothing of it is kept. */
public class AttachmentTooLargeException extends MalformedMailException {

    private static final long serialVersionUID = 1L;

    private final String filename;
    private final long capBytes;

    public AttachmentTooLargeException(String filename, long capBytes) {
        super("attachment \"" + filename + "\" is larger than the attachment size cap of " + capBytes
                + " bytes; raise the cap to accept it");
        this.filename = filename;
        this.capBytes = capBytes;
    }

    public String filename() {
        return filename;
    }

    public long capBytes() {
        return capBytes;
    }
}

package io.mailroute.gmail.mime;

/** The message cannot be turned into a {@link ParsedMail}; the message says why, for the person triaging the quarantine. */
public class MalformedMailException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedMailException(String reason) {
        super(reason);
    }

    public MalformedMailException(String reason, Throwable cause) {
        super(reason, cause);
    }
}

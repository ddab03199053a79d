package io.mailroute.gmail;

import java.io.IOException;

/** A Gmail call for a mailbox that has no OAuth grant (never connected, or disconnected). */
public final class NoGrantException extends IOException {

    public NoGrantException(String mailboxId) {
        super("mailbox " + mailboxId + " has no OAuth grant: run 'java -jar target/mailroute.jar connect " + mailboxId + "'");
    }
}

package io.mailroute.delivery.email;

import com.google.api.services.gmail.Gmail;
import io.mailroute.gmail.GmailFailure;

/**
 * What sending email through a mailbox's own Gmail account needs of that mailbox, and no more: its client (which paces
 * every call on the mailbox's quota), its connection state, and telling it how a send went. The gmail package's
 * clients and states answer it (wired in {@code app.GmailSenders}); the transport does not reach into them.
 */
public interface SendingMailboxes {

    /** The Gmail client of {@code mailboxId}'s account, paced by its quota. */
    Gmail client(String mailboxId);

    /** The mailbox's connection state as people read it (ACTIVE, NOT_CONNECTED, ...), for a delivery's lastError. */
    String state(String mailboxId);

    /** Gmail refused the mailbox's grant while sending: the mailbox is not connected any more. */
    void refused(String mailboxId, GmailFailure failure);

    /** Gmail accepted a send of a mailbox that is not polled: its grant works. */
    void sent(String mailboxId);
}

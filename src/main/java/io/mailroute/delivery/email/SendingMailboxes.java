package io.mailroute.delivery.email;

import com.google.api.services.gmail.Gmail;
import io.mailroute.gmail.GmailFailure;

/**
 * What sending email through a mailbox's own Gmail account needs of that mailbox, and no more: its client, a share of
 * its quota, its connection state, and telling it how a send went. The gmail package's clients, quotas and states
 * answer it (wired in {@code app.GmailSenders}); the transport does not reach into them.
 */
public interface SendingMailboxes {

    /** The Gmail client of {@code mailboxId}'s account. */
    Gmail client(String mailboxId);

    /** Waits until {@code units} of the mailbox's Gmail quota may be spent, and spends them. */
    void spend(String mailboxId, int units);

    /** The mailbox's connection state as people read it (ACTIVE, NOT_CONNECTED, ...), for a delivery's lastError. */
    String state(String mailboxId);

    /** Gmail refused the mailbox's grant while sending: the mailbox is not connected any more. */
    void refused(String mailboxId, GmailFailure failure);

    /** Gmail accepted a send of a mailbox that is not polled: its grant works. */
    void sent(String mailboxId);
}

package io.mailroute.app;

import com.google.api.services.gmail.Gmail;
import io.mailroute.delivery.email.SendingMailboxes;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.gmail.MailboxClients;
import io.mailroute.gmail.MailboxStates;

/** The mailboxes email is sent from, as the gmail package keeps them: their clients (paced by their quotas) and states. */
record GmailSenders(MailboxClients clients, MailboxStates states) implements SendingMailboxes {

    @Override
    public Gmail client(String mailboxId) {
        return clients.client(mailboxId);
    }

    @Override
    public String state(String mailboxId) {
        return states.state(mailboxId).name();
    }

    @Override
    public void refused(String mailboxId, GmailFailure failure) {
        states.failed(mailboxId, failure);
    }

    @Override
    public void sent(String mailboxId) {
        states.sent(mailboxId);
    }
}

package io.mailroute.gmail;

import com.google.api.services.gmail.model.Message;
import java.io.IOException;
import org.apache.camel.Body;
import org.apache.camel.Header;

/**
 * {@code messages.get(format=RAW)} for the intake route, through the client the mailbox's own
 * camel-google-mail component caches, spending its quota and retried in place ({@link GmailRetry}):
 * one failed call in a backlog no longer fails the whole poll.
 */
public final class MessageFetcher {

    private final MailboxClients clients;
    private final GmailRetry retry;

    public MessageFetcher(MailboxClients clients, GmailRetry retry) {
        this.clients = clients;
        this.retry = retry;
    }

    public Message get(@Header(MessageIngest.MAILBOX_HEADER) String mailboxId, @Body String gmailId) throws IOException {
        com.google.api.services.gmail.Gmail gmail = clients.client(mailboxId);
        return retry.call(mailboxId, QuotaPacer.MESSAGES_GET,
                () -> gmail.users().messages().get("me", gmailId).setFormat("raw").execute());
    }
}

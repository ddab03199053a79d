package io.mailroute.gmail;

import com.google.api.services.gmail.Gmail;

/** The Gmail client of a mailbox: the one its own camel-google-mail component caches. */
@FunctionalInterface
public interface MailboxClients {
    Gmail client(String mailboxId);
}

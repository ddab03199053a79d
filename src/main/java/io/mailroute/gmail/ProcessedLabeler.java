package io.mailroute.gmail;

import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Label;
import com.google.api.services.gmail.model.ModifyMessageRequest;
import io.mailroute.config.MailboxSettings;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one change Mailroute may make to a mailbox, and only when its {@code processedLabel} is
 * set: add that label to each message once it is committed. The label is found or created on
 * first use. A failure here is logged and does not fail the poll: the message is already safe,
 * and the label is a convenience for the people reading the mailbox.
 */
public final class ProcessedLabeler {

    public static final String GMAIL_ID_HEADER = "MailrouteGmailId";
    private static final Logger LOG = LoggerFactory.getLogger(ProcessedLabeler.class);

    private final Map<String, MailboxSettings> mailboxes;
    private final MailboxClients clients;
    private final Map<String, String> labelIds = new ConcurrentHashMap<>();

    public ProcessedLabeler(Map<String, MailboxSettings> mailboxes, MailboxClients clients) {
        this.mailboxes = mailboxes;
        this.clients = clients;
    }

    public void apply(@Header(MessageIngest.MAILBOX_HEADER) String mailboxId, @Header(GMAIL_ID_HEADER) String gmailId) {
        MailboxSettings mailbox = mailboxes.get(mailboxId);
        if (mailbox == null || mailbox.processedLabel() == null) {
            return;
        }
        try {
            Gmail gmail = clients.client(mailboxId);
            String labelId = labelIds.computeIfAbsent(mailboxId, id -> findOrCreate(gmail, mailbox));
            gmail.users().messages().modify("me", gmailId, new ModifyMessageRequest().setAddLabelIds(List.of(labelId)))
                    .execute();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Mailbox {}: could not add label \"{}\" to message {}: {}", mailboxId, mailbox.processedLabel(),
                    gmailId, GmailFailure.of(e).message());
        }
    }

    private String findOrCreate(Gmail gmail, MailboxSettings mailbox) {
        try {
            List<Label> labels = gmail.users().labels().list("me").execute().getLabels();
            for (Label label : labels == null ? List.<Label>of() : labels) {
                if (mailbox.processedLabel().equalsIgnoreCase(label.getName())) {
                    return label.getId();
                }
            }
            Label created = gmail.users().labels().create("me", new Label().setName(mailbox.processedLabel())
                    .setLabelListVisibility("labelShow").setMessageListVisibility("show")).execute();
            LOG.info("Mailbox {}: created label \"{}\" for processed mail", mailbox.id(), mailbox.processedLabel());
            return created.getId();
        } catch (IOException e) {
            throw new IllegalStateException(GmailFailure.of(e).message(), e);
        }
    }
}

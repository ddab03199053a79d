package io.mailroute.engagement;

import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.MessagePartHeader;
import io.mailroute.config.MailboxSettings;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.gmail.GmailRetry;
import io.mailroute.gmail.MailboxClients;
import io.mailroute.gmail.SyncBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gmail's read state as engagement: when a notice we emailed to a monitored mailbox's own address is read there
 * (history shows its UNREAD label removed), its delivery is OPENED ({@code delivery.opened}, source
 * {@value #SOURCE}). Called by the intake route after a poll's new messages are stored and before its cursor moves,
 * so a read is looked at once per poll that covers it, and again only when that poll fails.
 *
 * <p>Cheap for mailboxes nobody sends notices to: nothing is fetched unless an email notice to the mailbox's address
 * is still unopened; then each read message's Message-ID header alone ({@code format=metadata}), never the message.
 * Intake is not disturbed: a read is never ingested, a message we never sent is ignored, a message deleted since is
 * skipped, and a message Gmail refuses for another reason is logged and skipped (that read is not counted).
 */
public final class GmailReadReceipts {

    /** {@code data.source} of the events this records. */
    public static final String SOURCE = "gmail-read";
    private static final Logger LOG = LoggerFactory.getLogger(GmailReadReceipts.class);

    private final Map<String, MailboxSettings> mailboxes;
    private final MailboxClients clients;
    private final GmailRetry retry;
    private final SentNotices notices;
    private final DeliveryEngagement engagement;

    /** @param retry the intake's: spends the mailbox's quota and retries a failed call in place */
    public GmailReadReceipts(Map<String, MailboxSettings> mailboxes, MailboxClients clients, GmailRetry retry,
            SentNotices notices, DeliveryEngagement engagement) {
        this.mailboxes = Objects.requireNonNull(mailboxes, "mailboxes");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.notices = Objects.requireNonNull(notices, "notices");
        this.engagement = Objects.requireNonNull(engagement, "engagement");
    }

    /**
     * The intake route's step: records the batch's reads of our notices; the events committed go to the exchange
     * property {@value EventLog#COMMITTED} for the route to publish. The body (the batch) is left as it is.
     *
     * @throws IOException when Gmail cannot be asked now (rate limit, outage, no grant): the poll fails and its cursor
     *                     stays, so the reads are looked at again by the next poll
     */
    public void record(Exchange exchange) throws IOException {
        SyncBatch batch = exchange.getMessage().getBody(SyncBatch.class);
        exchange.setProperty(EventLog.COMMITTED, batch == null ? List.of() : opened(batch));
    }

    /** The deliveries this batch's reads opened: their committed events. */
    List<Event> opened(SyncBatch batch) throws IOException {
        MailboxSettings mailbox = mailboxes.get(batch.mailbox());
        if (batch.readIds().isEmpty() || mailbox == null || !notices.awaitOpening(mailbox.address())) {
            return List.of();
        }
        Gmail gmail = clients.client(mailbox.id());
        List<Event> opened = new ArrayList<>();
        for (String gmailId : batch.readIds()) {
            Optional<String> header = messageIdOf(gmail, mailbox, gmailId);
            header.flatMap(h -> notices.deliveryFor(mailbox.address(), h))
                    .flatMap(deliveryId -> engagement.opened(deliveryId, SOURCE))
                    .ifPresent(opened::add);
        }
        if (!opened.isEmpty()) {
            LOG.info("Mailbox {}: {} notice{} read in the mailbox, recorded as opened", mailbox.id(), opened.size(),
                    opened.size() == 1 ? "" : "s");
        }
        return opened;
    }

    /** The message's Message-ID header, asked for alone; empty when it is gone or Gmail will not give it. */
    private Optional<String> messageIdOf(Gmail gmail, MailboxSettings mailbox, String gmailId) throws IOException {
        Message message;
        try {
            message = retry.call(mailbox.id(), () -> gmail.users().messages().get("me", gmailId)
                    .setFormat("metadata").setMetadataHeaders(List.of("Message-ID")).execute());
        } catch (IOException e) {
            GmailFailure failure = GmailFailure.of(e);
            if (failure.kind() == GmailFailure.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            if (failure.kind() != GmailFailure.Kind.OTHER) {
                throw e;
            }
            LOG.warn("Mailbox {}: could not read the Message-ID of read message {} ({}); its read state is not counted",
                    mailbox.id(), gmailId, failure.message());
            return Optional.empty();
        }
        List<MessagePartHeader> headers = message.getPayload() == null || message.getPayload().getHeaders() == null
                ? List.of() : message.getPayload().getHeaders();
        return headers.stream().filter(h -> "Message-ID".equalsIgnoreCase(h.getName())).map(MessagePartHeader::getValue)
                .filter(Objects::nonNull).findFirst();
    }
}

package io.mailroute.delivery.email;

import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.ListMessagesResponse;
import com.google.api.services.gmail.model.Message;
import io.mailroute.config.MailboxSettings;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.EmailTransport;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.SendResult;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.gmail.MailboxClients;
import io.mailroute.gmail.MailboxQuotas;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;

/**
 * Email through a mailbox's Gmail account ({@code messages.send} on its camel-google-mail
 * component, 100 quota units). The Message-ID is stored before the first attempt; a retry first
 * asks Gmail for a sent message with that id ({@code rfc822msgid:}), so a send that timed out but
 * went through is never sent a second time.
 */
public final class GmailEmailTransport implements EmailTransport {

    static final int SEND_UNITS = 100;
    static final int LIST_UNITS = 5;

    private final Map<String, MailboxSettings> mailboxes;
    private final MailboxClients clients;
    private final MailboxQuotas quotas;
    private final ProducerTemplate producer;
    private final DeliveryStore store;
    private final MailComposer composer = new MailComposer();
    private final String templatesDir;
    private final ChannelsConfig channels;
    private final java.time.Clock clock;

    /** Gmail's per-user limit for Workspace accounts; consumer accounts allow 500 (set dailyLimit on the channel). */
    static final int DEFAULT_DAILY_LIMIT = 2000;

    public GmailEmailTransport(Map<String, MailboxSettings> mailboxes, MailboxClients clients, MailboxQuotas quotas,
            ProducerTemplate producer, DeliveryStore store, String templatesDir, ChannelsConfig channels, java.time.Clock clock) {
        this.mailboxes = mailboxes;
        this.clients = clients;
        this.quotas = quotas;
        this.producer = producer;
        this.store = store;
        this.templatesDir = templatesDir;
        this.channels = channels;
        this.clock = clock;
    }

    @Override
    public SendResult send(Delivery delivery, Notification notification, ChannelsConfig.Channel channel) {
        MailboxSettings sender = mailboxes.get(channel.settings().get("sender"));
        if (sender == null) {
            return SendResult.failed("channel " + channel.name() + ": sender mailbox '" + channel.settings().get("sender")
                    + "' is not in config/mailboxes.yaml");
        }
        int dailyLimit = Integer.parseInt(channel.settings().getOrDefault("dailyLimit", String.valueOf(DEFAULT_DAILY_LIMIT)));
        java.util.Set<String> senderChannels = new java.util.HashSet<>();
        channels.channels().values().stream()
                .filter(c -> c.isEmail() && sender.id().equals(c.settings().get("sender")))
                .forEach(c -> senderChannels.add(c.name()));
        if (store.sentSince(senderChannels, clock.instant().minus(java.time.Duration.ofDays(1))) >= dailyLimit) {
            // Past Gmail's daily sending limit the account is suspended from sending: fall back at once
            // when the channel has a fallback, else wait for the window to move.
            String detail = "daily sending limit of " + dailyLimit + " reached for " + sender.address();
            return channel.fallback() != null ? SendResult.failed(detail)
                    : SendResult.retry(detail, java.time.Duration.ofMinutes(30));
        }
        try {
            String messageId = delivery.messageId();
            if (messageId != null) {
                String alreadySent = sentWithMessageId(sender, messageId);
                if (alreadySent != null) {
                    return SendResult.delivered(alreadySent); // the earlier attempt went through after all
                }
            } else {
                messageId = MailComposer.newMessageId(String.valueOf(delivery.id()), sender.address());
                store.setMessageId(delivery.id(), messageId);
            }
            String template = channel.settings().getOrDefault("template", "notification");
            Map<String, Object> model = model(notification, delivery);
            String subject = render(template + ".subject.mustache", model);
            ItemThread thread = Boolean.parseBoolean(channel.settings().getOrDefault("reply", "false")) && delivery.itemId() != null
                    ? itemThread(delivery.itemId(), sender.id()) : null;
            if (thread != null) {
                // A reply in the item's own Gmail thread: threadId, In-Reply-To, References and "Re: <subject>" all agree.
                subject = thread.subject() == null ? subject
                        : thread.subject().regionMatches(true, 0, "Re:", 0, 3) ? thread.subject() : "Re: " + thread.subject();
            }
            byte[] raw = composer.compose(new MailComposer.Outbound(sender.address(),
                    channel.settings().getOrDefault("fromName", "Mailroute"), delivery.address(), subject,
                    render(template + ".txt.mustache", model), render(template + ".html.mustache", model), messageId,
                    thread == null ? null : thread.messageId(), thread == null ? List.of() : thread.references(),
                    String.valueOf(delivery.id())));
            quotas.acquire(sender.id(), SEND_UNITS);
            Message outgoing = new Message().encodeRaw(raw);
            if (thread != null && thread.threadId() != null) {
                outgoing.setThreadId(thread.threadId());
            }
            Message sent = producer.requestBody(sender.componentName() + "://messages/send?userId=me&inBody=content",
                    outgoing, Message.class);
            return SendResult.delivered(sent == null ? null : sent.getId());
        } catch (IllegalArgumentException | jakarta.mail.MessagingException e) {
            return SendResult.failed("cannot compose: " + e.getMessage());
        } catch (RuntimeException | IOException e) {
            GmailFailure failure = GmailFailure.of(e);
            return failure.isRetryable() || failure.kind() == GmailFailure.Kind.NOT_CONNECTED
                    ? SendResult.retry(failure.message(), failure.retryAfter())
                    : SendResult.failed(failure.message());
        }
    }

    /** The Gmail thread an item lives in, when it lives in the sending mailbox. */
    record ItemThread(String threadId, String messageId, List<String> references, String subject) {
    }

    private ItemThread itemThread(long itemId, String senderMailbox) {
        return store.database().jdbc().query("""
                SELECT m.thread_id, m.message_id_header, m.references_header, m.subject
                FROM workflow_item i JOIN mail_message m ON m.id = i.source_message_id
                WHERE i.id = :item AND i.mailbox_id = :mailbox""",
                Map.of("item", itemId, "mailbox", senderMailbox), (rs, n) -> {
                    String messageIdHeader = rs.getString("message_id_header");
                    List<String> refs = new java.util.ArrayList<>();
                    String header = rs.getString("references_header");
                    if (header != null && !header.isBlank()) {
                        refs.addAll(List.of(header.trim().split("\\s+")));
                    }
                    if (messageIdHeader != null) {
                        refs.add(messageIdHeader);
                    }
                    return new ItemThread(rs.getString("thread_id"), messageIdHeader, refs, rs.getString("subject"));
                }).stream().findFirst().orElse(null);
    }

    private String sentWithMessageId(MailboxSettings sender, String messageId) throws IOException {
        Gmail gmail = clients.client(sender.id());
        quotas.acquire(sender.id(), LIST_UNITS);
        ListMessagesResponse found = gmail.users().messages().list("me").setQ("rfc822msgid:" + messageId)
                .setLabelIds(List.of("SENT")).execute();
        return found.getMessages() == null || found.getMessages().isEmpty() ? null : found.getMessages().get(0).getId();
    }

    /** Through camel-mustache: {{body.title}} in HTML templates is escaped, {{{body.title}}} in text ones is not. */
    private String render(String template, Map<String, Object> model) {
        return producer.requestBody("mustache:file:" + templatesDir + "/" + template + "?contentCache=true", model, String.class);
    }

    private static Map<String, Object> model(Notification n, Delivery d) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", n.title());
        model.put("body", n.body());
        model.put("url", n.url());
        model.put("eventType", n.eventType());
        model.put("recipient", d.recipient());
        model.put("data", n.data());
        return model;
    }
}

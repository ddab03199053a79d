package io.mailroute.delivery.email;

import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.ListMessagesResponse;
import com.google.api.services.gmail.model.Message;
import io.mailroute.audit.AuditTrail;
import io.mailroute.config.MailboxSettings;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.EmailContent;
import io.mailroute.delivery.EmailTransport;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.SentEmails;
import io.mailroute.gmail.GmailFailure;
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
 *
 * <p>Every email that leaves here (own mailbox, fallback mailbox, fallback SMTP) is recorded as accepted and audited
 * ({@code mail.sent}) by {@link SentMailAudit} before the delivery counts as sent; a delivery already recorded as
 * accepted is never sent again. A failure's {@code lastError} is in our words; Gmail's or the SMTP server's text goes
 * to the service log ({@link SendFailures}).
 */
public final class GmailEmailTransport implements EmailTransport {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GmailEmailTransport.class);

    private final Map<String, MailboxSettings> mailboxes;
    private final SendingMailboxes accounts;
    private final ProducerTemplate producer;
    private final DeliveryStore store;
    private final MailComposer composer = new MailComposer();
    private final String templatesDir;
    private final ChannelsConfig channels;
    private final java.time.Clock clock;
    private final SentMailAudit sentMails;
    private java.util.function.Predicate<String> maySend = mailboxId -> true;
    private FallbackSender fallback;
    private EmailContent content = EmailContent.NONE;
    private SentEmails sentEmails = SentEmails.NONE;
    private OpenPixels openPixels = delivery -> null;

    /** {@code sender:} of an email channel that always sends from the fallback sender (connection notices). */
    public static final String FALLBACK_SENDER = "fallback";

    /** {@code sender:} of an email channel that sends from the mailbox its event names (e.g. the approval's mailbox). */
    public static final String EVENT_MAILBOX_SENDER = "$mailbox";

    /** How soon a delivery from a disconnected mailbox with nowhere else to go is tried again. */
    static final java.time.Duration DISCONNECTED_RETRY = java.time.Duration.ofMinutes(5);

    /**
     * Not sent: another worker claimed the delivery since (its lease ran out), and sends it. Recorded nowhere, since
     * this worker's writes to it change nothing any more.
     */
    private static final SendResult LOST_CLAIM = SendResult.retry("another worker claimed it; not sent from here", null);

    /** Gmail's per-user limit for Workspace accounts; consumer accounts allow 500 (set dailyLimit on the channel). */
    static final int DEFAULT_DAILY_LIMIT = 2000;

    public GmailEmailTransport(Map<String, MailboxSettings> mailboxes, SendingMailboxes accounts,
            ProducerTemplate producer, DeliveryStore store, String templatesDir, ChannelsConfig channels, java.time.Clock clock,
            AuditTrail audit) {
        this.mailboxes = mailboxes;
        this.sentMails = new SentMailAudit(store, audit);
        this.accounts = accounts;
        this.producer = producer;
        this.store = store;
        this.templatesDir = templatesDir;
        this.channels = channels;
        this.clock = clock;
    }

    /**
     * Mail from a mailbox that cannot send (NOT_CONNECTED, REVOKED, PAUSED) goes from
     * {@code fallback} instead, and the delivery record says so.
     *
     * @param maySend  whether a mailbox can send now (it has a grant and is connected)
     * @param fallback the fallback sender, or null when none is configured
     */
    public GmailEmailTransport withFallback(java.util.function.Predicate<String> maySend, FallbackSender fallback) {
        this.maySend = maySend;
        this.fallback = fallback;
        return this;
    }

    /**
     * Adds a feature's emails (each feature is asked in the order added; the first that writes one wins).
     *
     * @param content    writes the email of deliveries a feature renders itself (see {@link EmailContent})
     * @param sentEmails told of each email Gmail (or the SMTP fallback) accepted
     */
    public GmailEmailTransport withContent(EmailContent content, SentEmails sentEmails) {
        this.content = this.content == EmailContent.NONE ? content : this.content.orElse(content);
        this.sentEmails = this.sentEmails == SentEmails.NONE ? sentEmails : this.sentEmails.andThen(sentEmails);
        return this;
    }

    /** The open-tracking image of one email notice (io.mailroute.engagement.EngagementLinks); off by default. */
    @FunctionalInterface
    public interface OpenPixels {
        /** @return the URL a template shows as {@code {{body.pixelUrl}}}, or null for none (the pixel is off) */
        String pixelUrl(Delivery delivery);
    }

    /** Gives each email written from a template its open-tracking image's URL, as {@code pixelUrl} in the model. */
    public GmailEmailTransport withOpenPixels(OpenPixels openPixels) {
        this.openPixels = java.util.Objects.requireNonNull(openPixels, "openPixels");
        return this;
    }

    @Override
    public SendResult send(Delivery delivery, Notification notification, ChannelsConfig.Channel channel) {
        if (delivery.providerId() != null) {
            // An earlier attempt was accepted (and audited) but its outcome not recorded: it went, once.
            return SendResult.delivered(delivery.providerId());
        }
        if (FALLBACK_SENDER.equals(channel.settings().get("sender"))) {
            return fallback == null ? SendResult.failed("channel " + channel.name() + " sends from the fallback sender, and "
                    + "none is configured (mailroute.fallback-sender)") : send(delivery, notification, channel, null);
        }
        String senderId = channel.settings().get("sender");
        if (EVENT_MAILBOX_SENDER.equals(senderId)) {
            senderId = delivery.mailbox();
        }
        MailboxSettings own = senderId == null ? null : mailboxes.get(senderId);
        if (own == null) {
            return SendResult.failed("channel " + channel.name() + ": sender mailbox '" + senderId
                    + "' is not in config/mailboxes.yaml");
        }
        return send(delivery, notification, channel, own);
    }

    /** @param own the channel's own sending mailbox, or null for a channel that always sends from the fallback sender */
    private SendResult send(Delivery delivery, Notification notification, ChannelsConfig.Channel channel, MailboxSettings own) {
        // Once an attempt went through the fallback sender, its retries go there too: the send-once check must ask the same sender.
        boolean viaFallback = own == null || delivery.sentVia() != null || !maySend.test(own.id());
        if (viaFallback && fallback == null) {
            return SendResult.retry("mailbox " + own.id() + " cannot send (" + stateOf(own) + ") and no fallback sender "
                    + "is configured (mailroute.fallback-sender)", DISCONNECTED_RETRY);
        }
        MailboxSettings gmailSender = !viaFallback ? own
                : fallback instanceof FallbackSender.ViaMailbox mailbox ? mailbox.mailbox() : null;
        if (viaFallback && gmailSender != null && !maySend.test(gmailSender.id())) {
            return SendResult.retry((own == null ? "channel " + channel.name() + " sends from the fallback sender"
                    : "mailbox " + own.id() + " cannot send (" + stateOf(own) + ")") + " and the fallback sender, "
                    + fallback.describe() + ", cannot either (" + stateOf(gmailSender) + ")", DISCONNECTED_RETRY);
        }
        if (!viaFallback) {
            SendResult limited = dailyLimit(own, channel);
            if (limited != null) {
                return limited;
            }
        } else if (delivery.sentVia() == null && !store.setSentVia(delivery, fallback.describe()
                + (own == null ? "" : ", for mailbox " + own.id() + " (" + stateOf(own) + ")"))) {
            return LOST_CLAIM;
        }
        String fromAddress = viaFallback ? fallback.fromAddress() : own.address();
        SentMail.Via via = !viaFallback ? SentMail.Via.MAILBOX
                : gmailSender != null ? SentMail.Via.FALLBACK_MAILBOX : SentMail.Via.FALLBACK_SMTP;
        String sentVia = viaFallback ? fallback.describe() : null;
        String standsInFor = viaFallback && own != null ? own.id() : null;
        SentMail accepted; // what went, described before the send: once it is accepted, nothing below may throw
        Message gmailAnswer = null;
        try {
            String messageId = delivery.messageId();
            if (messageId != null) {
                Message alreadySent = gmailSender == null ? null : sentWithMessageId(gmailSender, messageId);
                if (alreadySent != null) { // the earlier attempt went through after all
                    SentMail found = SentMail.found(via, gmailSender.id(), sentVia, standsInFor, fromAddress, messageId, alreadySent);
                    SendResult result = sentMails.accepted(delivery, found);
                    told(delivery, found);
                    return result;
                }
            } else {
                messageId = MailComposer.newMessageId(String.valueOf(delivery.id()), fromAddress);
                if (!store.setMessageId(delivery, messageId)) {
                    return LOST_CLAIM;
                }
            }
            EmailContent.Mail written;
            try {
                written = content.compose(delivery, channel);
            } catch (IllegalStateException e) {
                return SendResult.obsolete("not sent: " + e.getMessage()); // e.g. the approval was decided meanwhile
            }
            String template = channel.template(notification.eventType());
            Map<String, Object> model = written != null ? Map.of() : model(notification, delivery); // a feature's own has none
            String subject = written != null ? written.subject() : render(template + ".subject.mustache", model);
            ItemThread thread = written != null ? (written.thread() == null ? null : new ItemThread(written.thread().threadId(),
                    written.thread().inReplyTo(), written.thread().references(), null))
                    : own != null && Boolean.parseBoolean(channel.settings().getOrDefault("reply", "false"))
                    && delivery.itemId() != null ? itemThread(delivery.itemId(), own.id()) : null;
            if (thread != null) {
                // A reply in the item's own Gmail thread: threadId, In-Reply-To, References and "Re: <subject>" all agree.
                subject = thread.subject() == null ? subject
                        : thread.subject().regionMatches(true, 0, "Re:", 0, 3) ? thread.subject() : "Re: " + thread.subject();
            }
            MailComposer.Outbound mail = new MailComposer.Outbound(fromAddress,
                    channel.settings().getOrDefault("fromName", "Mailroute"), delivery.address(), subject,
                    written != null ? written.text() : render(template + ".txt.mustache", model),
                    written != null ? written.html() : render(template + ".html.mustache", model), messageId,
                    thread == null ? null : thread.messageId(), thread == null ? List.of() : thread.references(),
                    String.valueOf(delivery.id()), written == null ? List.of() : written.attachments().stream()
                            .map(a -> new MailComposer.Attachment(a.filename(), a.contentType(), a.file())).toList(), null);
            String replyTo = viaFallback && own != null ? own.address() : written != null ? written.replyTo() : null;
            byte[] raw = composer.compose(replyTo != null ? mail.withReplyTo(replyTo) : mail);
            jakarta.mail.internet.MimeMessage composed = composer.parse(raw);
            accepted = SentMail.composed(via, gmailSender == null ? null : gmailSender.id(), sentVia, standsInFor, fromAddress,
                    messageId, composed);
            if (gmailSender == null) {
                producer.requestBody(((FallbackSender.ViaSmtp) fallback).endpointUri(), composed);
            } else {
                Message outgoing = new Message().encodeRaw(raw);
                if (!viaFallback && thread != null && thread.threadId() != null) {
                    outgoing.setThreadId(thread.threadId()); // a Gmail thread id means something only in its own mailbox
                }
                gmailAnswer = producer.requestBody(gmailSender.componentName() + "://messages/send?userId=me&inBody=content",
                        outgoing, Message.class);
            }
        } catch (IllegalArgumentException | jakarta.mail.MessagingException e) {
            return SendResult.failed("cannot compose: " + e.getMessage());
        } catch (RuntimeException | IOException e) {
            if (gmailSender == null) {
                return SendFailures.smtp(e, ((FallbackSender.ViaSmtp) fallback).server());
            }
            GmailFailure failure = GmailFailure.of(e);
            String detail = SendFailures.gmail(e, failure, gmailSender.id());
            String said = SendFailures.gmailSaid(e, failure);
            if (failure.kind() == GmailFailure.Kind.NOT_CONNECTED) {
                // The grant was refused while sending: the mailbox is NOT_CONNECTED now, and the retry goes from the fallback sender.
                accounts.refused(gmailSender.id(), failure);
                return SendResult.retry(detail, java.time.Duration.ZERO).withProviderSaid(said);
            }
            return (failure.isRetryable() ? SendResult.retry(detail, failure.retryAfter()) : SendResult.failed(detail))
                    .withProviderSaid(said);
        }
        // Accepted. Outside the try, and accepted() never throws: nothing from here on can turn the email into a retry or
        // a fallback (a second email).
        if (gmailSender != null && !gmailSender.isMonitored()) {
            try {
                accounts.sent(gmailSender.id());
            } catch (RuntimeException e) {
                LOG.warn("Mailbox {}: could not record that it sent (delivery {}): {}", gmailSender.id(), delivery.id(), e.toString());
            }
        }
        SentMail sent = accepted.answeredBy(gmailAnswer);
        SendResult result = sentMails.accepted(delivery, sent);
        told(delivery, sent);
        return result;
    }

    /** The feature that wrote the email (approvals) learns its ids; like the audit, it cannot turn a sent email into a retry. */
    private void told(Delivery delivery, SentMail sent) {
        try {
            sentEmails.sent(delivery, sent.messageId(), sent.gmailId(), sent.threadId(), sent.senderMailbox());
        } catch (RuntimeException e) {
            LOG.error("Delivery {}: email {} was sent, but recording it for its feature failed: {}", delivery.id(),
                    sent.messageId(), e.toString());
        }
    }

    /** Past Gmail's daily sending limit the account is suspended from sending: fall back at once when the channel can. */
    private SendResult dailyLimit(MailboxSettings sender, ChannelsConfig.Channel channel) {
        int dailyLimit = Integer.parseInt(channel.settings().getOrDefault("dailyLimit", String.valueOf(DEFAULT_DAILY_LIMIT)));
        java.util.Set<String> senderChannels = new java.util.HashSet<>();
        // channels that send from the event's mailbox count for every mailbox: an over-count, never an under-count
        channels.channels().values().stream()
                .filter(c -> c.isEmail() && (sender.id().equals(c.settings().get("sender"))
                        || EVENT_MAILBOX_SENDER.equals(c.settings().get("sender"))))
                .forEach(c -> senderChannels.add(c.name()));
        senderChannels.add(channel.name());
        if (store.sentSince(senderChannels, clock.instant().minus(java.time.Duration.ofDays(1))) < dailyLimit) {
            return null;
        }
        String detail = "daily sending limit of " + dailyLimit + " reached for " + sender.address();
        return channel.fallback() != null ? SendResult.failed(detail) : SendResult.retry(detail, java.time.Duration.ofMinutes(30));
    }

    private String stateOf(MailboxSettings mailbox) {
        return accounts.state(mailbox.id());
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

    /** The sent message with our Message-ID, its recipients and subject as Gmail keeps them; null when none went. */
    private Message sentWithMessageId(MailboxSettings sender, String messageId) throws IOException {
        Gmail gmail = accounts.client(sender.id());
        ListMessagesResponse found = gmail.users().messages().list("me").setQ("rfc822msgid:" + messageId)
                .setLabelIds(List.of("SENT")).execute();
        if (found.getMessages() == null || found.getMessages().isEmpty()) {
            return null;
        }
        return gmail.users().messages().get("me", found.getMessages().get(0).getId()).setFormat("metadata")
                .setMetadataHeaders(List.of("To", "Cc", "Bcc", "Subject")).execute();
    }

    /** Through camel-mustache: {{body.title}} in HTML templates is escaped, {{{body.title}}} in text ones is not. */
    private String render(String template, Map<String, Object> model) {
        return producer.requestBody("mustache:file:" + templatesDir + "/" + template + "?contentCache=true", model, String.class);
    }

    /** What a template is given, as {@code body}. */
    private Map<String, Object> model(Notification n, Delivery d) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", n.title());
        model.put("body", n.body());
        model.put("url", n.url());
        model.put("eventType", n.eventType());
        model.put("recipient", d.recipient());
        model.put("data", n.data());
        model.put("ackUrl", n.ackUrl()); // critical notices: the signed Acknowledge link (io.mailroute.engagement)
        String pixelUrl = openPixels.pixelUrl(d); // only when mailroute.engagement.open-pixel is on
        if (pixelUrl != null) {
            model.put("pixelUrl", pixelUrl);
        }
        return model;
    }
}

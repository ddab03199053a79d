package io.mailroute.delivery.email;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.audit.AuditTrail;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.SendResult;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code mail.sent} audit record of every email a provider accepted. {@link GmailEmailTransport} hands each
 * accepted email here and nowhere else before it reports the delivery as sent, whichever way the email went (own
 * mailbox, fallback mailbox, fallback SMTP) and however we learnt it went (the send's answer, or our Message-ID
 * found in Gmail's SENT folder after an interrupted attempt).
 *
 * <p>What commits with what:
 * <ol>
 *   <li>before the send: the Message-ID (and the fallback sender), so a retry can ask Gmail whether it went;</li>
 *   <li>after the provider accepted: in one transaction, the delivery's provider id and the audit record. The
 *       provider id is the mark "this email went": a delivery that has one is never sent again, and the record is
 *       appended only by the transaction that set it, so one delivery has at most one {@code mail.sent};</li>
 *   <li>then the worker records the delivery SENT.</li>
 * </ol>
 * When the audit record cannot be appended (the head row is gone, a trigger refuses), that transaction rolls back
 * and the provider id is recorded alone: the email went and must not go twice, so the delivery is still sent and
 * the missing record is logged as an error. Nothing here throws into the send, which could otherwise turn an
 * accepted email into a retry or a fallback. When the database is down altogether, neither commits; the delivery
 * is claimed again once its lease ends and Gmail's SENT folder answers for it (an SMTP fallback sender has no such
 * folder to ask). A worker whose lease ran out and whose delivery another worker claimed meanwhile records neither
 * (its writes are fenced by the claim's token, {@link DeliveryStore}): the worker that holds the delivery now finds the
 * email in Gmail's SENT folder by its Message-ID and records and audits it from there.
 */
public final class SentMailAudit {

    public static final String ACTION = "mail.sent";
    /** A subject is the sender's text and can be long: the record keeps its start. */
    static final int SUBJECT_CHARS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(SentMailAudit.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final DeliveryStore store;
    private final AuditTrail audit;

    public SentMailAudit(DeliveryStore store, AuditTrail audit) {
        this.store = Objects.requireNonNull(store, "store");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    /** Records the accepted email; never throws. @return the delivered result the delivery is recorded with */
    SendResult accepted(Delivery delivery, SentMail mail) {
        try {
            store.database().transactions().executeWithoutResult(tx -> {
                if (store.markAccepted(delivery, mail.providerId())) {
                    audit.record(ACTION, mailbox(delivery, mail), "delivery:" + delivery.id(), details(delivery, mail));
                }
            });
        } catch (RuntimeException auditFailed) {
            LOG.error("Delivery {}: the email went (Message-ID <{}>, {}), but its {} audit record could not be written; "
                    + "it is recorded as sent and not sent again. Run `java -jar target/mailroute.jar audit verify`",
                    delivery.id(), mail.messageId(), mail.providerId(), ACTION, auditFailed);
            try {
                store.markAccepted(delivery, mail.providerId());
            } catch (RuntimeException storeFailed) {
                LOG.error("Delivery {}: not even the provider id could be recorded ({}); when its lease ends it is tried "
                        + "again, and Gmail's SENT folder is asked first", delivery.id(), storeFailed.toString());
            }
        }
        return SendResult.delivered(mail.providerId());
    }

    /**
     * The Gmail mailbox that sent it; for SMTP, which has none, the mailbox it stood in for, or (a channel that always
     * sends from the fallback sender) the event's.
     */
    static String mailbox(Delivery delivery, SentMail mail) {
        return mail.senderMailbox() != null ? mail.senderMailbox()
                : mail.standsInFor() != null ? mail.standsInFor() : delivery.mailbox();
    }

    static ObjectNode details(Delivery delivery, SentMail mail) {
        ObjectNode details = JSON.objectNode()
                .put("deliveryId", delivery.id())
                .put("eventId", delivery.eventId())
                .put("eventType", delivery.eventType())
                .put("itemId", delivery.itemId())
                .put("eventMailbox", delivery.mailbox())
                .put("channel", delivery.channel())
                .put("recipient", delivery.recipient())
                .put("via", mail.via().name)
                .put("senderMailbox", mail.senderMailbox())
                .put("sentVia", mail.sentVia())
                .put("standsInFor", mail.standsInFor())
                .put("from", mail.from())
                .put("messageId", mail.messageId())
                .put("gmailId", mail.gmailId())
                .put("threadId", mail.threadId())
                .put("subject", bounded(mail.subject()))
                .put("confirmedBy", mail.confirmedBy().name);
        addresses(details.putArray("to"), mail.to());
        addresses(details.putArray("cc"), mail.cc());
        addresses(details.putArray("bcc"), mail.bcc());
        return details;
    }

    private static void addresses(ArrayNode array, List<String> addresses) {
        addresses.forEach(array::add);
    }

    static String bounded(String subject) {
        return subject == null || subject.length() <= SUBJECT_CHARS ? subject : subject.substring(0, SUBJECT_CHARS) + "…";
    }
}

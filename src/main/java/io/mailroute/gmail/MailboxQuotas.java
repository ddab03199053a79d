package io.mailroute.gmail;

import io.mailroute.config.MailboxSettings;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Header;

/** One {@link QuotaPacer} per mailbox, sized by its {@code quotaUnitsPerSecond}. */
public final class MailboxQuotas {

    private final Map<String, QuotaPacer> pacers = new ConcurrentHashMap<>();

    public MailboxQuotas(Collection<MailboxSettings> mailboxes) {
        mailboxes.forEach(m -> pacers.put(m.id(), new QuotaPacer(m.quotaUnitsPerSecond())));
    }

    public void acquire(String mailboxId, int units) {
        QuotaPacer pacer = pacers.get(mailboxId);
        if (pacer == null) {
            throw new IllegalArgumentException("Unknown mailbox '" + mailboxId + "'");
        }
        pacer.acquire(units);
    }

    /** Called by the intake route before each messages.get. */
    public void beforeMessageGet(@Header(MessageIngest.MAILBOX_HEADER) String mailboxId) {
        acquire(mailboxId, QuotaPacer.MESSAGES_GET);
    }
}

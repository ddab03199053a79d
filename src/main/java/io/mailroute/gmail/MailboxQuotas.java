package io.mailroute.gmail;

import io.mailroute.config.MailboxSettings;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
}

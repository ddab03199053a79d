package io.mailroute.gmail;

import io.mailroute.config.MailboxSettings;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * One {@link QuotaPacer} per mailbox, sized by its {@code quotaUnitsPerSecond}, and what each spent in the last minute
 * (for the console's Mailboxes page).
 */
public final class MailboxQuotas {

    /** A mailbox's quota: its budget and the units its calls took in the last minute. */
    public record Usage(int unitsPerSecond, long unitsLastMinute) {
        /** The share of the last minute's budget spent, 0 to 100. */
        public int percentOfBudget() {
            return unitsPerSecond <= 0 ? 0 : (int) Math.round(100.0 * unitsLastMinute / (unitsPerSecond * 60.0));
        }
    }

    private final Map<String, QuotaPacer> pacers = new ConcurrentHashMap<>();
    private final Map<String, Integer> budgets = new ConcurrentHashMap<>();
    private final Map<String, UnitsLastMinute> spent = new ConcurrentHashMap<>();
    private final Clock clock;

    public MailboxQuotas(Collection<MailboxSettings> mailboxes) {
        this(mailboxes, Clock.systemUTC());
    }

    public MailboxQuotas(Collection<MailboxSettings> mailboxes, Clock clock) {
        this.clock = clock;
        mailboxes.forEach(m -> {
            pacers.put(m.id(), new QuotaPacer(m.quotaUnitsPerSecond()));
            budgets.put(m.id(), m.quotaUnitsPerSecond());
            spent.put(m.id(), new UnitsLastMinute());
        });
    }

    /** Blocks until the mailbox may spend {@code units}; the caller tells the spend when its call is over. */
    public QuotaPacer.Spend acquire(String mailboxId, int units) {
        QuotaPacer pacer = pacers.get(mailboxId);
        if (pacer == null) {
            throw new IllegalArgumentException("Unknown mailbox '" + mailboxId + "'");
        }
        QuotaPacer.Spend spend = pacer.acquire(units);
        spent.get(mailboxId).add(units, clock.instant().getEpochSecond());
        return spend;
    }

    /** The mailbox's quota for its Gmail client ({@link GmailClientFactory#pacedBy}). */
    public IntFunction<QuotaPacer.Spend> of(String mailboxId) {
        return units -> acquire(mailboxId, units);
    }

    /** The mailbox's budget and its units of the last 60 seconds; zeros for an unknown mailbox. */
    public Usage usage(String mailboxId) {
        UnitsLastMinute units = spent.get(mailboxId);
        return new Usage(budgets.getOrDefault(mailboxId, 0), units == null ? 0 : units.sum(clock.instant().getEpochSecond()));
    }

    /** Units per second over the last 60 seconds, in a ring of one-second buckets. */
    static final class UnitsLastMinute {
        private static final int SECONDS = 60;
        private final long[] second = new long[SECONDS];
        private final long[] units = new long[SECONDS];

        synchronized void add(int amount, long epochSecond) {
            int slot = (int) Math.floorMod(epochSecond, SECONDS);
            if (second[slot] != epochSecond) {
                second[slot] = epochSecond;
                units[slot] = 0;
            }
            units[slot] += amount;
        }

        synchronized long sum(long nowEpochSecond) {
            long total = 0;
            for (int i = 0; i < SECONDS; i++) {
                if (second[i] > nowEpochSecond - SECONDS && second[i] <= nowEpochSecond) {
                    total += units[i];
                }
            }
            return total;
        }
    }
}

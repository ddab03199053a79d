package io.mailroute.ops;

import io.mailroute.gmail.MailboxState;
import io.mailroute.gmail.MailboxStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Each monitored mailbox's state as Prometheus gauges:
 * {@code mailroute_mailbox_state{mailbox,state}} is 1 for its current state and 0 for the others
 * (one series per mailbox and state, so an alert is a plain {@code == 1}), and
 * {@code mailroute_mailbox_last_success_age_seconds{mailbox}} is the time since its last good poll, and
 * {@code mailroute_mailbox_owner{mailbox,node}} is 1 for the node that polls it (none before its first poll). Owners
 * move between nodes, so their series are replaced whenever the states are read: a new owner shows from the scrape
 * that reads it or, when it is the first owner of any mailbox since the start, from the next one.
 * A scrape reads every series within milliseconds, so the states are read once and kept for
 * {@link #FRESH}: one query per scrape, not one per series. NaN when they cannot be read or a
 * mailbox never succeeded: no number is better than a wrong one.
 */
public final class MailboxMetrics implements MeterBinder {

    static final Duration FRESH = Duration.ofSeconds(1);

    private final List<String> mailboxIds;
    private final Supplier<List<MailboxStatus>> read;
    private final Clock clock;
    private volatile Snapshot snapshot;
    private volatile MultiGauge owners;

    private record Snapshot(Instant at, Map<String, MailboxStatus> byId) {
    }

    public MailboxMetrics(List<String> mailboxIds, Supplier<List<MailboxStatus>> read, Clock clock) {
        this.mailboxIds = List.copyOf(mailboxIds);
        this.read = read;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String id : mailboxIds) {
            for (MailboxState state : MailboxState.values()) {
                Gauge.builder("mailroute.mailbox.state", this, m -> m.value(id, s -> s.state() == state ? 1 : 0))
                        .description("1 for the mailbox's current state, 0 for the others")
                        .tag("mailbox", id)
                        .tag("state", state.name())
                        .register(registry);
            }
            Gauge.builder("mailroute.mailbox.last.success.age", this, m -> m.value(id, s -> s.lastSuccessAt() == null
                            ? Double.NaN : Duration.between(s.lastSuccessAt(), clock.instant()).toMillis() / 1000.0))
                    .description("Seconds since the mailbox's last successful poll")
                    .baseUnit("seconds")
                    .tag("mailbox", id)
                    .register(registry);
        }
        owners = MultiGauge.builder("mailroute.mailbox.owner")
                .description("1 for the node (mailroute.cluster.node-id) that polls the mailbox")
                .register(registry);
    }

    private double value(String mailboxId, Function<MailboxStatus, Number> of) {
        MailboxStatus status = current().get(mailboxId);
        return status == null ? Double.NaN : of.apply(status).doubleValue();
    }

    private void showOwners(Map<String, MailboxStatus> byId) {
        MultiGauge gauge = owners;
        if (gauge != null) {
            gauge.register(mailboxIds.stream().map(byId::get).filter(s -> s != null && s.owner() != null)
                    .map(s -> MultiGauge.Row.of(Tags.of("mailbox", s.id(), "node", s.owner()), 1))
                    .toList(), false); // keep the series that stay: replacing them mid-scrape hides them
        }
    }

    private Map<String, MailboxStatus> current() {
        Snapshot last = snapshot;
        Instant now = clock.instant();
        if (last == null || !now.isBefore(last.at().plus(FRESH))) {
            Map<String, MailboxStatus> byId;
            try {
                List<MailboxStatus> all = read.get(); // null while the database is closed
                byId = all == null ? Map.of() : all.stream().collect(Collectors.toMap(MailboxStatus::id, s -> s));
            } catch (RuntimeException e) {
                byId = Map.of(); // the database check says why; a scrape must not fail
            }
            last = new Snapshot(now, byId);
            snapshot = last;
            showOwners(byId);
        }
        return last.byId();
    }
}

package io.mailroute.events;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.ScheduledPollEndpoint;

/**
 * One named subscription; options: {@code types}, {@code mailbox}, {@code batchSize}, {@code startAt},
 * {@code continueFrom}, {@code gapWait}, {@code maxAttempts}, and the scheduled-poll options ({@code delay} ...).
 */
public final class EventsEndpoint extends ScheduledPollEndpoint {

    private final String subscription;
    private Set<String> types = Set.of();
    private String mailbox;
    private int batchSize = 100;
    private String startAt = "beginning";
    private long gapWait = 5_000;
    private int maxAttempts;
    private String continueFrom;
    /** Woken when a matching event commits in this process: the consumer polls at once (its scheduler waits on it). */
    private final Wakeup wakeup = new Wakeup();

    EventsEndpoint(String uri, EventsComponent component, String subscription) {
        super(uri, component);
        this.subscription = subscription;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!startAt.equals("beginning") && !startAt.equals("latest")) {
            throw new IllegalArgumentException(getEndpointUri() + ": startAt must be 'beginning' or 'latest', not '" + startAt + "'");
        }
        EventsConsumer consumer = new EventsConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException(EventsComponent.SCHEME + " endpoints can only be consumed "
                + "(events are published by committing them, not by sending to this endpoint)");
    }

    @Override
    public EventsComponent getComponent() {
        return (EventsComponent) super.getComponent();
    }

    public String getSubscription() {
        return subscription;
    }

    /** Comma-separated event types; all types when empty. */
    public void setTypes(String types) {
        this.types = Arrays.stream(types.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    public String getTypes() {
        return String.join(",", types);
    }

    Set<String> typeSet() {
        return types;
    }

    public String getMailbox() {
        return mailbox;
    }

    public void setMailbox(String mailbox) {
        this.mailbox = mailbox;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = Math.max(1, batchSize);
    }

    /** Where a subscription without a cursor yet begins: {@code beginning} (every past event) or {@code latest}. */
    public String getStartAt() {
        return startAt;
    }

    public void setStartAt(String startAt) {
        this.startAt = startAt;
    }

    /**
     * A subscription without a cursor yet starts where this one's cursor is, when it has one (else as
     * {@code startAt} says): for splitting one subscription into several, e.g. {@code triage} into one per mailbox,
     * without offering an event twice or skipping one.
     */
    public String getContinueFrom() {
        return continueFrom;
    }

    public void setContinueFrom(String continueFrom) {
        this.continueFrom = continueFrom == null || continueFrom.isBlank() ? null : continueFrom.trim();
    }

    Wakeup wakeup() {
        return wakeup;
    }

    /**
     * How long a gap in seq may be waited for, in milliseconds. Events commit out of seq order
     * under concurrency; a younger gap may still be filled by a commit in flight, so delivery
     * pauses before it. An older gap is a rolled-back insert and is skipped.
     */
    public long getGapWait() {
        return gapWait;
    }

    public void setGapWait(long gapWait) {
        this.gapWait = gapWait;
    }

    /**
     * After this many failed attempts at one event, give up on it: it is recorded as a
     * {@code subscription.dead-lettered} event (for alerting) and the subscription moves on.
     * 0 (the default) retries forever, which suits a subscriber whose failures always pass.
     */
    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = Math.max(0, maxAttempts);
    }

    Duration gapWaitDuration() {
        return Duration.ofMillis(gapWait);
    }
}

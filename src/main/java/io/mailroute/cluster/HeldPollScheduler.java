package io.mailroute.cluster;

import io.mailroute.events.Wakeup;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.NonManagedService;
import org.apache.camel.spi.ScheduledPollConsumerScheduler;
import org.apache.camel.support.ScheduledPollConsumer;
import org.apache.camel.support.service.ServiceSupport;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls one event subscription on whichever node Quartz fires its job on, so that on several instances each
 * subscription is consumed by one node at a time (Camel's {@link ScheduledPollConsumerScheduler} SPI: the route
 * file does not change).
 *
 * <p>Each subscription has one durable Quartz job ({@link HeldPollJob}, non-concurrent) in group
 * {@value #GROUP}, named after the subscription, and a trigger that fires it every {@code hold}. A fire
 * <em>holds</em> the subscription: it records itself as the holder ({@link Holdable#hold}), then polls every
 * {@code delay} as the default scheduler would (and at once when its {@link Wakeup} is woken), until just before
 * the next fire, until the consumer stops, or until another fire took the subscription over (the consumer's
 * acknowledgements carry the fire's id and are refused once it no longer holds). With Quartz's clustered store the next fire runs on this node or, when this
 * node stopped checking in, on another.
 *
 * <p>The job's data holds the subscription's name only: the consumer lives on this node, in a registry kept in
 * the Quartz scheduler's context (memory, per node), as camel-quartz does with the CamelContext.
 */
public final class HeldPollScheduler extends ServiceSupport implements ScheduledPollConsumerScheduler, NonManagedService {

    private static final Logger LOG = LoggerFactory.getLogger(HeldPollScheduler.class);
    /** The Quartz group of the subscriptions' jobs and triggers. */
    public static final String GROUP = "mailroute-events";
    static final String SUBSCRIPTION = "subscription";
    private static final String REGISTRY = "mailroute-held-polls";
    /** A fire ends its hold this long before the next fire is due, so that the next one finds the job free. */
    static final long HANDOVER_MS = 200;

    /** The consumer's side of a hold. */
    public interface Holdable {
        /** Takes the subscription for the Quartz fire {@code token}: the consumer's acknowledgements carry it from now on. */
        void hold(String token);

        /** False once an acknowledgement found that another fire holds the subscription. */
        boolean holds(String token);
    }

    private final String subscription;
    private final Supplier<Scheduler> quartz;
    private final Duration hold;
    private final Wakeup wakeup;
    private CamelContext camelContext;
    private volatile ScheduledPollConsumer consumer;
    private volatile Runnable task;
    private volatile Scheduler scheduler;

    /**
     * @param quartz the service's Quartz scheduler (the quartz component's), asked for when the consumer starts
     * @param hold   how long one fire holds the subscription: the trigger's repeat interval
     */
    public HeldPollScheduler(String subscription, Supplier<Scheduler> quartz, Duration hold) {
        this(subscription, quartz, hold, new Wakeup());
    }

    /** @param wakeup polls at once when woken (a commit on this node), between the polls every delay */
    public HeldPollScheduler(String subscription, Supplier<Scheduler> quartz, Duration hold, Wakeup wakeup) {
        if (hold.toMillis() <= 2 * HANDOVER_MS) {
            throw new IllegalArgumentException("mailroute.cluster.subscription-hold must be longer than " + 2 * HANDOVER_MS
                    + " ms, not " + hold.toMillis() + " ms");
        }
        this.subscription = subscription;
        this.quartz = quartz;
        this.hold = hold;
        this.wakeup = wakeup;
    }

    @Override
    public void onInit(Consumer consumer) {
        if (!(consumer instanceof ScheduledPollConsumer polled) || !(consumer instanceof Holdable)) {
            throw new IllegalArgumentException("A held poll needs a polling consumer that can be held, not " + consumer);
        }
        this.consumer = polled;
    }

    @Override
    public void scheduleTask(Runnable task) {
        this.task = task;
    }

    /** Registers the consumer on this node and makes sure the subscription's job and trigger exist (once per cluster). */
    @Override
    public void startScheduler() {
        Scheduler quartzScheduler = quartz.get();
        if (quartzScheduler == null) {
            throw new IllegalStateException("Subscription " + subscription + ": the Quartz scheduler is not there yet "
                    + "(the quartz component must be started before the routes that consume mailroute-events:)");
        }
        try {
            Map<String, HeldPollScheduler> registry = registry(quartzScheduler);
            HeldPollScheduler other = registry.putIfAbsent(subscription, this);
            if (other != null && other != this) {
                throw new IllegalStateException("Two routes consume mailroute-events:" + subscription
                        + ": give each route its own subscription name");
            }
            scheduler = quartzScheduler;
            scheduleJob(quartzScheduler);
        } catch (SchedulerException e) {
            throw new IllegalStateException("Subscription " + subscription + ": cannot schedule its Quartz job: " + e.getMessage(), e);
        }
    }

    private void scheduleJob(Scheduler quartzScheduler) throws SchedulerException {
        TriggerKey key = TriggerKey.triggerKey(subscription, GROUP);
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(key).forJob(JobKey.jobKey(subscription, GROUP)).startNow()
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(hold.toMillis())
                        .repeatForever().withMisfireHandlingInstructionFireNow())
                .build();
        Trigger existing = quartzScheduler.getTrigger(key);
        if (existing instanceof SimpleTrigger simple && simple.getRepeatInterval() == hold.toMillis()) {
            return; // scheduled by this node earlier or by another node: keep its rhythm
        }
        if (existing != null) {
            LOG.info("Subscription {}: its hold changes to {} ms (mailroute.cluster.subscription-hold)", subscription, hold.toMillis());
            quartzScheduler.rescheduleJob(key, trigger);
            return;
        }
        JobDetail job = JobBuilder.newJob(HeldPollJob.class).withIdentity(subscription, GROUP).storeDurably()
                .usingJobData(SUBSCRIPTION, subscription).build();
        try {
            if (quartzScheduler.checkExists(job.getKey())) {
                quartzScheduler.scheduleJob(trigger);
            } else {
                quartzScheduler.scheduleJob(job, trigger);
            }
        } catch (ObjectAlreadyExistsException e) {
            // another node scheduled it at the same moment: theirs will do
            if (!quartzScheduler.getMetaData().isJobStoreClustered()) {
                throw e;
            }
        }
    }

    /**
     * The consumer leaves this node. With a clustered store the job and trigger stay: other nodes may consume the
     * subscription (as camel-quartz leaves its triggers); in memory they go with the consumer.
     */
    @Override
    public void unscheduleTask() {
        wakeup.wake(); // a fire waiting between polls sees at once that the consumer stops
        Scheduler quartzScheduler = scheduler;
        if (quartzScheduler == null) {
            return;
        }
        scheduler = null;
        try {
            if (quartzScheduler.isShutdown()) {
                return;
            }
            registry(quartzScheduler).remove(subscription, this);
            if (!quartzScheduler.getMetaData().isJobStoreClustered()) {
                quartzScheduler.deleteJob(JobKey.jobKey(subscription, GROUP));
            }
        } catch (SchedulerException e) {
            LOG.warn("Subscription {}: could not unschedule its Quartz job: {}", subscription, e.getMessage());
        }
    }

    @Override
    public boolean isSchedulerStarted() {
        Scheduler quartzScheduler = scheduler;
        try {
            return quartzScheduler != null && quartzScheduler.isStarted() && !quartzScheduler.isShutdown();
        } catch (SchedulerException e) {
            return false;
        }
    }

    /**
     * One fire's hold: takes the subscription, then polls every delay until {@code nextFire} is near, the consumer
     * stops, Quartz shuts down, or another fire has taken the subscription.
     */
    void holdAndPoll(String token, Date nextFire, Scheduler quartzScheduler) throws InterruptedException, SchedulerException {
        long until = (nextFire == null ? System.currentTimeMillis() + hold.toMillis() : nextFire.getTime()) - HANDOVER_MS;
        ScheduledPollConsumer polled = consumer;
        Holdable holdable = (Holdable) polled;
        long delay = Math.max(1, TimeUnit.MILLISECONDS.convert(polled.getDelay(), polled.getTimeUnit()));
        boolean held = false;
        while (polled.isRunAllowed() && !quartzScheduler.isShutdown() && !quartzScheduler.isInStandbyMode()) {
            if (!held) {
                held = take(holdable, token);
            } else {
                task.run();
                if (!holdable.holds(token)) {
                    LOG.info("Subscription {}: another node has taken it over; this node stops consuming it", subscription);
                    return;
                }
            }
            long left = until - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            wakeup.await(Math.min(delay, left));
        }
    }

    private boolean take(Holdable holdable, String token) {
        try {
            holdable.hold(token);
            LOG.debug("Subscription {}: held by fire {}", subscription, token);
            return true;
        } catch (RuntimeException e) {
            // the database is away: try again after a delay, within this fire's hold
            LOG.warn("Subscription {}: cannot take the hold ({}); trying again", subscription, e.getMessage());
            return false;
        }
    }

    /** This node's consumer of {@code subscription}, or null when it has none. */
    static HeldPollScheduler registered(Scheduler quartzScheduler, String subscription) throws SchedulerException {
        return registry(quartzScheduler).get(subscription);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, HeldPollScheduler> registry(Scheduler quartzScheduler) throws SchedulerException {
        Map<String, Object> context = quartzScheduler.getContext();
        synchronized (context) {
            return (Map<String, HeldPollScheduler>) context.computeIfAbsent(REGISTRY, k -> new ConcurrentHashMap<>());
        }
    }

    String subscription() {
        return subscription;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    protected void doStop() {
        unscheduleTask();
    }
}

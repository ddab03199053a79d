package io.mailroute.events;

import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.NonManagedService;
import org.apache.camel.spi.ScheduledPollConsumerScheduler;
import org.apache.camel.support.ScheduledPollConsumer;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a consumer on a thread of its own, every {@code delay} as Camel's default scheduler does, and at once when
 * its {@link Wakeup} is woken (Camel's {@link ScheduledPollConsumerScheduler} SPI, so the route file and the
 * consumer's options stay the same). One loop: never two polls of the consumer at once; wake-ups that arrive during
 * a poll add one more poll, not one each.
 *
 * <p>Used by every {@code mailroute-events:} subscription on a single instance (woken by {@link OutboxSignal}) and by
 * {@code routes/deliver.camel.yaml}'s {@code deliver-work} (option {@code scheduler=#deliverWorkScheduler}, woken when
 * a delivery is planned).
 */
public final class WakeablePollScheduler extends ServiceSupport implements ScheduledPollConsumerScheduler, NonManagedService {

    private static final Logger LOG = LoggerFactory.getLogger(WakeablePollScheduler.class);

    private final String name;
    private final Wakeup wakeup;
    private final Object polling = new Object();
    private CamelContext camelContext;
    private volatile ScheduledPollConsumer consumer;
    private volatile Runnable task;
    private volatile Thread loop;

    /** @param name names the thread ({@code Camel (...) thread #n - poll NAME}) */
    public WakeablePollScheduler(String name, Wakeup wakeup) {
        this.name = name;
        this.wakeup = wakeup;
    }

    public Wakeup wakeup() {
        return wakeup;
    }

    @Override
    public void onInit(Consumer consumer) {
        if (!(consumer instanceof ScheduledPollConsumer polled)) {
            throw new IllegalArgumentException("The wakeable scheduler " + name + " needs a polling consumer, not " + consumer);
        }
        this.consumer = polled;
    }

    @Override
    public void scheduleTask(Runnable task) {
        this.task = task;
    }

    @Override
    public synchronized void startScheduler() {
        if (loop != null) {
            return;
        }
        Thread thread = camelContext.getExecutorServiceManager().newThread("poll " + name, this::pollUntilStopped);
        loop = thread;
        thread.start();
    }

    private void pollUntilStopped() {
        ScheduledPollConsumer polled = consumer;
        try {
            wakeup.await(millis(polled, polled.getInitialDelay()));
            while (loop == Thread.currentThread()) {
                pollOnce();
                if (loop != Thread.currentThread()) {
                    return;
                }
                wakeup.await(millis(polled, polled.getDelay()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pollOnce() {
        synchronized (polling) { // a loop still finishing after a quick restart never polls beside the new one
            try {
                task.run();
            } catch (RuntimeException e) { // Camel's poll handles its own failures; anything else must not end the loop
                LOG.error("A poll of {} failed; the next one follows as scheduled: {}", name, e.toString(), e);
            }
        }
    }

    private static long millis(ScheduledPollConsumer polled, long amount) {
        return Math.max(0, TimeUnit.MILLISECONDS.convert(amount, polled.getTimeUnit()));
    }

    /** Ends the loop after the poll in progress, if any (not interrupted: a database write is never cut short). */
    @Override
    public synchronized void unscheduleTask() {
        if (loop != null) {
            loop = null;
            wakeup.wake();
        }
    }

    @Override
    public boolean isSchedulerStarted() {
        return loop != null;
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

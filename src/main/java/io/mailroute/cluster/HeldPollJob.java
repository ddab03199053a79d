package io.mailroute.cluster;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fire of a subscription's trigger ({@link HeldPollScheduler}): holds the subscription on this node until just
 * before the next fire. Non-concurrent, so that with Quartz's clustered store one fire at a time runs cluster-wide.
 */
@DisallowConcurrentExecution
public final class HeldPollJob implements Job {

    private static final Logger LOG = LoggerFactory.getLogger(HeldPollJob.class);

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        String subscription = context.getMergedJobDataMap().getString(HeldPollScheduler.SUBSCRIPTION);
        try {
            HeldPollScheduler held = HeldPollScheduler.registered(context.getScheduler(), subscription);
            if (held == null) {
                // every node needs the same route files: a node without this subscription passes its turn
                LOG.debug("Subscription {}: no route consumes it on this node", subscription);
                return;
            }
            held.holdAndPoll(context.getFireInstanceId(), context.getNextFireTime(), context.getScheduler());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SchedulerException e) {
            throw new JobExecutionException("Subscription " + subscription + ": " + e.getMessage(), e);
        }
    }
}

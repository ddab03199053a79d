package io.mailroute.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.quartz.JobBuilder;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;

/** Triggers a clustered store keeps for mailboxes and reports no longer configured are removed; the rest stay. */
class QuartzPruneTest {

    public static class Nothing implements org.quartz.Job {
        @Override
        public void execute(org.quartz.JobExecutionContext context) {
        }
    }

    @Test
    void triggersOfRemovedMailboxesAndReportsGoAndOthersStay() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("org.quartz.scheduler.instanceName", "prune-test");
        properties.setProperty("org.quartz.threadPool.threadCount", "1");
        properties.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        Scheduler scheduler = new StdSchedulerFactory(properties).getScheduler();
        try {
            for (String[] key : new String[][] {{"gmail-intake", "support"}, {"gmail-intake", "gone"}, {"reports", "weekly"},
                    {"reports", "dropped"}, {"mailroute", "timers-tick"}}) {
                scheduler.scheduleJob(JobBuilder.newJob(Nothing.class).withIdentity(JobKey.jobKey(key[1], key[0])).build(),
                        TriggerBuilder.newTrigger().withIdentity(TriggerKey.triggerKey(key[1], key[0]))
                                .withSchedule(SimpleScheduleBuilder.repeatHourlyForever()).build());
            }
            QuartzSetup.prune(scheduler, QuartzSetup.INTAKE_GROUP, Set.of("support"), "the poll of mailbox", "mailboxes.yaml");
            QuartzSetup.prune(scheduler, QuartzSetup.REPORTS_GROUP, Set.of("weekly"), "the schedule of report", "reports.yaml");
            Set<String> left = new TreeSet<>();
            for (String group : scheduler.getTriggerGroupNames()) {
                scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(group)).forEach(k -> left.add(group + "/" + k.getName()));
            }
            assertEquals(Set.of("gmail-intake/support", "mailroute/timers-tick", "reports/weekly"), left);
        } finally {
            scheduler.shutdown();
        }
    }
}

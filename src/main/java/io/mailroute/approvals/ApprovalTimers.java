package io.mailroute.approvals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.events.Event;
import io.mailroute.timers.Timer;
import io.mailroute.timers.Timers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The approvals' reminders and expiry on the service's one timer mechanism ({@link Timers}), so they survive restarts
 * and a kill -9: scheduled in the transaction that asks the approvers (and ended in the one that decides, cancels or
 * expires), each fired once in a transaction of its own with the work it does.
 *
 * <ul>
 *   <li>{@value #REMINDER}: one per approver asked and reminder offset of the policy, due that long after the approver was
 *       asked (slot {@code <position>:<offset>}, so asking again schedules nothing twice); reminders due at or after the
 *       expiry are not scheduled. Firing: {@link Approvals#remind}.</li>
 *   <li>{@value #EXPIRY}: at the approval's {@code expires_at} (slot: that instant; an escalation's new expiry is a new
 *       slot). Firing: {@link Approvals#timeUp}, which escalates or expires.</li>
 * </ul>
 * Subjects are {@code approval:<id>}; the handlers check the approval's state, so a timer that fires late is harmless.
 */
public final class ApprovalTimers implements ApprovalSchedule {

    public static final String REMINDER = "approval.reminder";
    public static final String EXPIRY = "approval.expiry";

    private final Timers timers;
    private final ApprovalsConfig config;
    private final ObjectMapper json;

    private ApprovalTimers(Timers timers, ApprovalsConfig config, ObjectMapper json) {
        this.timers = timers;
        this.config = config;
        this.json = json;
    }

    /** Registers the handlers of both kinds with {@code timers} and makes {@code approvals} schedule on it. Call at start. */
    public static ApprovalTimers install(Timers timers, Approvals approvals, ObjectMapper json) {
        ApprovalTimers schedule = new ApprovalTimers(timers, approvals.config(), json);
        timers.register(REMINDER, timer -> approvals.remind(timer.data().path("approvalId").asLong(),
                timer.data().path("position").asInt(), timer.data().path("reminder").asText(),
                timer.data().path("number").asInt()));
        timers.register(EXPIRY, timer -> expired(approvals.timeUp(timer.data().path("approvalId").asLong())));
        approvals.scheduledBy(schedule);
        return schedule;
    }

    private static List<Event> expired(Approvals.Result result) {
        return result instanceof Approvals.Done done ? done.events() : List.of();
    }

    static String subject(long approvalId) {
        return "approval:" + approvalId;
    }

    @Override
    public void asked(Approval approval, List<Approval.Approver> asked, Instant now) {
        List<Duration> reminders = config.policy(approval.policy()).map(ApprovalsConfig.Policy::reminders).orElse(List.of());
        for (Approval.Approver approver : asked) {
            for (int i = 0; i < reminders.size(); i++) {
                Instant due = now.plus(reminders.get(i));
                if (approval.expiresAt() != null && !due.isBefore(approval.expiresAt())) {
                    continue; // it would remind of an approval that is over, or escalated
                }
                timers.schedule(REMINDER, subject(approval.id()), approver.position() + ":" + reminders.get(i), due,
                        json.createObjectNode().put("approvalId", approval.id()).put("position", approver.position())
                                .put("approver", approver.address()).put("reminder", reminders.get(i).toString())
                                .put("number", i + 1));
            }
        }
    }

    @Override
    public void expires(Approval approval) {
        Instant at = approval.expiresAt();
        Instant millis = at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        // timers keep milliseconds: never due before the expiry, which would find the approval not expired yet
        timers.schedule(EXPIRY, subject(approval.id()), at.toString(), millis.equals(at) ? at : millis.plusMillis(1),
                json.createObjectNode().put("approvalId", approval.id()));
    }

    @Override
    public void ended(Approval approval) {
        timers.cancelAll(subject(approval.id()));
    }

    /** The approval's timers still to fire, soonest first. */
    public List<Timer> pending(long approvalId) {
        return timers.pending(subject(approvalId));
    }
}

package io.mailroute.approvals;

import java.time.Instant;
import java.util.List;

/**
 * What {@link Approvals} tells its timers, inside the transaction that makes the change, so the timers commit with it
 * or not at all ({@link ApprovalTimers} schedules them on the service's one timer mechanism).
 */
public interface ApprovalSchedule {

    /** Approvers were asked at {@code now} (at the request, a sequence's next turn, an escalation): their reminders. */
    void asked(Approval approval, List<Approval.Approver> asked, Instant now);

    /** The approval expires at {@link Approval#expiresAt()} (a new request, or a new expiry after an escalation). */
    void expires(Approval approval);

    /** The approval is decided, cancelled or expired: its remaining timers go. */
    void ended(Approval approval);

    /** No timers (tests of the core alone): nothing reminds, nothing expires by itself. */
    ApprovalSchedule NONE = new ApprovalSchedule() {
        @Override
        public void asked(Approval approval, List<Approval.Approver> asked, Instant now) {
        }

        @Override
        public void expires(Approval approval) {
        }

        @Override
        public void ended(Approval approval) {
        }
    };
}

package io.mailroute.reports.digest;

import java.util.List;

/**
 * What one recipient's digest says about one period: what happened in their queues, and how the deliveries went. Kept
 * as JSON, content-addressed, as the recipient's document of the run: the email is written from it, and shows the
 * figures of the moment the run computed them.
 *
 * @param period     the period key ({@code 2026-W48})
 * @param start      the period's start, ISO-8601 instant (inclusive)
 * @param end        the period's end, ISO-8601 instant (exclusive)
 * @param everything whether it covers every queue (a recipient who owns none, with {@code unowned: everything})
 * @param queues     the queues it covers (those the recipient owns), sorted; empty when {@code everything}
 * @param activity   per queue, the queues it covers (each owned queue, with zeros), then "(no queue)" for everything
 * @param mailboxes  per mailbox it covers (each owned mailbox, with zeros), its exceptions; null without the activity
 *                   section
 * @param byChannel  deliveries per channel, sorted by name; null when the digest has no engagement section
 * @param byPerson   deliveries per person (the delivery's recipient), sorted; null without the engagement section
 */
public record Digest(String period, String start, String end, boolean everything, List<String> queues,
        List<QueueActivity> activity, List<MailboxExceptions> mailboxes, List<Engagement> byChannel, List<Engagement> byPerson) {

    /** The name shown for what belongs to no queue (an approval asked through the API, a report's email ...). */
    public static final String NO_QUEUE = "(no queue)";

    public Digest {
        queues = List.copyOf(queues);
        activity = activity == null ? null : List.copyOf(activity);
        mailboxes = mailboxes == null ? null : List.copyOf(mailboxes);
        byChannel = byChannel == null ? null : List.copyOf(byChannel);
        byPerson = byPerson == null ? null : List.copyOf(byPerson);
    }

    /**
     * One queue's activity in the period.
     *
     * @param opened           items created in the period
     * @param resolved         items RESOLVED or CLOSED whose last change fell in the period
     * @param slaBreaches      items whose SLA was breached in the period
     * @param escalations      {@code delivery.escalated} events of the queue's items in the period
     * @param approvalsDecided approvals of the queue's items decided in the period
     * @param failedDeliveries deliveries about the queue's items that failed for good in the period
     */
    public record QueueActivity(String queue, long opened, long resolved, long slaBreaches, long escalations,
            long approvalsDecided, long failedDeliveries) {

        boolean isEmpty() {
            return opened + resolved + slaBreaches + escalations + approvalsDecided + failedDeliveries == 0;
        }

        QueueActivity plus(QueueActivity other) {
            return new QueueActivity(queue, opened + other.opened, resolved + other.resolved, slaBreaches + other.slaBreaches,
                    escalations + other.escalations, approvalsDecided + other.approvalsDecided,
                    failedDeliveries + other.failedDeliveries);
        }
    }

    /**
     * One mailbox's exceptions in the period: what its owners had to handle that belongs to no queue.
     *
     * @param quarantined       messages quarantined in the period (stored, not triaged: GET /api/messages?status=QUARANTINED)
     * @param connectionBreaks  times its Gmail connection broke in the period ({@code connection.broken})
     */
    public record MailboxExceptions(String mailbox, long quarantined, long connectionBreaks) {

        boolean isEmpty() {
            return quarantined + connectionBreaks == 0;
        }
    }

    /**
     * Deliveries of the period (planned in it, and sent) to one channel or one person: how many were sent, and of those
     * how many were opened, acted on and ignored by the time the digest was made.
     */
    public record Engagement(String name, long sent, long opened, long acted, long ignored) {

        Engagement plus(Engagement other) {
            return new Engagement(name, sent + other.sent, opened + other.opened, acted + other.acted, ignored + other.ignored);
        }
    }

    /**
     * How many of its lines say something (a queue with any activity, a mailbox with an exception, a channel that sent
     * anything): 0 is empty.
     */
    public long lines() {
        long lines = activity == null ? 0 : activity.stream().filter(a -> !a.isEmpty()).count();
        lines += mailboxes == null ? 0 : mailboxes.stream().filter(m -> !m.isEmpty()).count();
        return lines + (byChannel == null ? 0 : byChannel.stream().filter(e -> e.sent() > 0).count());
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return lines() == 0;
    }
}

package io.mailroute.alerts;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who owns what, for alerts: {@code owners:} in {@code config/channels.yaml}, each entry naming audiences of that file.
 *
 * @param queues    the audiences that hear about a queue's alerts (triage.yaml's {@code queue:} names, or any queue
 *                  another system names in {@code POST /api/alerts})
 * @param mailboxes the audiences that hear about a mailbox's alerts (quarantined mail, a failing mailbox), by mailbox id
 * @param fallback  {@code default:}: where Mailroute's own alerts go when their queue or mailbox has no owners (empty:
 *                  only to what {@code routing:} names for the event type). Never used for other systems' alerts: one
 *                  naming a queue nobody owns is refused, so that its sender learns of the typo at once.
 */
public record AlertOwners(Map<String, List<String>> queues, Map<String, List<String>> mailboxes, List<String> fallback) {

    public AlertOwners {
        queues = Map.copyOf(queues);
        mailboxes = Map.copyOf(mailboxes);
        fallback = List.copyOf(fallback);
    }

    public static AlertOwners none() {
        return new AlertOwners(Map.of(), Map.of(), List.of());
    }

    /** The audiences owning a queue, when it has any. */
    public Optional<List<String>> ofQueue(String queue) {
        return Optional.ofNullable(queue == null ? null : queues.get(queue));
    }

    /** The audiences owning a mailbox, when it has any. */
    public Optional<List<String>> ofMailbox(String mailbox) {
        return Optional.ofNullable(mailbox == null ? null : mailboxes.get(mailbox));
    }
}

package io.mailroute.reports.digest;

import io.mailroute.alerts.AlertOwners;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.reports.ReportDefinition.DigestSource.Unowned;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which queues and mailboxes a digest recipient sees: the queues ({@code owners: queues:} of channels.yaml) and the
 * mailboxes ({@code owners: mailboxes:}) whose owners include an audience with a member whose email is the recipient's
 * address. Who owns neither sees nothing, or everything when the digest says {@code unowned: everything}.
 *
 * @param everything every queue and mailbox, and what belongs to no queue
 * @param queues     the queues seen, sorted (empty when {@code everything})
 * @param mailboxes  the mailboxes whose exceptions (quarantined mail, broken connections) are seen, sorted (empty when
 *                   {@code everything})
 */
public record DigestScope(boolean everything, Set<String> queues, Set<String> mailboxes) {

    public DigestScope {
        queues = java.util.Collections.unmodifiableSortedSet(everything ? new TreeSet<>() : new TreeSet<>(queues));
        mailboxes = java.util.Collections.unmodifiableSortedSet(everything ? new TreeSet<>() : new TreeSet<>(mailboxes));
    }

    /** Whether it covers this mailbox's exceptions. */
    public boolean coversMailbox(String mailbox) {
        return everything || mailbox != null && mailboxes.contains(mailbox);
    }

    /** Whether it covers this queue (null: something of no queue, which only {@code everything} covers). */
    public boolean covers(String queue) {
        return everything || queue != null && queues.contains(queue);
    }

    /** Nobody's queues or mailboxes: the recipient owns none and the digest gives them nothing. */
    public boolean isNothing() {
        return !everything && queues.isEmpty() && mailboxes.isEmpty();
    }

    /** The scope of the recipient with this address. */
    public static DigestScope of(String address, Unowned unowned, ChannelsConfig channels, AlertOwners owners) {
        String who = address == null ? "" : address.strip().toLowerCase(Locale.ROOT);
        Set<String> queues = owned(owners.queues(), channels, who);
        Set<String> mailboxes = owned(owners.mailboxes(), channels, who);
        return queues.isEmpty() && mailboxes.isEmpty() && unowned == Unowned.EVERYTHING ? new DigestScope(true, Set.of(), Set.of())
                : new DigestScope(false, queues, mailboxes);
    }

    /** The names (queues, mailboxes) whose owner audiences have the address as a member. */
    private static Set<String> owned(Map<String, List<String>> owners, ChannelsConfig channels, String who) {
        Set<String> owned = new TreeSet<>();
        for (Map.Entry<String, List<String>> owner : owners.entrySet()) {
            if (owner.getValue().stream().anyMatch(audience -> hasMember(channels, audience, who))) {
                owned.add(owner.getKey());
            }
        }
        return owned;
    }

    private static boolean hasMember(ChannelsConfig channels, String audience, String address) {
        ChannelsConfig.Audience members = channels.audiences().get(audience);
        if (members == null) {
            return false;
        }
        for (String member : members.members()) {
            String email = member.contains("@") ? member : channels.recipients().containsKey(member)
                    ? channels.recipients().get(member).email() : null;
            if (email != null && email.strip().toLowerCase(Locale.ROOT).equals(address)) {
                return true;
            }
        }
        return false;
    }
}

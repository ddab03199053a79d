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
 * Which queues a digest recipient sees: the queues whose owners ({@code owners: queues:} of channels.yaml) include an
 * audience with a member whose email is the recipient's address. Who owns no queue sees nothing, or every queue when
 * the digest says {@code unowned: everything}.
 *
 * @param everything every queue, and what belongs to none
 * @param queues     the queues seen, sorted (empty when {@code everything})
 */
public record DigestScope(boolean everything, Set<String> queues) {

    public DigestScope {
        queues = java.util.Collections.unmodifiableSortedSet(everything ? new TreeSet<>() : new TreeSet<>(queues));
    }

    /** Whether it covers this queue (null: something of no queue, which only {@code everything} covers). */
    public boolean covers(String queue) {
        return everything || queue != null && queues.contains(queue);
    }

    /** Nobody's queues: the recipient owns none and the digest gives them nothing. */
    public boolean isNothing() {
        return !everything && queues.isEmpty();
    }

    /** The scope of the recipient with this address. */
    public static DigestScope of(String address, Unowned unowned, ChannelsConfig channels, AlertOwners owners) {
        String who = address == null ? "" : address.strip().toLowerCase(Locale.ROOT);
        Set<String> owned = new TreeSet<>();
        for (Map.Entry<String, List<String>> queue : owners.queues().entrySet()) {
            if (queue.getValue().stream().anyMatch(audience -> hasMember(channels, audience, who))) {
                owned.add(queue.getKey());
            }
        }
        return owned.isEmpty() && unowned == Unowned.EVERYTHING ? new DigestScope(true, Set.of())
                : new DigestScope(false, owned);
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

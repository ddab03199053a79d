package io.mailroute.reports;

import io.mailroute.delivery.ChannelsConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who a report goes to, as addresses: its {@code recipients:} (audiences of channels.yaml, addresses, {@code $owners} of
 * its mailbox), and who its owner is. An audience's members are recipient ids of channels.yaml (their email), addresses,
 * or {@code $owners}; other placeholders ({@code $assignee}, {@code $sender} ...) are about an event and mean nobody
 * here. Each address once, lower case, in the order the file names them.
 */
public final class ReportAudience {

    private final ChannelsConfig channels;
    private final Function<String, List<String>> mailboxOwners;

    /** @param mailboxOwners a mailbox id's owners (mailboxes.yaml {@code owners:}: recipient ids or addresses) */
    public ReportAudience(ChannelsConfig channels, Function<String, List<String>> mailboxOwners) {
        this.channels = channels;
        this.mailboxOwners = mailboxOwners;
    }

    /** The report's recipients, each address once. */
    public List<RunRecipient.Planned> of(ReportDefinition report) {
        Map<String, RunRecipient.Planned> out = new LinkedHashMap<>();
        ReportDefinition.Recipients recipients = report.recipients();
        for (String audience : recipients.audiences()) {
            ChannelsConfig.Audience members = channels.audiences().get(audience);
            if (members == null) {
                continue; // check refuses this; a file changed under a running service names nobody
            }
            for (String member : members.members()) {
                if (ChannelsConfig.OWNERS.equals(member)) {
                    owners(report, out);
                } else {
                    add(out, member);
                }
            }
        }
        recipients.addresses().forEach(address -> add(out, address));
        if (recipients.owners()) {
            owners(report, out);
        }
        return new ArrayList<>(out.values());
    }

    /** The owner's address: the owner as written when it is one, else the email of that recipient of channels.yaml. */
    public Optional<String> owner(ReportDefinition report) {
        return address(report.owner());
    }

    private void owners(ReportDefinition report, Map<String, RunRecipient.Planned> out) {
        List<String> owners = mailboxOwners.apply(report.mailbox());
        if (owners != null) {
            owners.forEach(owner -> add(out, owner));
        }
    }

    private void add(Map<String, RunRecipient.Planned> out, String member) {
        address(member).ifPresent(address -> out.putIfAbsent(address, new RunRecipient.Planned(member, address)));
    }

    private Optional<String> address(String who) {
        if (who == null || who.isBlank() || who.startsWith("$")) {
            return Optional.empty();
        }
        if (who.contains("@")) {
            return Optional.of(who.strip().toLowerCase(Locale.ROOT));
        }
        ChannelsConfig.Recipient recipient = channels.recipients().get(who);
        return recipient == null || recipient.email() == null ? Optional.empty()
                : Optional.of(recipient.email().strip().toLowerCase(Locale.ROOT));
    }
}

package io.mailroute.reports.digest;

import io.mailroute.alerts.AlertOwners;
import io.mailroute.config.ConfigProblem;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.reports.ReportAudience;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.DigestSource;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.RunRecipient;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code check} says about the digests of reports.yaml beyond the file itself: a digest none of whose recipients
 * owns a queue (with {@code unowned: nothing}) would never send anything.
 */
public final class DigestChecks {

    private DigestChecks() {
    }

    /** Warnings: a digest that reaches nobody, because none of its recipients owns a queue or a mailbox (owners:). */
    public static List<ConfigProblem> warnings(ReportsConfig reports, ReportAudience audience, ChannelsConfig channels,
            AlertOwners owners) {
        List<ConfigProblem> warnings = new ArrayList<>();
        for (ReportDefinition report : reports.reports().values()) {
            if (!(report.source() instanceof DigestSource digest) || digest.unowned() == DigestSource.Unowned.EVERYTHING) {
                continue;
            }
            List<RunRecipient.Planned> recipients = audience.of(report);
            boolean anyOwns = recipients.stream().anyMatch(r -> !DigestScope.of(r.address(), digest.unowned(), channels, owners)
                    .isNothing());
            if (!recipients.isEmpty() && !anyOwns) {
                warnings.add(new ConfigProblem(reports.source(), report.where("recipients"), "none of the digest's recipients "
                        + "owns a queue or a mailbox (owners: queues: and mailboxes: in channels.yaml), so it never sends anything",
                        "name the queues' owners in recipients:, add owners: queues: for them, or write "
                                + "source: {type: digest, unowned: everything}"));
            }
        }
        return warnings;
    }
}

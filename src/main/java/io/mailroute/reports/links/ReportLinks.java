package io.mailroute.reports.links;

import io.mailroute.links.LinkCheck;
import io.mailroute.links.SignedLinks;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * The signed links a report email carries (issue 14, §2 and §3), on the one signed-link service: a download link
 * (purpose {@value #DOWNLOAD}, optionally one-time) and an acknowledgement link (purpose {@value #ACKNOWLEDGE}, any
 * number of opens until it expires). Both have the run's id as their subject and the recipient's address as their
 * recipient, so a link opens only that recipient's document of that run. The pages they open are {@link ReportPages}.
 *
 * <p>{@code ReportMail} issues one of each per recipient as it writes the email and records both ids with
 * {@code ReportRuns.links} (a retried email records its new ones): the first download through the recorded link makes
 * the recipient DOWNLOADED.
 */
public final class ReportLinks {

    public static final String DOWNLOAD = "report.download", ACKNOWLEDGE = "report.ack";
    /** The pages' paths from the service's root. */
    public static final String DOWNLOAD_PATH = "/p/reports/download", ACKNOWLEDGE_PATH = "/p/reports/ack";

    /**
     * A link issued.
     *
     * @param url       what to put in the email: the base URL, the page's path and {@code ?t=TOKEN}
     * @param linkId    the link's own id (32 hex digits), to record with the recipient
     * @param expiresAt when it stops working (whole seconds)
     */
    public record Issued(String url, String linkId, Instant expiresAt) {
    }

    private final SignedLinks links;
    private final Clock clock;

    public ReportLinks(SignedLinks links, Clock clock) {
        this.links = Objects.requireNonNull(links, "links");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A download link: {@code subject = String.valueOf(runId)}, {@code recipient = address}.
     *
     * @param oneTime the link works for one download
     * @throws IllegalArgumentException when {@code expiresAt} is not in the future, or the address cannot be carried
     */
    public Issued download(long runId, String address, Instant expiresAt, boolean oneTime) {
        return issue(DOWNLOAD, DOWNLOAD_PATH, runId, address, expiresAt, oneTime);
    }

    /**
     * An acknowledgement link: opens the confirmation page until it expires; confirming twice records once.
     *
     * @throws IllegalArgumentException when {@code expiresAt} is not in the future, or the address cannot be carried
     */
    public Issued acknowledge(long runId, String address, Instant expiresAt) {
        return issue(ACKNOWLEDGE, ACKNOWLEDGE_PATH, runId, address, expiresAt, false);
    }

    private Issued issue(String purpose, String path, long runId, String address, Instant expiresAt, boolean singleUse) {
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!expiresAt.isAfter(clock.instant().plusSeconds(1))) {
            throw new IllegalArgumentException("report run " + runId + ": a " + purpose + " link must expire in the future, not at "
                    + expiresAt + " (check the report's linkLifetime or acknowledgeWithin in reports.yaml)");
        }
        String token;
        try {
            token = links.issue(purpose, String.valueOf(runId), address, expiresAt, singleUse);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("report run " + runId + ": no " + purpose + " link for this recipient: "
                    + e.getMessage(), e);
        }
        // The link's id is inside the token; verifying the fresh token is the one way SignedLinks reads it.
        LinkCheck check = links.verify(token, purpose);
        if (!(check instanceof LinkCheck.Valid valid)) {
            throw new IllegalStateException("report run " + runId + ": a " + purpose + " link just issued was refused ("
                    + ((LinkCheck.Refused) check).reason() + "): check the link keys (mailroute.links.*)");
        }
        return new Issued(links.url(path, token), valid.link().linkId(), valid.link().expiresAt());
    }
}

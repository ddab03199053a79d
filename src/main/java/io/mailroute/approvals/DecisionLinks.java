package io.mailroute.approvals;

import io.mailroute.links.SignedLinks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The signed links an approver gets to decide an approval by page ({@link DecisionPages}): one per button, each
 * single-use, for purpose {@value #PURPOSE}, subject the approval's id and recipient the approver, expiring with the
 * approval (or after {@code mailroute.approvals.link-lifetime} when it has no expiry). The button's decision rides
 * along unsigned as {@code &}{@value #DECISION_PARAMETER}{@code =approve}: it only pre-selects the choice on the page,
 * where the approver confirms it, so changing it gains nothing. Opening a link shows the page; only the page's form
 * decides.
 */
public final class DecisionLinks {

    /** The signed links' purpose. */
    public static final String PURPOSE = "approval.decide";
    /** The page's path from the service's root. */
    public static final String PAGE_PATH = "/p/approvals/decide";
    /** The query parameter that pre-selects a decision on the page. */
    public static final String DECISION_PARAMETER = "d";

    /** The three links for one approver: each opens the decision page with its decision chosen. */
    public record Urls(String approve, String reject, String requestChanges) {

        public String of(Decision decision) {
            return switch (decision) {
                case APPROVE -> approve;
                case REJECT -> reject;
                case REQUEST_CHANGES -> requestChanges;
            };
        }
    }

    private final SignedLinks links;
    private final Duration lifetime;
    private final Clock clock;

    /** @param lifetime how long links of an approval without an expiry work ({@code mailroute.approvals.link-lifetime}) */
    public DecisionLinks(SignedLinks links, Duration lifetime, Clock clock) {
        this.links = Objects.requireNonNull(links, "links");
        if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("a decision link's lifetime must be positive: " + lifetime);
        }
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /**
     * New links for an approver of a pending approval, for the request email (and a push): call it once per approver
     * and message, as each call issues new tokens.
     *
     * @param approver the address the request goes to, as the approval lists it
     * @throws IllegalStateException    when the approval is no longer pending or has expired (nothing to decide)
     * @throws IllegalArgumentException for an approver that no link may carry (empty, too long, control characters)
     */
    public Urls forApprover(Approval approval, String approver) {
        if (!approval.pending()) {
            throw new IllegalStateException("approval " + approval.id() + " is " + approval.state() + ": no decision links");
        }
        return forApprover(approval.id(), approval.expiresAt(), approver);
    }

    /**
     * The same from what {@code approval.requested} carries ({@code approvalId}, {@code expiresAt}, one of
     * {@code askNow}), for a subscriber that has the event rather than the approval.
     *
     * @param expiresAt the approval's expiry, or null when it has none
     * @throws IllegalStateException when the approval has expired
     */
    public Urls forApprover(long approvalId, Instant expiresAt, String approver) {
        Instant now = clock.instant();
        Instant until = expiresAt != null ? expiresAt : now.plus(lifetime);
        if (!until.isAfter(now.plusSeconds(1))) {
            throw new IllegalStateException("approval " + approvalId + " expires at " + until + ": no decision links");
        }
        String subject = Long.toString(approvalId);
        return new Urls(url(subject, approver, until, Decision.APPROVE), url(subject, approver, until, Decision.REJECT),
                url(subject, approver, until, Decision.REQUEST_CHANGES));
    }

    private String url(String subject, String approver, Instant expiresAt, Decision decision) {
        String token = links.issue(PURPOSE, subject, approver, expiresAt, true);
        return links.url(PAGE_PATH, token) + "&" + DECISION_PARAMETER + "=" + decision.wireName();
    }
}

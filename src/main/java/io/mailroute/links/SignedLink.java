package io.mailroute.links;

import java.time.Instant;
import java.util.Objects;

/**
 * A link whose signature has been checked: every field is what this service signed when it issued the link.
 * Only {@link SignedLinks} makes these (from a token it verified), so holding one means the token was genuine,
 * of the purpose asked for, and, when it was handed out by {@link SignedLinks#verify}, unexpired and unused.
 */
public final class SignedLink {

    private final String linkId;
    private final String purpose;
    private final String subjectId;
    private final String recipient;
    private final Instant expiresAt;
    private final boolean singleUse;
    private final String keyId;

    SignedLink(String linkId, String purpose, String subjectId, String recipient, Instant expiresAt, boolean singleUse,
            String keyId) {
        this.linkId = linkId;
        this.purpose = purpose;
        this.subjectId = subjectId;
        this.recipient = recipient;
        this.expiresAt = expiresAt;
        this.singleUse = singleUse;
        this.keyId = keyId;
    }

    /** The link's own random 128-bit id, 32 hex digits: what {@link SignedLinks#consume} records, unique per issued link. */
    public String linkId() {
        return linkId;
    }

    /** What the link is for, as given to {@link SignedLinks#issue}: {@code approval.decide}, {@code report.download} ... */
    public String purpose() {
        return purpose;
    }

    /** What the link is about: the id of the approval, report ... as given to {@link SignedLinks#issue}. */
    public String subjectId() {
        return subjectId;
    }

    /**
     * Whom the link was sent to, as given to {@link SignedLinks#issue}. Signed, so not forged; but it came from an
     * email address, so escape it like any other text when a page shows it.
     */
    public String recipient() {
        return recipient;
    }

    /** The link works strictly before this instant (whole seconds: issue rounds down). */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** Whether the link works once only: then its use is recorded with {@link SignedLinks#consume}. */
    public boolean singleUse() {
        return singleUse;
    }

    /** The fingerprint (8 hex digits) of the key that signed it: the current key or a previous one. */
    public String keyId() {
        return keyId;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SignedLink o && linkId.equals(o.linkId) && purpose.equals(o.purpose)
                && subjectId.equals(o.subjectId) && recipient.equals(o.recipient) && expiresAt.equals(o.expiresAt)
                && singleUse == o.singleUse && keyId.equals(o.keyId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(linkId, purpose, subjectId, recipient, expiresAt, singleUse, keyId);
    }

    /** Without the recipient: links are logged, and an address is personal data. */
    @Override
    public String toString() {
        return "SignedLink[" + purpose + " " + subjectId + ", id " + linkId + ", expires " + expiresAt
                + (singleUse ? ", single use" : "") + ", key " + keyId + "]";
    }
}

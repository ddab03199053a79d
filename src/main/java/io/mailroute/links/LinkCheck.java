package io.mailroute.links;

import java.time.Instant;
import java.util.Optional;

/**
 * What {@link SignedLinks#verify} found: a {@link Valid} link, or a {@link Refused} one with its reason. Use it as
 * <pre>{@code
 * LinkCheck check = links.verify(token, "approval.decide");
 * if (check instanceof LinkCheck.Refused refused) {
 *     return page(refused.reason() == Refusal.MALFORMED ? 400 : 410, refused.message());
 * }
 * SignedLink link = ((LinkCheck.Valid) check).link();
 * }</pre>
 */
public sealed interface LinkCheck permits LinkCheck.Valid, LinkCheck.Refused {

    /** True for {@link Valid}. */
    boolean isValid();

    /** A genuine link of the expected purpose, unexpired, and (if single-use) not used yet. */
    record Valid(SignedLink link) implements LinkCheck {
        @Override
        public boolean isValid() {
            return true;
        }
    }

    /**
     * A refused link.
     *
     * @param reason why
     * @param link   the link, only when its signature was good and it is of the expected purpose, i.e. for
     *               {@link Refusal#EXPIRED} and {@link Refusal#USED}: a page may then say what the link was about
     *               ("the approval of invoice 4711 was already decided"); empty for every other reason, since
     *               nothing in such a token can be trusted
     * @param usedAt when a {@link Refusal#USED} link was used; empty otherwise
     */
    record Refused(Refusal reason, Optional<SignedLink> link, Optional<Instant> usedAt) implements LinkCheck {

        static Refused because(Refusal reason) {
            return new Refused(reason, Optional.empty(), Optional.empty());
        }

        @Override
        public boolean isValid() {
            return false;
        }

        /** The sentence to show the person who opened the link ({@link Refusal#sentence()}). */
        public String message() {
            return reason.sentence();
        }
    }
}

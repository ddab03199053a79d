package io.mailroute.approvals;

import java.util.Objects;

/**
 * What {@link ReplyDecisionReader} made of a reply's words: a {@link Decided} decision with the approver's comment,
 * or {@link Unknown} with the first words it saw, for the answer that says it did not understand. It says nothing
 * about who sent the reply: that is {@link ReplyVerifier}'s question. Both strings come from the email, are
 * untrusted, bounded in length and free of control and bidirectional-override characters.
 */
public sealed interface ReplyReading permits ReplyReading.Decided, ReplyReading.Unknown {

    /** @param comment the rest of the reply after the decision words, trimmed; empty when there is none, never null */
    record Decided(ReplyDecision decision, String comment) implements ReplyReading {
        public Decided {
            Objects.requireNonNull(decision, "decision");
            comment = comment == null ? "" : comment;
        }
    }

    /** @param firstWords the start of the reply's own first line, one line, empty when the reply had no words of its own */
    record Unknown(String firstWords) implements ReplyReading {
        public Unknown {
            firstWords = firstWords == null ? "" : firstWords;
        }
    }
}

package io.mailroute.links;

/**
 * Why a signed link was refused, each with a sentence fit to show the person who opened it. The sentence
 * says what to do and never repeats anything from the link (a refused link's content is not to be trusted).
 */
public enum Refusal {

    /** Not a link this service could have made: cut short, garbled, or not a token at all. */
    MALFORMED("This link is incomplete or damaged. Open it again from the email, or copy the whole address into "
            + "your browser."),
    /** Signed with a key this service does not have (any more): rotated out, or another installation's. */
    UNKNOWN_KEY("This link is no longer valid: it was made with a signing key this service no longer accepts. "
            + "Ask the sender for a new link."),
    /** The signature does not match: something in the link was changed after it was made. */
    BAD_SIGNATURE("This link is not valid: it was changed after it was sent. Open it again from the original email."),
    /** A genuine link, but made for another page (a download link opened as a decision link, say). */
    WRONG_PURPOSE("This link is not meant for this page. Open it again from the email it came in."),
    /** A genuine link past its expiry. */
    EXPIRED("This link has expired. Ask the sender for a new one."),
    /** A genuine single-use link that has been used already. */
    USED("This link has already been used, and it works only once.");

    private final String sentence;

    Refusal(String sentence) {
        this.sentence = sentence;
    }

    /** What to show the person who opened the link: plain text, no HTML, nothing taken from the link. */
    public String sentence() {
        return sentence;
    }
}

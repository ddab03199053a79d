package io.mailroute.approvals;

/**
 * Why a reply to an approval request is not a decision, in the order {@link ReplyVerifier} checks, with the
 * sentence the sender is answered. The sentences name no address, id or verdict: they go to whatever the From
 * header says, which for a refused reply may be someone other than who wrote it.
 */
public enum ReplyRefusal {
    /** The reply is in another Gmail thread than the request. */
    NOT_IN_THREAD("Your reply is not in the conversation of the approval request, so it was not taken as a decision."
            + " Reply to the request email itself, or use its buttons."),
    /** Neither In-Reply-To nor References names the request's Message-ID. */
    NOT_A_REPLY_TO_THE_REQUEST("Your message does not answer the approval request email, so it was not taken as a decision."
            + " Reply to the request email itself, or use its buttons."),
    /** The From address is not one of the approvers who may decide now. */
    NOT_AN_APPROVER("Only the approvers this request is waiting for can decide it, and your address is not one of them,"
            + " so your reply was not taken as a decision."),
    /** Gmail's Authentication-Results vouch for no domain aligned with the From address (no dmarc=pass, no aligned dkim=pass). */
    NOT_AUTHENTICATED("Gmail could not confirm that your reply was sent from your address, so it was not taken as a decision."
            + " Please decide with the buttons in the request email."),
    /** The request has been decided already. */
    ALREADY_DECIDED("This request has already been decided, so your reply changed nothing."),
    /** The requester (no approver) wrote in the request's thread, e.g. to ask how it goes: kept, no decision. */
    FROM_REQUESTER("Your message was kept with your approval request; it does not decide it. Its approvers decide,"
            + " and you will be told in this conversation when they have.");

    private final String sentence;

    ReplyRefusal(String sentence) {
        this.sentence = sentence;
    }

    /** One short sentence for the person the answer goes to. */
    public String sentence() {
        return sentence;
    }
}

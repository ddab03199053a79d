package io.mailroute.triage;

/** What a triaged message becomes in the workflow. */
public enum ItemType {
    /** A case a person works on in a queue (support request, invoice, HR request ...). */
    CASE,
    /** A request somebody must approve or reject. */
    APPROVAL,
    /** An operational or security alert that is pushed to people at once. */
    ALERT,
    /** No item at all (newsletters and other bulk mail); the message is still stored and audited. */
    IGNORE
}

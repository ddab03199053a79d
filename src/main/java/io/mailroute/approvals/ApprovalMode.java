package io.mailroute.approvals;

import java.util.Locale;

/** How the approvers' decisions make the approval's outcome; see {@link ApprovalPolicy}. */
public enum ApprovalMode {
    /** The first decision decides. */
    ANY,
    /** Approved when every approver approves; the first reject or request for changes decides. */
    ALL,
    /** One approver after the other, in order; each approve asks the next, a reject ends it. */
    SEQUENCE,
    /** Approved once N approve; rejected once N approvals can no longer be reached. */
    QUORUM;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

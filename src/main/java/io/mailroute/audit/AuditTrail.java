package io.mailroute.audit;

import com.fasterxml.jackson.databind.JsonNode;

/** Where workflow changes are recorded for the audit trail, inside the change's transaction. */
@FunctionalInterface
public interface AuditTrail {
    void record(String action, String mailbox, String subjectRef, JsonNode details);
}

package io.mailroute.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.audit.AuditLog;
import io.mailroute.audit.AuditTrail;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventSchemas;
import io.mailroute.json.Json;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/** The real approvals, with the real event log, audit trail and workflow, for mailbox "accounts" of a test database. */
final class TestApprovals {

    private static final ObjectMapper JSON = Json.newMapper();

    private TestApprovals() {
    }

    /** @param approvalsYaml the approvals.yaml to load, written to {@code dir} */
    static Approvals on(Database db, Path dir, String approvalsYaml, ObjectMapper json, Clock clock) throws IOException {
        return world(db, dir, approvalsYaml, Set.of("accounts"), new AtomicBoolean(), json, clock).approvals();
    }

    /** The approvals and the workflow whose items they move. */
    record World(Workflow workflow, Approvals approvals) {
    }

    /**
     * @param mailboxes  the mailboxes of mailboxes.yaml
     * @param auditFails while set, the audit trail throws (a test of what commits together)
     */
    static World world(Database db, Path dir, String approvalsYaml, Set<String> mailboxes, AtomicBoolean auditFails,
            ObjectMapper json, Clock clock) throws IOException {
        EventLog events = new EventLog(db, json, clock);
        AuditLog auditLog = new AuditLog(db, json, clock);
        AuditTrail audit = (action, mailbox, ref, details) -> {
            if (auditFails.get()) {
                throw new IllegalStateException("audit trail unavailable");
            }
            auditLog.append(action, mailbox, ref, details);
        };
        Workflow workflow = new Workflow(db, events, new WorkflowStore(db), audit, json, clock);
        Path file = Files.writeString(dir.resolve("approvals.yaml"), approvalsYaml);
        return new World(workflow, new Approvals(db, events, audit, workflow, ApprovalsFile.load(file), mailboxes, json, clock));
    }

    /** An event's data object. */
    static JsonNode data(Event event) {
        try {
            return JSON.readTree(event.json()).get("data");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The events' types; every event looked at must also match its published schema. */
    static List<String> types(List<Event> events) {
        for (Event event : events) {
            try {
                EventSchemas.assertValid(event.type().startsWith("approval.") ? "approval-events.schema.json"
                        : "workflow-events.schema.json", JSON.readTree(event.json()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return events.stream().map(Event::type).toList();
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

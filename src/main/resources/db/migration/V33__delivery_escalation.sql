-- Escalation (issue 15, section 2): when an escalation timer fires it asks whether any delivery of its event was
-- opened or acted on (io.mailroute.escalation.Escalations). This index answers that from the index alone, and still
-- serves every lookup of an event's deliveries by its first column, so it replaces ix_delivery_event (V4).
CREATE INDEX ix_delivery_event_engagement ON delivery (event_id, opened_at, acted_at);
DROP INDEX ix_delivery_event;

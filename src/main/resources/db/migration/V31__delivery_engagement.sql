-- Engagement with a delivery (issue 15, section 1): whether its recipient opened it, acted on it (and with which
-- action), dismissed it, or ignored it (not opened by a deadline). Columns on delivery rather than a table of their
-- own: engagement is one-to-one with a delivery, and each fact is a time set once, so a conditional UPDATE
-- (... WHERE opened_at IS NULL) records it idempotently and atomically, with no insert race between two requests;
-- escalation and digests read a delivery and its engagement from one row, without a join. NULL = not (yet).
-- Forward-only like report_recipient: opened_at once, acted_at once with its action (acting also opens),
-- ignored_at only while never opened; nothing clears them.
ALTER TABLE delivery ADD COLUMN opened_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE delivery ADD COLUMN acted_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE delivery ADD COLUMN acted_action VARCHAR(64);
ALTER TABLE delivery ADD COLUMN dismissed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE delivery ADD COLUMN ignored_at TIMESTAMP WITH TIME ZONE;

-- The console's Overview reads the last day of mail, items and deliveries by time: without these each
-- of its queries would scan the whole table as it grows.
CREATE INDEX ix_mail_message_ingested ON mail_message (ingested_at);
CREATE INDEX ix_workflow_item_created ON workflow_item (created_at);
CREATE INDEX ix_delivery_created ON delivery (created_at);
CREATE INDEX ix_delivery_updated ON delivery (updated_at);

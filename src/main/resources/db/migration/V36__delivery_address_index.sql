-- Gmail read state as engagement (issue 15, section 1; io.mailroute.engagement.SentNotices): when a monitored
-- mailbox's history shows messages read, the intake first asks whether any email notice to that mailbox's address
-- is still unopened (delivery.address = the address), and fetches nothing when none is. That question comes with
-- every poll that sees a read, so it must not scan the delivery table: an index on address answers it.
CREATE INDEX ix_delivery_address ON delivery (address);

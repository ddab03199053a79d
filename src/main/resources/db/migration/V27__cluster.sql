-- Several instances on one PostgreSQL (issue 13). Columns that let a mailbox's poll, a subscription and a
-- delivery move between nodes safely; all NULL on a single instance until it polls, holds or claims.

-- A failed poll's backoff is durable: the node that polls next waits too (it was in one JVM's memory).
ALTER TABLE mailbox ADD COLUMN next_poll_at TIMESTAMP WITH TIME ZONE;
-- The node that polled the mailbox last, and since when (written when it changes).
ALTER TABLE mailbox ADD COLUMN owner_node VARCHAR(200);
ALTER TABLE mailbox ADD COLUMN owner_since TIMESTAMP WITH TIME ZONE;

-- The hold on a subscription: a fencing token (the Quartz fire that holds it), the node, since when.
-- Only the holder's acknowledgements move last_seq.
ALTER TABLE subscription_cursor ADD COLUMN holder VARCHAR(200);
ALTER TABLE subscription_cursor ADD COLUMN holder_node VARCHAR(200);
ALTER TABLE subscription_cursor ADD COLUMN held_since TIMESTAMP WITH TIME ZONE;
-- The event the subscriber keeps failing on and how often, so that max-attempts counts across nodes.
ALTER TABLE subscription_cursor ADD COLUMN failing_seq BIGINT;
ALTER TABLE subscription_cursor ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;

-- Each claim of a delivery gets a token; every later write of that attempt must carry it, so a worker
-- whose lease ran out can no longer overwrite the new owner's outcome.
ALTER TABLE delivery ADD COLUMN claim_token VARCHAR(64);
ALTER TABLE delivery ADD COLUMN claimed_by VARCHAR(200);

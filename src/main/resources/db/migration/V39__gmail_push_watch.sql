-- Gmail push (users.watch): each mailbox's current watch, kept so that renewal survives a restart and the
-- mailbox status can show it. NULL expires_at: no watch (push off, paused, disconnected, or not made yet).
ALTER TABLE mailbox ADD COLUMN watch_expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE mailbox ADD COLUMN watch_history_id VARCHAR(32);
-- when the current watch is due for renewal (from renewInterval and renewMargin)
ALTER TABLE mailbox ADD COLUMN watch_renew_at TIMESTAMP WITH TIME ZONE;
-- the last users.watch failure, said for a person; NULL once a watch is made
ALTER TABLE mailbox ADD COLUMN watch_error VARCHAR(1000);

-- Escalation: when an approval's time runs out unanswered and its policy names escalate-to, the backup
-- approvers are added to it (backup = TRUE) and asked; a backup's decision decides the approval by itself.
-- An approval with a backup approver has been escalated, which happens once.

ALTER TABLE approval_approver ADD COLUMN backup BOOLEAN DEFAULT FALSE NOT NULL;

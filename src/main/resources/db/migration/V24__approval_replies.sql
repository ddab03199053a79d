-- Replies to approval requests. A reply decides only when Gmail vouches for its From domain, so intake keeps
-- the domains Gmail's verdicts pass for (JSON arrays; the verdicts themselves are in dkim / dmarc already).
ALTER TABLE mail_message ADD COLUMN dkim_pass_domains TEXT;
ALTER TABLE mail_message ADD COLUMN dmarc_pass_domains TEXT;

-- Each received message that answered an approval email: what it came to, and whether its sender was answered.
-- One row per message, so a redelivered reply is neither decided nor answered twice; a reply whose sender Gmail
-- could not vouch for is answered once per approval and sender (its From may be forged).
CREATE TABLE approval_reply (
    message_id   BIGINT        PRIMARY KEY REFERENCES mail_message (id),
    approval_id  BIGINT        NOT NULL REFERENCES approval (id),
    sender       VARCHAR(320),                          -- the From address as written (untrusted)
    outcome      VARCHAR(32)   NOT NULL,                -- DECIDED, or why not: NOT_IN_THREAD ... UNKNOWN_WORDS
    answered     BOOLEAN       NOT NULL,                -- an approval.reply-refused answer went out
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_approval_reply_approval ON approval_reply (approval_id, outcome);

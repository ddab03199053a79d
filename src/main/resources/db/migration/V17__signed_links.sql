-- Signed links (io.mailroute.links): a single-use link is used once its id is here. The primary key
-- decides between two requests that use the same link at once; the row is written in the same
-- transaction as what the link did (a decision, an acknowledgement), so both commit or neither does.

CREATE TABLE link_use (
    link_id    VARCHAR(32)   NOT NULL PRIMARY KEY,    -- hex of the link's random 128-bit id
    purpose    VARCHAR(32)   NOT NULL,                -- what the link was for: approval.decide, report.download ...
    subject_id VARCHAR(200)  NOT NULL,                -- what it was about: the approval's, report's ... id
    recipient  VARCHAR(254)  NOT NULL,                -- whom it was sent to (an email address)
    key_id     VARCHAR(8)    NOT NULL,                -- fingerprint of the key that signed it
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,     -- after this the link is refused anyway: the row may go
    used_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX link_use_subject ON link_use (purpose, subject_id);
CREATE INDEX link_use_expires ON link_use (expires_at);

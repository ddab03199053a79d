-- Connection lifecycle: each mailbox's OAuth grant, encrypted at rest, and where outbound mail
-- actually went from when its own mailbox was disconnected.

CREATE TABLE mailbox_token (
    mailbox_id   VARCHAR(64)   PRIMARY KEY REFERENCES mailbox (id),
    client_id    VARCHAR(512)  NOT NULL,
    scopes       VARCHAR(2000) NOT NULL,              -- space-separated, as the token endpoint granted them
    key_id       VARCHAR(16)   NOT NULL,              -- fingerprint of the encrypting key: tells a wrong key from damage
    ciphertext   TEXT          NOT NULL,              -- AES-256-GCM of the refresh token, bound to mailbox_id
    version      BIGINT        NOT NULL,              -- bumped on every connect: a running service picks up the new grant
    connected_at TIMESTAMP WITH TIME ZONE NOT NULL,
    refreshed_at TIMESTAMP WITH TIME ZONE             -- last access token obtained with it
);

-- When the history cursor was last obtained from Gmail (Gmail keeps history for about a week).
ALTER TABLE mailbox ADD COLUMN cursor_at TIMESTAMP WITH TIME ZONE;

-- The sender an email actually went from when it was not the channel's own mailbox (the fallback sender).
ALTER TABLE delivery ADD COLUMN sent_via VARCHAR(512);

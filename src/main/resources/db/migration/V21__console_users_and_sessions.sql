-- Console users and their sessions (issue 12). A local user has an Argon2id password hash (PHC string);
-- a Google user has none and signs in with Google (its name is its email). Disabled users keep their row,
-- so the audit trail's names stay meaningful, and cannot sign in; their sessions stop working at once.

CREATE TABLE console_user (
    name          VARCHAR(254)  NOT NULL PRIMARY KEY,  -- a local name, or a Google user's email
    role          VARCHAR(16)   NOT NULL,              -- viewer, operator or admin
    sign_in       VARCHAR(16)   NOT NULL,              -- password or google
    password_hash VARCHAR(256),                        -- $argon2id$v=19$m=...,t=...,p=...$salt$hash; null for google
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by    VARCHAR(128)  NOT NULL,
    disabled_at   TIMESTAMP WITH TIME ZONE,
    CONSTRAINT console_user_role CHECK (role IN ('viewer', 'operator', 'admin')),
    CONSTRAINT console_user_sign_in CHECK (sign_in IN ('password', 'google')),
    CONSTRAINT console_user_password CHECK ((sign_in = 'password') = (password_hash IS NOT NULL))
);

-- A session: only the SHA-256 of its id is kept (the id is 256 random bits, in the cookie alone).
-- Rows, not memory, so several instances on one database share them.
CREATE TABLE console_session (
    id_hash      VARCHAR(64)   NOT NULL PRIMARY KEY,   -- hex SHA-256 of the session id
    user_name    VARCHAR(254)  NOT NULL REFERENCES console_user (name),
    role         VARCHAR(16)   NOT NULL,               -- the role signed in with; a user's lowered role lowers it
    signed_in_by VARCHAR(16)   NOT NULL,               -- password or google
    csrf_token   VARCHAR(64)   NOT NULL,               -- the token every form of the session carries
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX console_session_user ON console_session (user_name);
CREATE INDEX console_session_created ON console_session (created_at);

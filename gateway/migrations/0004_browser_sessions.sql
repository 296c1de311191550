-- Browser sessions (POST /api/v1/auth/session): the cookie's token names one of these rows;
-- signing out deletes it, which ends that session even if its cookie was copied.
CREATE TABLE browser_sessions (
    id          text PRIMARY KEY,
    username    text NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX browser_sessions_expires ON browser_sessions (expires_at);

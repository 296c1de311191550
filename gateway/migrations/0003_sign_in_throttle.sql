-- Failed sign-ins per key ("account:<username>" or "client:<address>"), shared by every
-- gateway process. blocked_until: no password is checked for that key before then (429).
-- A row whose last failure is older than the window is forgotten (and deleted in passing).
CREATE TABLE sign_in_throttle (
    key              text PRIMARY KEY,
    failures         integer NOT NULL,
    last_failure_at  timestamptz NOT NULL,
    blocked_until    timestamptz
);
CREATE INDEX sign_in_throttle_last_failure ON sign_in_throttle (last_failure_at);

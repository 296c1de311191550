-- Accounts that sign in to the gateway. subject: the deputy code or department code the
-- account acts as (NULL for staff and admin).
CREATE TABLE accounts (
    username       text PRIMARY KEY,
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('deputy', 'department', 'staff', 'admin')),
    subject        text,
    display_name   text NOT NULL DEFAULT '',
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now()
);

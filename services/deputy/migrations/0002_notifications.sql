-- Deputies' notification inbox, filled from suggestion events (one row per entitled deputy
-- per event), and the e-mail copy of each row, sent by a background sender.
CREATE TABLE notifications (
    id                   bigserial PRIMARY KEY,
    deputy_code          text NOT NULL,
    event_id             text NOT NULL,
    event_type           text NOT NULL,
    suggestion_id        text,
    suggestion_number    text,
    subject              text NOT NULL,
    body                 text NOT NULL,
    occurred_at          timestamptz NOT NULL DEFAULT now(),
    created_at           timestamptz NOT NULL DEFAULT now(),
    read_at              timestamptz,
    -- e-mail copy: none (no address), skipped (SMTP not configured), pending, sent, failed
    email_to             text,
    email_status         text NOT NULL DEFAULT 'none'
                         CHECK (email_status IN ('none', 'skipped', 'pending', 'sent', 'failed')),
    email_attempts       integer NOT NULL DEFAULT 0,
    email_next_attempt   timestamptz,
    email_sent_at        timestamptz,
    email_last_error     text,
    -- redelivery of an event never makes a second row for the same deputy
    CONSTRAINT notifications_one_per_event_and_deputy UNIQUE (event_id, deputy_code)
);
CREATE INDEX notifications_inbox ON notifications (deputy_code, id DESC);
CREATE INDEX notifications_unread ON notifications (deputy_code) WHERE read_at IS NULL;
CREATE INDEX notifications_email_due ON notifications (email_next_attempt, id) WHERE email_status = 'pending';

-- Webhooks of departments and their delivery log (services/webhooks).
CREATE TABLE webhooks (
    id            uuid PRIMARY KEY,
    department    text NOT NULL,
    url           text NOT NULL,
    events        text[] NOT NULL DEFAULT '{}',     -- event types to send; empty = all
    description   text NOT NULL DEFAULT '',
    secret_salt   text NOT NULL,                    -- secret = HMAC(WEBHOOK_SIGNING_SECRET, id:salt), never stored
    created_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz
);
CREATE INDEX webhooks_active ON webhooks (department) WHERE deleted_at IS NULL;

-- One row per (webhook, event): written in the consumer's transaction, delivered by workers.
CREATE TABLE deliveries (
    id               uuid PRIMARY KEY,
    webhook_id       uuid NOT NULL REFERENCES webhooks (id),
    department       text NOT NULL,
    event_id         text NOT NULL,
    event_type       text NOT NULL,
    body             text NOT NULL,                 -- the envelope exactly as received
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'cancelled')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    lease_token      uuid,
    last_status_code integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries (department, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_log ON deliveries (department, created_at DESC);

CREATE TABLE delivery_attempts (
    delivery_id  uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt      integer NOT NULL,
    started_at   timestamptz NOT NULL,
    duration_ms  double precision NOT NULL,
    status_code  integer,
    error        text,
    PRIMARY KEY (delivery_id, attempt)
);

-- Liaison-station reception days (接待选民) and voters' opinions (选民意见), issue 13.
CREATE TABLE receptions (
    id            bigserial PRIMARY KEY,
    station_code  text NOT NULL REFERENCES stations (code),
    held_on       date NOT NULL,
    starts_at     text NOT NULL DEFAULT '09:00',
    ends_at       text NOT NULL DEFAULT '12:00',
    deputies      text[] NOT NULL,
    note          text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held')),
    sat           text[] NOT NULL DEFAULT '{}',
    created_by    text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX receptions_station ON receptions (station_code, held_on DESC);

CREATE TABLE opinions (
    id                 bigserial PRIMARY KEY,
    tracking_code      text NOT NULL UNIQUE,
    station_code       text NOT NULL REFERENCES stations (code),
    content            text NOT NULL,
    category           text,
    name               text,
    contact            text,
    status             text NOT NULL DEFAULT 'received',
    assigned_deputy    text,
    answer             text,
    forwarded_to       text,
    department         text,
    decline_reason     text,
    suggestion_id      text,
    suggestion_number  text,
    history            jsonb NOT NULL DEFAULT '[]',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX opinions_station ON opinions (station_code, id DESC);
CREATE INDEX opinions_suggestion ON opinions (suggestion_id) WHERE suggestion_id IS NOT NULL;

-- Read model of the deputy roster, fed by deputy_registered / deputy_updated events
-- (kernel/deputy_directory.py). applied_count lets tests prove each change applied once.
CREATE TABLE deputy_directory (
    code           text PRIMARY KEY,
    name           text NOT NULL,
    level          text NOT NULL,
    town           text NOT NULL,
    station_code   text,
    term           integer,
    status         text NOT NULL,
    version        integer NOT NULL,
    applied_count  integer NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Deputy roster and the 1 + 10 + 40 liaison-station hierarchy.
CREATE TABLE stations (
    code           text PRIMARY KEY,
    name           text NOT NULL,
    level          text NOT NULL CHECK (level IN ('county', 'town', 'village')),
    town           text,
    parent_code    text REFERENCES stations (code),
    address        text NOT NULL DEFAULT '',
    reception_day  text NOT NULL DEFAULT ''
);

CREATE SEQUENCE deputy_number_seq;

CREATE TABLE deputies (
    code          text PRIMARY KEY,
    name          text NOT NULL,
    gender        text NOT NULL CHECK (gender IN ('male', 'female')),
    ethnicity     text NOT NULL,
    birth_year    integer NOT NULL,
    level         text NOT NULL CHECK (level IN ('county', 'town')),
    town          text NOT NULL,
    station_code  text NOT NULL REFERENCES stations (code),
    term          integer NOT NULL,
    occupation    text NOT NULL DEFAULT '',
    phone         text UNIQUE,
    email         text,
    status        text NOT NULL CHECK (status IN ('active', 'inactive')),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deputies_level_town ON deputies (level, town);
CREATE INDEX deputies_station ON deputies (station_code);
CREATE INDEX deputies_name_trgm ON deputies USING gin (name gin_trgm_ops);

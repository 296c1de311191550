-- Deputies' duty records (履职档案, issue 13): entries that fill themselves from events, each
-- the evidence of the points it earns; the scoring scheme per year (versioned); activities
-- staff record (inspections, research, training, ...).

-- One entry per deputy per piece of evidence (a meeting, a suggestion, an activity, a
-- reception): applying any event again, or in another order, upserts the same row.
CREATE TABLE duty_entries (
    id             bigserial PRIMARY KEY,
    deputy_code    text NOT NULL,
    year           integer NOT NULL,
    rule           text NOT NULL,
    part           text NOT NULL,
    evidence_kind  text NOT NULL CHECK (evidence_kind IN ('meeting', 'suggestion', 'activity', 'reception')),
    evidence_id    text NOT NULL,
    evidence_ref   text,
    title          text NOT NULL DEFAULT '',
    occurred_on    date,
    detail         jsonb NOT NULL DEFAULT '{}',
    public         boolean NOT NULL DEFAULT true,
    void           boolean NOT NULL DEFAULT false,
    event_id       text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT duty_entries_one_per_evidence UNIQUE (deputy_code, evidence_kind, evidence_id)
);
CREATE INDEX duty_entries_deputy_year ON duty_entries (deputy_code, year);
CREATE INDEX duty_entries_year_rule ON duty_entries (year, rule) WHERE NOT void;

-- What the voting service told about meetings (kind, title, date), for sign-ins.
CREATE TABLE duty_meetings (
    meeting_id  text PRIMARY KEY,
    kind        text NOT NULL,
    title       text NOT NULL,
    starts_at   timestamptz NOT NULL
);

-- The scoring scheme of a year (no row: the defaults); every change is kept.
CREATE TABLE duty_schemes (
    year        integer NOT NULL,
    version     integer NOT NULL,
    scheme      jsonb NOT NULL,
    updated_by  text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, version)
);

CREATE TABLE activities (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL,
    title         text NOT NULL,
    held_on       date NOT NULL,
    description   text NOT NULL DEFAULT '',
    participants  text[] NOT NULL,
    published     boolean NOT NULL DEFAULT true,
    recorded_by   text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_held_on ON activities (held_on DESC, id DESC);

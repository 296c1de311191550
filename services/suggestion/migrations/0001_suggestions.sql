-- Suggestion handling (代表建议办理): suggestions, their deputies, per-department assignments,
-- the timeline, numbering counters, departments and routing rules.
CREATE TABLE departments (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    short_name  text NOT NULL DEFAULT '',
    keywords    text[] NOT NULL DEFAULT '{}',
    active      boolean NOT NULL DEFAULT true
);

-- One row per numbering series ("19-3" = term 19, 3rd session; "19-B" = between sessions);
-- incremented in the filing transaction (row lock), so numbers never collide.
CREATE TABLE suggestion_counters (
    series  text PRIMARY KEY,
    last    integer NOT NULL DEFAULT 0
);

CREATE TABLE suggestions (
    id                text PRIMARY KEY,
    number            text NOT NULL UNIQUE,
    term              integer NOT NULL,
    session           integer,               -- NULL: filed between sessions
    title             text NOT NULL,
    content           text NOT NULL,
    category          text NOT NULL,
    lead_deputy       text NOT NULL,
    status            text NOT NULL,
    difficult         boolean NOT NULL DEFAULT false,
    key_supervision   boolean NOT NULL DEFAULT false,
    reject_reason     text,
    reject_note       text,
    merged_into       text REFERENCES suggestions (id),
    awaiting_reassignment boolean NOT NULL DEFAULT false,
    rehandling_round  integer NOT NULL DEFAULT 0,
    satisfaction      text CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
    evaluation_comment text,
    filed_by          jsonb NOT NULL,
    submitted_at      timestamptz NOT NULL,
    accepted_at       timestamptz,
    assigned_at       timestamptz,
    replied_at        timestamptz,
    evaluated_at      timestamptz,
    closed_at         timestamptz,
    updated_at        timestamptz NOT NULL,
    version           integer NOT NULL DEFAULT 1
);
CREATE INDEX suggestions_status ON suggestions (status);
CREATE INDEX suggestions_lead ON suggestions (lead_deputy);
CREATE INDEX suggestions_category ON suggestions (category);
CREATE INDEX suggestions_term ON suggestions (term, session);
CREATE INDEX suggestions_text_trgm ON suggestions USING gin ((title || ' ' || content) gin_trgm_ops);

-- Every deputy entitled to hear about and evaluate a suggestion: its lead ('lead'),
-- co-signers ('co_signer') and the deputies of suggestions merged into it ('merged').
CREATE TABLE suggestion_deputies (
    suggestion_id  text NOT NULL REFERENCES suggestions (id),
    deputy_code    text NOT NULL,
    role           text NOT NULL CHECK (role IN ('lead', 'co_signer', 'merged')),
    via            text,                          -- the merged suggestion it came from
    PRIMARY KEY (suggestion_id, deputy_code)
);
CREATE INDEX suggestion_deputies_deputy ON suggestion_deputies (deputy_code);

-- One row per department per assignment (a returned one stays, inactive).
CREATE TABLE assignments (
    id                   bigserial PRIMARY KEY,
    suggestion_id        text NOT NULL REFERENCES suggestions (id),
    department           text NOT NULL REFERENCES departments (code),
    role                 text NOT NULL CHECK (role IN ('lead', 'co', 'separate')),
    status               text NOT NULL CHECK (status IN ('assigned', 'acknowledged', 'extension_requested',
                                                         'returned', 'view_sent', 'replied', 'withdrawn')),
    active               boolean NOT NULL DEFAULT true,
    assigned_at          timestamptz NOT NULL,
    due_date             date NOT NULL,
    latest_due_date      date NOT NULL,          -- never past 6 months from assignment
    acknowledged_at      timestamptz,
    returned_at          timestamptz,
    return_reason        text,
    extension_status     text CHECK (extension_status IN ('requested', 'approved', 'denied')),
    extension_due_date   date,
    extension_reason     text,
    view_content         text,
    view_sent_at         timestamptz,
    reply_category       text CHECK (reply_category IN ('A', 'B', 'C')),
    reply_content        text,
    replied_at           timestamptz,
    followup_content     text,
    followed_up_at       timestamptz,
    due_soon_notified_at timestamptz,
    overdue_notified_at  timestamptz,
    updated_at           timestamptz NOT NULL
);
CREATE INDEX assignments_suggestion ON assignments (suggestion_id);
CREATE INDEX assignments_department ON assignments (department, active);
CREATE INDEX assignments_open_due ON assignments (due_date)
    WHERE active AND status IN ('assigned', 'acknowledged', 'extension_requested');

-- The timeline: every transition, in order.
CREATE TABLE suggestion_timeline (
    id             bigserial PRIMARY KEY,
    suggestion_id  text NOT NULL REFERENCES suggestions (id),
    event_type     text NOT NULL,
    status         text NOT NULL,
    actor          jsonb NOT NULL,
    department     text,
    details        jsonb NOT NULL DEFAULT '{}',
    event_id       text,
    occurred_at    timestamptz NOT NULL
);
CREATE INDEX suggestion_timeline_suggestion ON suggestion_timeline (suggestion_id, id);

-- Routing: category and/or keywords -> department with a role and a weight.
CREATE TABLE routing_rules (
    id          bigserial PRIMARY KEY,
    category    text,                         -- NULL: any category
    keywords    text[] NOT NULL DEFAULT '{}', -- empty: category alone
    department  text NOT NULL REFERENCES departments (code),
    role        text NOT NULL DEFAULT 'lead' CHECK (role IN ('lead', 'co', 'separate')),
    weight      numeric NOT NULL DEFAULT 1,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routing_rules_category ON routing_rules (category) WHERE active;

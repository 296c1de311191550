-- Meetings, attendance, agenda items and the append-only ballot box of the voting service.
CREATE TABLE meetings (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL,
    title       text NOT NULL,
    starts_at   timestamptz NOT NULL,
    chair       text,
    created_by  text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Members (may vote) and observers (列席, may not); present = signed in now.
CREATE TABLE meeting_members (
    meeting_id    bigint NOT NULL REFERENCES meetings(id),
    deputy_id     text NOT NULL,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('member', 'observer')),
    present       boolean NOT NULL DEFAULT false,
    signed_in_at  timestamptz,
    signed_in_by  text,
    ever_present  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (meeting_id, deputy_id)
);
CREATE INDEX meeting_members_deputy ON meeting_members (deputy_id);

-- Every sign-in and sign-out (by = staff username when on the member's behalf).
CREATE TABLE attendance_log (
    id          bigserial PRIMARY KEY,
    meeting_id  bigint NOT NULL REFERENCES meetings(id),
    deputy_id   text NOT NULL,
    action      text NOT NULL CHECK (action IN ('in', 'out')),
    by_user     text,
    at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE items (
    id            bigserial PRIMARY KEY,
    meeting_id    bigint NOT NULL REFERENCES meetings(id),
    position      integer NOT NULL,
    kind          text NOT NULL,
    title         text NOT NULL,
    mode          text NOT NULL,
    candidates    jsonb NOT NULL DEFAULT '[]',
    merged        boolean NOT NULL DEFAULT false,
    amends        bigint REFERENCES items(id),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'open', 'closed')),
    expected      integer,
    present_at_open integer,
    threshold     integer,
    opened_at     timestamptz,
    closed_at     timestamptz,
    manual_tally  jsonb,
    result        jsonb,
    digest        text,
    tally_seq     integer NOT NULL DEFAULT 0,
    last_tally    jsonb,
    UNIQUE (meeting_id, position)
);
CREATE INDEX items_open ON items (status) WHERE status = 'open';

-- The entitled voters of an item, snapshot when it opens (N = count), with the token their
-- ballots carry: the member code on named items, a per-item HMAC pseudonym on secret ones.
CREATE TABLE item_electorate (
    item_id    bigint NOT NULL REFERENCES items(id),
    deputy_id  text NOT NULL,
    token      text NOT NULL,
    PRIMARY KEY (item_id, deputy_id),
    UNIQUE (item_id, token)
);

-- The ballot box: append-only. leaf_hash = sha256('renda-ballot-v1|item|id|token|choice|nonce').
CREATE TABLE ballots (
    id         bigserial PRIMARY KEY,
    item_id    bigint NOT NULL REFERENCES items(id),
    token      text NOT NULL,
    choice     text NOT NULL,
    nonce      text NOT NULL,
    leaf_hash  text NOT NULL UNIQUE,
    cast_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ballots_item ON ballots (item_id, id);

CREATE FUNCTION ballots_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ballot log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER ballots_no_update BEFORE UPDATE OR DELETE ON ballots
    FOR EACH ROW EXECUTE FUNCTION ballots_append_only();
CREATE TRIGGER ballots_no_truncate BEFORE TRUNCATE ON ballots
    FOR EACH STATEMENT EXECUTE FUNCTION ballots_append_only();

-- Each voter's latest ballot (what the running tally counts); the log above is the record.
CREATE TABLE current_choices (
    item_id    bigint NOT NULL,
    token      text NOT NULL,
    ballot_id  bigint NOT NULL,
    choice     text NOT NULL,
    PRIMARY KEY (item_id, token)
);

-- Interim Merkle roots of an open item's ballot log (taken by the ticker about once a second
-- while ballots arrive, under the box lock so that every ballot id up to last_seq is final):
-- published in tally_updated and in the audit, checked by the recount tool.
CREATE TABLE ballot_checkpoints (
    id        bigserial PRIMARY KEY,
    item_id   bigint NOT NULL REFERENCES items(id),
    ballots   integer NOT NULL,
    last_seq  bigint NOT NULL,
    root      text NOT NULL,
    taken_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ballot_checkpoints_item ON ballot_checkpoints (item_id, id);

-- Quarters whose statistics went out as ``suggestion_quarter_closed`` (issue 12): the row is
-- inserted in the same transaction as the outbox row, ON CONFLICT DO NOTHING, so only the one
-- replica that inserted it emits the event, once per quarter, across restarts.
CREATE TABLE closed_quarters (
    year       integer NOT NULL,
    quarter    smallint NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    closed_at  timestamptz NOT NULL,
    PRIMARY KEY (year, quarter)
);

-- Secret ballots that stay secret (issue 8).
--
-- While a secret item is open, item_electorate.token (a random pseudonym drawn per member
-- when the item opens) is the only link from a member to a ballot. Closing the item SEALS
-- the box: the counted ballot of each pseudonym moves to sealed_ballots (inserted in
-- pseudonym order, no sequence number, no time), the arrival-ordered log and the current
-- choices of the item are deleted, and the electorate keeps only whether each member voted.
-- After that no row in the database joins a member to a ballot.

ALTER TABLE items ADD COLUMN sealed boolean NOT NULL DEFAULT false;
ALTER TABLE item_electorate ALTER COLUMN token DROP NOT NULL;
ALTER TABLE item_electorate ADD COLUMN voted boolean NOT NULL DEFAULT false;
UPDATE item_electorate e SET voted = true
    WHERE EXISTS (SELECT 1 FROM ballots b WHERE b.item_id = e.item_id AND b.token = e.token);

-- The counted ballots of a closed secret item, one per pseudonym. Leaf:
-- sha256('renda-ballot-v2|item|token|choice|nonce'); the digest is the Merkle root over the
-- leaves in token order. Append-only like the log.
CREATE TABLE sealed_ballots (
    item_id    bigint NOT NULL REFERENCES items(id),
    token      text NOT NULL,
    choice     text NOT NULL,
    nonce      text NOT NULL,
    leaf_hash  text NOT NULL UNIQUE,
    PRIMARY KEY (item_id, token)
);
CREATE TRIGGER sealed_ballots_no_update BEFORE UPDATE OR DELETE ON sealed_ballots
    FOR EACH ROW EXECUTE FUNCTION ballots_append_only();
CREATE TRIGGER sealed_ballots_no_truncate BEFORE TRUNCATE ON sealed_ballots
    FOR EACH STATEMENT EXECUTE FUNCTION ballots_append_only();

-- The log stays append-only; the one exception is sealing: the rows of a sealed item (a
-- closed secret item whose counted ballots are in sealed_ballots, under the digest
-- published at close) may be deleted.
CREATE FUNCTION ballots_sealing_only() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM items i WHERE i.id = OLD.item_id AND i.sealed AND i.status = 'closed') THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'the ballot log is append-only (% refused)', TG_OP;
END $$;
DROP TRIGGER ballots_no_update ON ballots;
CREATE TRIGGER ballots_no_update BEFORE UPDATE OR DELETE ON ballots
    FOR EACH ROW EXECUTE FUNCTION ballots_sealing_only();

-- Secret items closed before this migration keep their published log (their digest covers
-- it; they are not sealed), but lose the member-to-pseudonym table.
UPDATE item_electorate e SET token = NULL
    FROM items i WHERE i.id = e.item_id AND i.mode = 'secret' AND i.status = 'closed';

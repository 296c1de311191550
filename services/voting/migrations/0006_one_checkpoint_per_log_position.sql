-- Every replica of the voting service runs the tally ticker, and two may take the same
-- checkpoint at once (both read the last one before either has written its own). A position
-- of the log (last_seq) is one set of ballots, so it gets one row: the ticker inserts with
-- ON CONFLICT DO NOTHING. Rows a second ticker may already have doubled are dropped first.
DELETE FROM ballot_checkpoints later
 USING ballot_checkpoints earlier
 WHERE later.item_id = earlier.item_id AND later.last_seq = earlier.last_seq AND later.id > earlier.id;
CREATE UNIQUE INDEX ballot_checkpoints_one_per_position ON ballot_checkpoints (item_id, last_seq);

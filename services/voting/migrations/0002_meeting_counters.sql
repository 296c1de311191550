-- The live present count: kept on the meeting row in the sign-in/out transaction, so each
-- member_signed_in/out event carries the exact count (concurrent sign-ins are ordered by the
-- row lock, held only from this UPDATE to commit).
ALTER TABLE meetings ADD COLUMN member_count integer NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN present_count integer NOT NULL DEFAULT 0;
UPDATE meetings m SET
    member_count = (SELECT count(*) FROM meeting_members x WHERE x.meeting_id = m.id AND x.role = 'member'),
    present_count = (SELECT count(*) FROM meeting_members x WHERE x.meeting_id = m.id AND x.role = 'member'
                     AND x.present);

-- Leave of absence (请假) and the end of a meeting (issue 13): a member asks for leave with a
-- reason, staff approve or deny; ending the meeting settles every member's attendance as
-- present, absent with approved leave or absent without leave (what the duty record counts).
ALTER TABLE meetings ADD COLUMN ended_at timestamptz;
ALTER TABLE meetings ADD COLUMN ended_by text;

CREATE TABLE leave_requests (
    meeting_id    bigint NOT NULL REFERENCES meetings(id),
    deputy_id     text NOT NULL,
    reason        text NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    decided_by    text,
    decided_at    timestamptz,
    note          text,
    PRIMARY KEY (meeting_id, deputy_id)
);

-- The settled attendance of an ended meeting, one row per member.
CREATE TABLE attendance_outcomes (
    meeting_id  bigint NOT NULL REFERENCES meetings(id),
    deputy_id   text NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('present', 'leave', 'absent')),
    PRIMARY KEY (meeting_id, deputy_id)
);

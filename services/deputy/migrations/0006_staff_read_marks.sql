-- The staff's inbox is one shared list of rows (deputy_code = 'staff'), but whether a notice has
-- been read is each staff member's own: one mark per (notification, reader = staff username).
-- A deputy's inbox keeps its marks in notifications.read_at (one reader per row).
-- Marks that staff rows carried before this table are the office's, nobody's in particular:
-- they are dropped, so every staff member sees those notices unread once.
CREATE TABLE notification_reads (
    notification_id  bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    reader           text NOT NULL,
    read_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (reader, notification_id)
);
UPDATE notifications SET read_at = NULL WHERE deputy_code = 'staff' AND read_at IS NOT NULL;

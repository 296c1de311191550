-- The budget alert a staff-inbox notification is about (budget_alert_raised), so the console can
-- link to the alert; rows written before this column read the id back from the body's 预警编号.
ALTER TABLE notifications ADD COLUMN alert_id text;
UPDATE notifications SET alert_id = substring(body from '预警编号 ([0-9]+)')
 WHERE event_type = 'budget_alert_raised' AND alert_id IS NULL;

-- Portal roles (issue 12): editor (writes articles for the portal) and town (a town's
-- information reporter, account town-<code>, subject = the town code).
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
    CHECK (role IN ('deputy', 'department', 'staff', 'admin', 'editor', 'town'));

-- Budget units (预算单位) sign in as role 'unit' with subject = the unit code (issue 11).
-- The constraint is replaced whole; it lists the roles other areas add too ('town' reporters,
-- 'editor'), so the order in which such migrations run does not matter.
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
    CHECK (role IN ('deputy', 'department', 'staff', 'admin', 'unit', 'town', 'editor'));

-- A token carries the token_version of its account; deactivating the account, changing or
-- resetting its password bumps it, which revokes every token issued before.
-- subject_version: the deputy version whose status the account last followed (deputy accounts;
-- the deputy service's events may arrive late or out of order).
ALTER TABLE accounts ADD COLUMN token_version integer NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN subject_version integer;
CREATE INDEX accounts_role_subject ON accounts (role, subject);

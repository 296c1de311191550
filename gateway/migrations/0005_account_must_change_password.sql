-- An initial password issued by staff (POST /api/v1/deputies/{id}/account) must be replaced by the
-- deputy's own at the first sign-in: the sign-in and /me answer must_change_password until then.
ALTER TABLE accounts ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

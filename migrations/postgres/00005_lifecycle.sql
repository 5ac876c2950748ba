-- The rest of an invitation's life:
-- - an administrator can revoke a live invitation without deactivating the
--   person (revoke_reason 'revoked');
-- - organizations choose the language and time zone of their emails;
-- - each user has a language (BCP 47), copied from the organization's
--   default when none is given;
-- - who invited whom: the user view names the inviter of the latest
--   invitation and the listing filters by it, and deleting a user sets
--   created_by to NULL on their invitations: both look invites up by creator.

-- +goose Up
ALTER TABLE invites DROP CONSTRAINT invites_revoke_reason_valid;
ALTER TABLE invites ADD CONSTRAINT invites_revoke_reason_valid
    CHECK (revoke_reason IN ('superseded', 'password_set', 'email_changed', 'deactivated', 'revoked'));
CREATE INDEX invites_created_by ON invites (created_by) WHERE created_by IS NOT NULL;

ALTER TABLE organizations
    ADD COLUMN default_locale text NOT NULL DEFAULT 'en',
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
    ADD CONSTRAINT organizations_default_locale_length CHECK (length(default_locale) BETWEEN 2 AND 35),
    ADD CONSTRAINT organizations_time_zone_length CHECK (length(time_zone) BETWEEN 1 AND 64);

ALTER TABLE users
    ADD COLUMN locale text NOT NULL DEFAULT 'en',
    ADD CONSTRAINT users_locale_length CHECK (length(locale) BETWEEN 2 AND 35);

-- +goose Down
ALTER TABLE users DROP COLUMN locale;
ALTER TABLE organizations DROP COLUMN time_zone, DROP COLUMN default_locale;
DROP INDEX invites_created_by;
UPDATE invites SET revoke_reason = 'superseded' WHERE revoke_reason = 'revoked';
ALTER TABLE invites DROP CONSTRAINT invites_revoke_reason_valid;
ALTER TABLE invites ADD CONSTRAINT invites_revoke_reason_valid
    CHECK (revoke_reason IN ('superseded', 'password_set', 'email_changed', 'deactivated'));

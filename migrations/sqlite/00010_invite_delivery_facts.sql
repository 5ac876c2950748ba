-- The invitations' delivery facts: see the PostgreSQL migration of the same
-- number. Columns added after the rebuilds of the invites table (00005,
-- 00008), which would have dropped them.

-- +goose Up
ALTER TABLE invites ADD COLUMN recipient_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN last_emailed_at DATETIME;
ALTER TABLE invites ADD COLUMN job_id TEXT;

UPDATE invites SET
    recipient_domain = (SELECT substr(u.email, instr(u.email, '@') + 1) FROM users u WHERE u.id = invites.user_id),
    last_emailed_at = created_at;
UPDATE invites SET job_id = (SELECT j.job_id FROM bulk_job_items j WHERE j.invite_id = invites.id)
    WHERE id IN (SELECT invite_id FROM bulk_job_items WHERE invite_id IS NOT NULL);

CREATE INDEX invites_recent ON invites (organization_id, last_emailed_at);
CREATE INDEX invites_domain_recent ON invites (organization_id, recipient_domain, last_emailed_at DESC, delivery_status);

-- +goose Down
DROP INDEX invites_domain_recent;
DROP INDEX invites_recent;
ALTER TABLE invites DROP COLUMN job_id;
ALTER TABLE invites DROP COLUMN last_emailed_at;
ALTER TABLE invites DROP COLUMN recipient_domain;

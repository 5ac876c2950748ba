-- The invitations' delivery facts: the domain each was mailed to and when it
-- was last mailed, for the per-domain delivery report (GET /delivery/domains),
-- and the bulk job that created it. The recipient domain of an existing
-- invitation is the domain of its user's current address.

-- +goose Up
ALTER TABLE invites
    ADD COLUMN recipient_domain text NOT NULL DEFAULT '',
    ADD COLUMN last_emailed_at timestamptz,
    ADD COLUMN job_id uuid;

UPDATE invites i SET recipient_domain = split_part(u.email, '@', 2), last_emailed_at = i.created_at
    FROM users u WHERE u.id = i.user_id;
UPDATE invites i SET job_id = j.job_id FROM bulk_job_items j WHERE j.invite_id = i.id;

-- The report: an organization's invitations mailed since a time, and one
-- domain's, newest first, with their status at hand.
CREATE INDEX invites_recent ON invites (organization_id, last_emailed_at);
CREATE INDEX invites_domain_recent ON invites (organization_id, recipient_domain, last_emailed_at DESC)
    INCLUDE (delivery_status);

-- +goose Down
DROP INDEX invites_domain_recent;
DROP INDEX invites_recent;
ALTER TABLE invites DROP COLUMN job_id, DROP COLUMN last_emailed_at, DROP COLUMN recipient_domain;

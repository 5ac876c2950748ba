-- Deliverability and the invitation funnel, from stored facts (the
-- invitations' own facts follow in 00010):
-- - users.email_warnings: what the DNS check found about the address when
--   it was given (domain_has_no_mail_server), comma-separated;
-- - per person, the first invitation (when, by whom, from which bulk job),
--   the first delivery, the acceptance and the reminders sent, so that the
--   funnel (GET /insights/invitations) reads one index range of users
--   instead of grouping every invitation.
--
-- Existing rows are backfilled from the invitations.

-- +goose Up
ALTER TABLE users
    ADD COLUMN email_warnings text NOT NULL DEFAULT '',
    ADD COLUMN first_invited_at timestamptz,
    ADD COLUMN first_invited_by uuid,
    ADD COLUMN first_invite_job_id uuid,
    ADD COLUMN first_delivered_at timestamptz,
    ADD COLUMN accepted_at timestamptz,
    ADD COLUMN reminders_total integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT users_email_warnings_valid CHECK (email_warnings IN ('', 'domain_has_no_mail_server')),
    ADD CONSTRAINT users_reminders_total_positive CHECK (reminders_total >= 0);

UPDATE users u SET first_invited_at = f.created_at, first_invited_by = f.created_by,
    first_invite_job_id = (SELECT j.job_id FROM bulk_job_items j WHERE j.invite_id = f.id LIMIT 1)
    FROM invites f WHERE f.user_id = u.id AND f.sequence = 1;
UPDATE users u SET accepted_at = i.accepted_at FROM invites i WHERE i.user_id = u.id AND i.accepted_at IS NOT NULL;
UPDATE users u SET first_delivered_at = d.at
    FROM (SELECT user_id, min(CASE WHEN delivery_status = 'delivered' THEN COALESCE(delivery_event_at, delivery_updated_at)
                                   ELSE accepted_at END) AS at
          FROM invites WHERE delivery_status = 'delivered' OR accepted_at IS NOT NULL GROUP BY user_id) d
    WHERE d.user_id = u.id;

-- The domains whose addresses have no mail server: few users carry a warning.
CREATE INDEX users_email_warnings ON users (organization_id) WHERE email_warnings <> '';
-- The funnel: the people first invited in a period, with every figure it
-- counts in the index itself, so the scan never visits the table.
CREATE INDEX users_funnel ON users (organization_id, first_invited_at)
    INCLUDE (status, accepted_at, first_delivered_at, reminders_total, first_invited_by, first_invite_job_id, email)
    WHERE first_invited_at IS NOT NULL;

-- +goose Down
DROP INDEX users_funnel;
DROP INDEX users_email_warnings;
ALTER TABLE users DROP CONSTRAINT users_reminders_total_positive, DROP CONSTRAINT users_email_warnings_valid,
    DROP COLUMN reminders_total, DROP COLUMN accepted_at, DROP COLUMN first_delivered_at, DROP COLUMN first_invite_job_id,
    DROP COLUMN first_invited_by, DROP COLUMN first_invited_at, DROP COLUMN email_warnings;

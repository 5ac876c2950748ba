-- Deliverability and the invitation funnel, from stored facts: see the
-- PostgreSQL migration of the same number. SQLite indexes have no INCLUDE
-- columns; these cover the same keys.

-- +goose Up
ALTER TABLE users ADD COLUMN email_warnings TEXT NOT NULL DEFAULT ''
    CONSTRAINT users_email_warnings_valid CHECK (email_warnings IN ('', 'domain_has_no_mail_server'));
ALTER TABLE users ADD COLUMN first_invited_at DATETIME;
ALTER TABLE users ADD COLUMN first_invited_by TEXT;
ALTER TABLE users ADD COLUMN first_invite_job_id TEXT;
ALTER TABLE users ADD COLUMN first_delivered_at DATETIME;
ALTER TABLE users ADD COLUMN accepted_at DATETIME;
ALTER TABLE users ADD COLUMN reminders_total INTEGER NOT NULL DEFAULT 0
    CONSTRAINT users_reminders_total_positive CHECK (reminders_total >= 0);

UPDATE users SET
    first_invited_at = (SELECT f.created_at FROM invites f WHERE f.user_id = users.id AND f.sequence = 1),
    first_invited_by = (SELECT f.created_by FROM invites f WHERE f.user_id = users.id AND f.sequence = 1),
    first_invite_job_id = (SELECT j.job_id FROM bulk_job_items j JOIN invites f ON f.id = j.invite_id
                           WHERE f.user_id = users.id AND f.sequence = 1 LIMIT 1),
    accepted_at = (SELECT max(i.accepted_at) FROM invites i WHERE i.user_id = users.id),
    first_delivered_at = (SELECT min(CASE WHEN i.delivery_status = 'delivered' THEN coalesce(i.delivery_event_at, i.delivery_updated_at)
                                          ELSE i.accepted_at END)
                          FROM invites i WHERE i.user_id = users.id AND (i.delivery_status = 'delivered' OR i.accepted_at IS NOT NULL));

CREATE INDEX users_email_warnings ON users (organization_id) WHERE email_warnings <> '';
CREATE INDEX users_funnel ON users (organization_id, first_invited_at) WHERE first_invited_at IS NOT NULL;

-- +goose Down
DROP INDEX users_funnel;
DROP INDEX users_email_warnings;
ALTER TABLE users DROP COLUMN reminders_total;
ALTER TABLE users DROP COLUMN accepted_at;
ALTER TABLE users DROP COLUMN first_delivered_at;
ALTER TABLE users DROP COLUMN first_invite_job_id;
ALTER TABLE users DROP COLUMN first_invited_by;
ALTER TABLE users DROP COLUMN first_invited_at;
ALTER TABLE users DROP COLUMN email_warnings;

-- Automatic reminders: see the PostgreSQL migration of the same number.

-- +goose Up
ALTER TABLE organizations ADD COLUMN reminder_policy TEXT NOT NULL DEFAULT '';

ALTER TABLE users ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0
    CONSTRAINT users_reminders_sent_positive CHECK (reminders_sent >= 0);
ALTER TABLE users ADD COLUMN reminder_anchor_at DATETIME;
ALTER TABLE users ADD COLUMN last_reminded_at DATETIME;
ALTER TABLE users ADD COLUMN next_reminder_at DATETIME;
ALTER TABLE users ADD COLUMN reminders_stopped TEXT NOT NULL DEFAULT ''
    CONSTRAINT users_reminders_stopped_valid CHECK (reminders_stopped IN ('', 'bounced', 'blocked', 'dropped', 'spam_report'));

ALTER TABLE invites ADD COLUMN remailed_at DATETIME;

CREATE INDEX users_reminders_due ON users (next_reminder_at) WHERE next_reminder_at IS NOT NULL;

-- +goose Down
DROP INDEX users_reminders_due;
ALTER TABLE invites DROP COLUMN remailed_at;
ALTER TABLE users DROP COLUMN reminders_stopped;
ALTER TABLE users DROP COLUMN next_reminder_at;
ALTER TABLE users DROP COLUMN last_reminded_at;
ALTER TABLE users DROP COLUMN reminder_anchor_at;
ALTER TABLE users DROP COLUMN reminders_sent;
ALTER TABLE organizations DROP COLUMN reminder_policy;

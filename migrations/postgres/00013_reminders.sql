-- Automatic reminders (docs/reminders.md): an organization's reminder
-- policy, each pending person's place in their reminder series, and when an
-- invitation's link was mailed again by a reminder.
--
-- users.next_reminder_at is when the reminder sweep next looks at the
-- person; it is NULL for everyone without a reminder due, so the partial
-- index holds only the people with one, and the sweep reads the due ones
-- in time order without touching anybody else.

-- +goose Up
ALTER TABLE organizations ADD COLUMN reminder_policy text NOT NULL DEFAULT '';

ALTER TABLE users
    ADD COLUMN reminders_sent integer NOT NULL DEFAULT 0,
    ADD COLUMN reminder_anchor_at timestamptz,
    ADD COLUMN last_reminded_at timestamptz,
    ADD COLUMN next_reminder_at timestamptz,
    ADD COLUMN reminders_stopped text NOT NULL DEFAULT '',
    ADD CONSTRAINT users_reminders_sent_positive CHECK (reminders_sent >= 0),
    ADD CONSTRAINT users_reminders_stopped_valid CHECK (reminders_stopped IN ('', 'bounced', 'blocked', 'dropped', 'spam_report'));

ALTER TABLE invites ADD COLUMN remailed_at timestamptz;

CREATE INDEX users_reminders_due ON users (next_reminder_at) WHERE next_reminder_at IS NOT NULL;

-- +goose Down
DROP INDEX users_reminders_due;
ALTER TABLE invites DROP COLUMN remailed_at;
ALTER TABLE users DROP CONSTRAINT users_reminders_stopped_valid, DROP CONSTRAINT users_reminders_sent_positive,
    DROP COLUMN reminders_stopped, DROP COLUMN next_reminder_at, DROP COLUMN last_reminded_at,
    DROP COLUMN reminder_anchor_at, DROP COLUMN reminders_sent;
ALTER TABLE organizations DROP COLUMN reminder_policy;

-- Reminder reschedules under way, and the index that pages through an
-- organization's pending people: see the PostgreSQL migration of the same number.

-- +goose Up
CREATE TABLE reminder_reschedules (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    revision        INTEGER NOT NULL,
    after_user_id   TEXT,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);

CREATE INDEX users_pending_by_id ON users (organization_id, id) WHERE status = 'invite_pending';
CREATE INDEX users_reminders_stopped ON users (organization_id) WHERE reminders_stopped <> '';

-- +goose Down
DROP INDEX users_reminders_stopped;
DROP INDEX users_pending_by_id;
DROP TABLE reminder_reschedules;

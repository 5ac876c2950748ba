-- Reminder reschedules under way: see the PostgreSQL migration of the same number.

-- +goose Up
CREATE TABLE reminder_reschedules (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    revision        INTEGER NOT NULL,
    after_user_id   TEXT,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);

-- +goose Down
DROP TABLE reminder_reschedules;

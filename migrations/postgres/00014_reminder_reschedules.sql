-- A change of an organization's reminder policy reschedules its
-- invite-pending people in the background, page by page (docs/reminders.md):
-- the row says that a reschedule is under way, by which revision of the
-- policy, and the last person it has done. It is deleted when the
-- reschedule is done; a newer change of the policy replaces it, so a run of
-- the older one's job finds another revision and stops.

-- +goose Up
CREATE TABLE reminder_reschedules (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    revision        integer NOT NULL,
    after_user_id   uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

-- +goose Down
DROP TABLE reminder_reschedules;

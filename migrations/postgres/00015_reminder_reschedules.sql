-- A change of an organization's reminder policy reschedules its
-- invite-pending people in the background, page by page (docs/reminders.md):
-- the row says that a reschedule is under way, by which revision of the
-- policy, and the last person it has done. It is deleted when the
-- reschedule is done; a newer change of the policy replaces it, so a run of
-- the older one's job finds another revision and stops.
--
-- users_pending_by_id gives a page its people in id order after the last
-- one done, reading only that page's rows: without it a page read every
-- pending person after the cursor and sorted them (a quarter of a second a
-- page, and pages of a 100,000-person organization read 5 million rows).
-- users_reminders_stopped finds the few people whose reminders an
-- undeliverable invitation stopped, for the domain health report.

-- +goose Up
CREATE TABLE reminder_reschedules (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    revision        integer NOT NULL,
    after_user_id   uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE INDEX users_pending_by_id ON users (organization_id, id) WHERE status = 'invite_pending';
CREATE INDEX users_reminders_stopped ON users (organization_id) WHERE reminders_stopped <> '';

-- +goose Down
DROP INDEX users_reminders_stopped;
DROP INDEX users_pending_by_id;
DROP TABLE reminder_reschedules;

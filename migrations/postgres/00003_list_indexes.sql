-- Listings that had no index to serve them, and so read and sorted the
-- organization's whole share of users on every page:
-- - every status (no status filter) sorted by email or by last invitation;
-- - a role filter (there are few admins or HR among thousands of learners).
--
-- Not CONCURRENTLY: that would wait for every other session's transaction,
-- including replicas queued on the migration lock, which wait for this one.
-- A plain build blocks writes to users for the few seconds it takes.

-- +goose Up
CREATE INDEX users_list_email_any ON users (organization_id, email, id);
CREATE INDEX users_list_invited_any ON users (organization_id, last_invited_at DESC NULLS LAST, id DESC);
CREATE INDEX users_list_role ON users (organization_id, role, created_at DESC, id DESC);

-- +goose Down
DROP INDEX users_list_role;
DROP INDEX users_list_invited_any;
DROP INDEX users_list_email_any;

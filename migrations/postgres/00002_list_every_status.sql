-- Sorting every status (no status filter) by email or by last invitation had
-- no index leading with the organization and that order: each page read and
-- sorted the organization's whole share of the table.
--
-- Not CONCURRENTLY: that would wait for every other session's transaction,
-- including replicas queued on the migration lock, which wait for this one.
-- A plain build blocks writes to users for the few seconds it takes.

-- +goose Up
CREATE INDEX users_list_email_any ON users (organization_id, email, id);
CREATE INDEX users_list_invited_any ON users (organization_id, last_invited_at DESC NULLS LAST, id DESC);

-- +goose Down
DROP INDEX users_list_invited_any;
DROP INDEX users_list_email_any;

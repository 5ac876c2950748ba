-- Sorting every status (no status filter) by email or by last invitation had
-- no index leading with the organization and that order.

-- +goose Up
CREATE INDEX users_list_email_any ON users (organization_id, email, id);
CREATE INDEX users_list_invited_any ON users (organization_id, last_invited_at DESC, id DESC);

-- +goose Down
DROP INDEX users_list_invited_any;
DROP INDEX users_list_email_any;

-- Listings that had no index to serve them: every status sorted by email or
-- by last invitation, and a role filter.

-- +goose Up
CREATE INDEX users_list_email_any ON users (organization_id, email, id);
CREATE INDEX users_list_invited_any ON users (organization_id, last_invited_at DESC, id DESC);
CREATE INDEX users_list_role ON users (organization_id, role, created_at DESC, id DESC);

-- +goose Down
DROP INDEX users_list_role;
DROP INDEX users_list_invited_any;
DROP INDEX users_list_email_any;

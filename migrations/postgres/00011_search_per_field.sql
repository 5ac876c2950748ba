-- Search (GET /users?q=) matches a term within the email or within the full
-- name ("first last"), no longer within the email, names and the spaces
-- between them read as one string, where a term could straddle the email and
-- the first name. One trigram index per searched text; the listing asks both
-- with a bitmap OR (internal/store/users.go, searchCondition).

-- +goose Up
DROP INDEX IF EXISTS users_search_trgm;
CREATE INDEX users_search_email_trgm ON users USING gin (lower(email) gin_trgm_ops);
CREATE INDEX users_search_name_trgm ON users USING gin ((lower(first_name || ' ' || last_name)) gin_trgm_ops);

-- +goose Down
DROP INDEX IF EXISTS users_search_name_trgm;
DROP INDEX IF EXISTS users_search_email_trgm;
CREATE INDEX users_search_trgm ON users USING gin ((lower(email || ' ' || first_name || ' ' || last_name)) gin_trgm_ops);

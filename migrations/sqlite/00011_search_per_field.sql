-- Search per field: see the PostgreSQL migration of the same number. SQLite
-- has no trigram index; its search reads the organization's rows either way,
-- so only the statement changes (internal/store/users.go).

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;

-- The deliverer's walk over an endpoint's queue starts at a low-water mark:
-- see the PostgreSQL migration of the same number. SQLite has one writer at
-- a time and seq is AUTOINCREMENT, so every seq up to the highest handed out
-- belongs to a committed row (or to none) as soon as a reader sees it: the
-- mark moves in one step and needs no candidate. The index of the earliest
-- next attempt goes, as there.

-- +goose Up
ALTER TABLE webhook_endpoints ADD COLUMN queue_from INTEGER NOT NULL DEFAULT 0;
DROP INDEX webhook_deliveries_due;

-- +goose Down
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
ALTER TABLE webhook_endpoints DROP COLUMN queue_from;

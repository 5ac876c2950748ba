-- Cheaper outbox writes. The queue index served a query the deliverer no
-- longer makes (it walks webhook_deliveries_next in order). PostgreSQL also
-- drops two foreign keys of webhook_deliveries whose checks cost a lookup
-- and a row lock per delivery; SQLite checks them in-process for little,
-- and could drop them only by rebuilding the table, so it keeps them.

-- +goose Up
DROP INDEX webhook_deliveries_queue;

-- +goose Down
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (endpoint_id, ordering_key, seq) WHERE status = 'pending';

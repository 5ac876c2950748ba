-- The deliverer's walk over an endpoint's queue starts at a low-water mark
-- instead of the start of the endpoint's range. A delivered row leaves its
-- entry in the partial index of pending deliveries until vacuum removes it,
-- and a walk from the start steps over every one of them: hundreds of pages
-- a walk after a bulk job, growing with each, with autovacuum late or off.
--
-- queue_from: every delivery of the endpoint with seq at or below it has
-- ended (succeeded or failed) and no transaction can still add one there.
-- seq is assigned at insert, so a transaction that commits late can add a
-- row below a seq that is already visible; the mark therefore moves in two
-- steps. The deliverer notes the highest seq handed out so far
-- (queue_candidate) together with a transaction id taken after reading it
-- (queue_candidate_xid). Every transaction holding a seq up to the
-- candidate had its transaction id before it took the seq (the trigger
-- below makes sure of it), so it is older than queue_candidate_xid, and it
-- holds a lock on webhook_deliveries until it ends; once no transaction
-- that old holds one (pg_locks, internal/store/webhooks.go), all of them
-- have ended, and the mark may move up to the candidate, or to just below
-- the first delivery still pending.
--
-- The index of the earliest next attempt goes: its entries died the same
-- way and no walk could skip them. The deliverer learns the earliest next
-- attempt from its walk, and an update that only moves a retry's time
-- (a retry, a deferral) touches no indexed column, so it can stay on its
-- page (a HOT update) instead of adding an entry to every index.

-- +goose Up
ALTER TABLE webhook_endpoints
    ADD COLUMN queue_from          bigint NOT NULL DEFAULT 0,
    ADD COLUMN queue_candidate     bigint,
    ADD COLUMN queue_candidate_xid xid8,
    ADD CONSTRAINT webhook_endpoints_queue_candidate CHECK ((queue_candidate IS NULL) = (queue_candidate_xid IS NULL));

DROP INDEX webhook_deliveries_due;

-- The mark relies on a seq never being handed out ahead of the transaction
-- id of the transaction that takes it, and on seqs being handed out in
-- order (no per-session cache).
ALTER TABLE webhook_deliveries ALTER COLUMN seq SET CACHE 1;

-- +goose StatementBegin
CREATE FUNCTION webhook_deliveries_take_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_current_xact_id(); -- assigns the transaction its id, if it has none yet
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Once per statement, before its first row takes its seq: a bulk batch's
-- one INSERT of 1,000 deliveries calls it once.
CREATE TRIGGER webhook_deliveries_take_xid BEFORE INSERT ON webhook_deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_take_xid();

-- +goose Down
DROP TRIGGER webhook_deliveries_take_xid ON webhook_deliveries;
DROP FUNCTION webhook_deliveries_take_xid();
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
ALTER TABLE webhook_endpoints
    DROP CONSTRAINT webhook_endpoints_queue_candidate,
    DROP COLUMN queue_candidate_xid,
    DROP COLUMN queue_candidate,
    DROP COLUMN queue_from;

-- Cheaper outbox writes: a bulk job's batch records a webhook delivery per
-- user in its own transaction, and each foreign-key check on such a row is
-- a lookup and a row lock of its own. Two of them checked what the code
-- already guarantees: a delivery is inserted in the statement after its
-- event, in the same transaction, and both carry the organization of the
-- endpoint. What they deleted is still deleted: an organization's endpoints
-- go with it and take their deliveries along (endpoint_id keeps its
-- cascade), and housekeeping removes an event only once no delivery refers
-- to it. The queue index served a query the deliverer no longer makes (it
-- walks webhook_deliveries_next in order).

-- +goose Up
ALTER TABLE webhook_deliveries
    DROP CONSTRAINT webhook_deliveries_organization_id_fkey,
    DROP CONSTRAINT webhook_deliveries_event_id_fkey;
DROP INDEX webhook_deliveries_queue;

-- +goose Down
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (endpoint_id, ordering_key, seq) WHERE status = 'pending';
ALTER TABLE webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES webhook_events (id) ON DELETE CASCADE,
    ADD CONSTRAINT webhook_deliveries_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE CASCADE;

-- The per-domain delivery report's index no longer carries the delivery
-- status (as on PostgreSQL, migrations/postgres/00016): the report reads
-- other columns of every invitation it counts from the table anyway, and a
-- status kept in the index had to be rewritten there on each of an email's
-- two changes of status.

-- +goose Up
DROP INDEX invites_domain_recent;
CREATE INDEX invites_domain_recent ON invites (organization_id, recipient_domain, last_emailed_at DESC);

-- +goose Down
DROP INDEX invites_domain_recent;
CREATE INDEX invites_domain_recent ON invites (organization_id, recipient_domain, last_emailed_at DESC, delivery_status);

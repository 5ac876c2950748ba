-- The per-domain delivery report's index no longer carries the delivery
-- status. The report reads the reason, the event time and the person of
-- every invitation it counts from the table anyway, so the status in the
-- index saved it nothing; but a change of status, which every email makes
-- twice (sending, then sent), could then never be a heap-only update, and
-- wrote a new entry into every one of the table's nine indexes. Without it,
-- marking an invitation as being sent is heap-only whenever its page has
-- room (BENCHMARKS.md, target 3).
--
-- Not CONCURRENTLY, as in 00003: a plain build blocks writes to invites for
-- the seconds it takes.

-- +goose Up
DROP INDEX invites_domain_recent;
CREATE INDEX invites_domain_recent ON invites (organization_id, recipient_domain, last_emailed_at DESC);

-- +goose Down
DROP INDEX invites_domain_recent;
CREATE INDEX invites_domain_recent ON invites (organization_id, recipient_domain, last_emailed_at DESC)
    INCLUDE (delivery_status);

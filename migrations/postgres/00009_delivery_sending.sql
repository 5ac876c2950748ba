-- An invitation's email shows `sending` from the moment a worker is about
-- to hand it to the provider until the provider's answer is recorded. If
-- the worker dies in between, the status stays `sending` until another
-- worker takes the email over: the provider may or may not have it.
--
-- NOT VALID, then VALIDATE: the check is replaced without holding the
-- table's exclusive lock while every row is read.

-- +goose Up
ALTER TABLE invites DROP CONSTRAINT invites_delivery_status_valid,
    ADD CONSTRAINT invites_delivery_status_valid CHECK (delivery_status IN
        ('queued', 'sending', 'sent', 'delivered', 'deferred', 'bounced', 'blocked', 'dropped', 'spam_report', 'failed', 'by_hand')) NOT VALID;
ALTER TABLE invites VALIDATE CONSTRAINT invites_delivery_status_valid;

-- +goose Down
UPDATE invites SET delivery_status = 'queued' WHERE delivery_status = 'sending';
ALTER TABLE invites DROP CONSTRAINT invites_delivery_status_valid,
    ADD CONSTRAINT invites_delivery_status_valid CHECK (delivery_status IN
        ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'blocked', 'dropped', 'spam_report', 'failed', 'by_hand'));

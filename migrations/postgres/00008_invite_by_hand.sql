-- An invitation whose link a people manager takes to hand over themselves
-- (POST /users/{id}/invite-link) is never emailed: its delivery status is
-- 'by_hand'.

-- +goose Up
ALTER TABLE invites DROP CONSTRAINT invites_delivery_status_valid;
ALTER TABLE invites ADD CONSTRAINT invites_delivery_status_valid CHECK (delivery_status IN
    ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'blocked', 'dropped', 'spam_report', 'failed', 'by_hand'));

-- +goose Down
UPDATE invites SET delivery_status = 'failed', delivery_reason = 'handed over by hand' WHERE delivery_status = 'by_hand';
ALTER TABLE invites DROP CONSTRAINT invites_delivery_status_valid;
ALTER TABLE invites ADD CONSTRAINT invites_delivery_status_valid CHECK (delivery_status IN
    ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'blocked', 'dropped', 'spam_report', 'failed'));

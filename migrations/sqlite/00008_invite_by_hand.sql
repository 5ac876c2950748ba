-- An invitation whose link a people manager takes to hand over themselves
-- (POST /users/{id}/invite-link) is never emailed: its delivery status is
-- 'by_hand'.
--
-- SQLite cannot change a CHECK constraint in place: the invites table is
-- rebuilt as in 00005, keeping aside what dropping it would null or delete.

-- +goose Up
CREATE TABLE invites_rebuilt (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id             TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by          TEXT REFERENCES users (id) ON DELETE SET NULL,
    sequence            INTEGER NOT NULL,
    key_id              TEXT NOT NULL,
    created_at          DATETIME NOT NULL,
    expires_at          DATETIME NOT NULL,
    revoked_at          DATETIME,
    revoke_reason       TEXT,
    accepted_at         DATETIME,
    delivery_status     TEXT NOT NULL DEFAULT 'queued',
    delivery_reason     TEXT,
    delivery_updated_at DATETIME NOT NULL,
    delivery_event_at   DATETIME,
    provider_message_id TEXT,
    sent_at             DATETIME,
    send_attempts       INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT invites_sequence_positive CHECK (sequence >= 1),
    CONSTRAINT invites_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT invites_revoke_reason_valid CHECK (revoke_reason IN ('superseded', 'password_set', 'email_changed', 'deactivated', 'revoked')),
    CONSTRAINT invites_revoked_has_reason CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL)),
    CONSTRAINT invites_revoked_or_accepted CHECK (revoked_at IS NULL OR accepted_at IS NULL),
    CONSTRAINT invites_delivery_status_valid CHECK (delivery_status IN
        ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'blocked', 'dropped', 'spam_report', 'failed', 'by_hand')),
    CONSTRAINT invites_user_sequence_key UNIQUE (user_id, sequence)
);
INSERT INTO invites_rebuilt (id, organization_id, user_id, created_by, sequence, key_id, created_at, expires_at, revoked_at,
    revoke_reason, accepted_at, delivery_status, delivery_reason, delivery_updated_at, delivery_event_at,
    provider_message_id, sent_at, send_attempts)
SELECT id, organization_id, user_id, created_by, sequence, key_id, created_at, expires_at, revoked_at,
    revoke_reason, accepted_at, delivery_status, delivery_reason, delivery_updated_at, delivery_event_at,
    provider_message_id, sent_at, send_attempts
FROM invites;
CREATE TEMP TABLE kept_latest_invites AS SELECT id, latest_invite_id FROM users WHERE latest_invite_id IS NOT NULL;
CREATE TEMP TABLE kept_delivery_events AS SELECT * FROM delivery_events WHERE invite_id IS NOT NULL;
DROP TABLE invites;
ALTER TABLE invites_rebuilt RENAME TO invites;
UPDATE users SET latest_invite_id = (SELECT k.latest_invite_id FROM kept_latest_invites k WHERE k.id = users.id)
    WHERE id IN (SELECT id FROM kept_latest_invites);
INSERT INTO delivery_events (event_id, invite_id, event, occurred_at, received_at)
    SELECT event_id, invite_id, event, occurred_at, received_at FROM kept_delivery_events;
DROP TABLE kept_latest_invites;
DROP TABLE kept_delivery_events;
CREATE UNIQUE INDEX invites_one_open_per_user ON invites (user_id) WHERE revoked_at IS NULL AND accepted_at IS NULL;
CREATE INDEX invites_user_history ON invites (user_id, created_at DESC, id DESC);
CREATE INDEX invites_provider_message ON invites (provider_message_id) WHERE provider_message_id IS NOT NULL;
CREATE INDEX invites_created_by ON invites (created_by) WHERE created_by IS NOT NULL;

-- +goose Down
UPDATE invites SET delivery_status = 'failed', delivery_reason = 'handed over by hand' WHERE delivery_status = 'by_hand';

-- The rest of an invitation's life: see the PostgreSQL migration of the same
-- number.
--
-- SQLite cannot change a CHECK constraint in place, so the invites table is
-- rebuilt, within the migration's transaction. Foreign keys stay on there,
-- so dropping the old table deletes its rows first, with their ON DELETE
-- actions: every user's latest_invite_id would become NULL and the applied
-- delivery events would go. Both are kept aside and put back once the new
-- table holds the same rows.

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
        ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'blocked', 'dropped', 'spam_report', 'failed')),
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

ALTER TABLE organizations ADD COLUMN default_locale TEXT NOT NULL DEFAULT 'en'
    CONSTRAINT organizations_default_locale_length CHECK (length(default_locale) BETWEEN 2 AND 35);
ALTER TABLE organizations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC'
    CONSTRAINT organizations_time_zone_length CHECK (length(time_zone) BETWEEN 1 AND 64);
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en'
    CONSTRAINT users_locale_length CHECK (length(locale) BETWEEN 2 AND 35);

-- +goose Down
ALTER TABLE users DROP COLUMN locale;
ALTER TABLE organizations DROP COLUMN time_zone;
ALTER TABLE organizations DROP COLUMN default_locale;
DROP INDEX invites_created_by;
UPDATE invites SET revoke_reason = 'superseded' WHERE revoke_reason = 'revoked';

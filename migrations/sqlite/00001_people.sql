-- +goose Up
CREATE TABLE organizations (
    id                 TEXT PRIMARY KEY,
    slug               TEXT NOT NULL,
    name               TEXT NOT NULL,
    invite_ttl_seconds INTEGER NOT NULL DEFAULT 604800,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    CONSTRAINT organizations_slug_format CHECK (length(slug) BETWEEN 1 AND 63 AND slug NOT GLOB '*[^a-z0-9-]*'
        AND slug NOT GLOB '-*' AND slug NOT GLOB '*-'),
    CONSTRAINT organizations_name_length CHECK (length(trim(name)) BETWEEN 1 AND 200),
    CONSTRAINT organizations_invite_ttl_range CHECK (invite_ttl_seconds BETWEEN 86400 AND 2592000)
);
CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug);

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    organization_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email                TEXT NOT NULL,
    first_name           TEXT NOT NULL DEFAULT '',
    last_name            TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL,
    permissions          TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,
    password_hash        TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT 0,
    email_suggestion     TEXT,
    latest_invite_id     TEXT REFERENCES invites (id) ON DELETE SET NULL,
    last_invited_at      DATETIME,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    confirmed_at         DATETIME,
    deactivated_at       DATETIME,
    CONSTRAINT users_email_normalized CHECK (email = lower(trim(email)) AND length(email) BETWEEN 3 AND 254),
    CONSTRAINT users_name_length CHECK (length(first_name) <= 100 AND length(last_name) <= 100),
    CONSTRAINT users_role_valid CHECK (role IN ('owner', 'admin', 'hr', 'curator', 'learner')),
    CONSTRAINT users_permissions_valid CHECK (permissions IN ('', 'people')),
    CONSTRAINT users_status_valid CHECK (status IN ('invite_pending', 'confirmed', 'deactivated')),
    CONSTRAINT users_confirmed_has_password CHECK (status <> 'confirmed' OR password_hash IS NOT NULL),
    CONSTRAINT users_deactivated_at CHECK ((status = 'deactivated') = (deactivated_at IS NOT NULL))
);
CREATE UNIQUE INDEX users_organization_email_key ON users (organization_id, lower(email));
CREATE INDEX users_list_created ON users (organization_id, status, created_at DESC, id DESC);
CREATE INDEX users_list_created_any ON users (organization_id, created_at DESC, id DESC);
CREATE INDEX users_list_email ON users (organization_id, status, email, id);
CREATE INDEX users_list_invited ON users (organization_id, status, last_invited_at DESC, id DESC);

CREATE TABLE invites (
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
    CONSTRAINT invites_revoke_reason_valid CHECK (revoke_reason IN ('superseded', 'password_set', 'email_changed', 'deactivated')),
    CONSTRAINT invites_revoked_has_reason CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL)),
    CONSTRAINT invites_revoked_or_accepted CHECK (revoked_at IS NULL OR accepted_at IS NULL),
    CONSTRAINT invites_delivery_status_valid CHECK (delivery_status IN
        ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'blocked', 'dropped', 'spam_report', 'failed')),
    CONSTRAINT invites_user_sequence_key UNIQUE (user_id, sequence)
);
CREATE UNIQUE INDEX invites_one_open_per_user ON invites (user_id) WHERE revoked_at IS NULL AND accepted_at IS NULL;
CREATE INDEX invites_user_history ON invites (user_id, created_at DESC, id DESC);
CREATE INDEX invites_provider_message ON invites (provider_message_id) WHERE provider_message_id IS NOT NULL;

CREATE TABLE audit_events (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    actor_id        TEXT,
    target_user_id  TEXT,
    action          TEXT NOT NULL,
    request_id      TEXT NOT NULL DEFAULT '',
    client_ip       TEXT NOT NULL DEFAULT '',
    metadata        TEXT NOT NULL DEFAULT '{}',
    created_at      DATETIME NOT NULL
);
CREATE INDEX audit_events_list ON audit_events (organization_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_target ON audit_events (organization_id, target_user_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_actor ON audit_events (organization_id, actor_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_action ON audit_events (organization_id, action, created_at DESC, id DESC);

-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd

CREATE TABLE idempotency_keys (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    actor_id        TEXT NOT NULL,
    key             TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    status_code     INTEGER NOT NULL DEFAULT 0,
    content_type    TEXT NOT NULL DEFAULT '',
    location        TEXT NOT NULL DEFAULT '',
    response_body   BLOB NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    expires_at      DATETIME NOT NULL,
    PRIMARY KEY (organization_id, actor_id, key),
    CONSTRAINT idempotency_keys_key_length CHECK (length(key) BETWEEN 1 AND 255)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE delivery_events (
    event_id    TEXT PRIMARY KEY,
    invite_id   TEXT REFERENCES invites (id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    occurred_at DATETIME NOT NULL,
    received_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE delivery_events;
DROP TABLE idempotency_keys;
DROP TABLE audit_events;
DROP TABLE invites;
DROP TABLE users;
DROP TABLE organizations;

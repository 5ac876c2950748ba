-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE organizations (
    id                 uuid PRIMARY KEY,
    slug               text NOT NULL,
    name               text NOT NULL,
    invite_ttl_seconds integer NOT NULL DEFAULT 604800,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CONSTRAINT organizations_slug_format CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    CONSTRAINT organizations_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    CONSTRAINT organizations_invite_ttl_range CHECK (invite_ttl_seconds BETWEEN 86400 AND 2592000)
);
CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug);

CREATE TABLE users (
    id                   uuid PRIMARY KEY,
    organization_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email                text NOT NULL,
    first_name           text NOT NULL DEFAULT '',
    last_name            text NOT NULL DEFAULT '',
    role                 text NOT NULL,
    permissions          text NOT NULL DEFAULT '',
    status               text NOT NULL,
    password_hash        text,
    must_change_password boolean NOT NULL DEFAULT false,
    email_suggestion     text,
    latest_invite_id     uuid,
    last_invited_at      timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    confirmed_at         timestamptz,
    deactivated_at       timestamptz,
    CONSTRAINT users_email_normalized CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254),
    CONSTRAINT users_name_length CHECK (length(first_name) <= 100 AND length(last_name) <= 100),
    CONSTRAINT users_role_valid CHECK (role IN ('owner', 'admin', 'hr', 'curator', 'learner')),
    CONSTRAINT users_permissions_valid CHECK (permissions IN ('', 'people')),
    CONSTRAINT users_status_valid CHECK (status IN ('invite_pending', 'confirmed', 'deactivated')),
    CONSTRAINT users_confirmed_has_password CHECK (status <> 'confirmed' OR password_hash IS NOT NULL),
    CONSTRAINT users_deactivated_at CHECK ((status = 'deactivated') = (deactivated_at IS NOT NULL))
);
-- Emails are unique per organization, compared case-insensitively.
CREATE UNIQUE INDEX users_organization_email_key ON users (organization_id, lower(email));
-- One index per sort order of GET /users, led by the status filter; the
-- status-less variant serves "all statuses" and multi-status filters.
CREATE INDEX users_list_created ON users (organization_id, status, created_at DESC, id DESC);
CREATE INDEX users_list_created_any ON users (organization_id, created_at DESC, id DESC);
CREATE INDEX users_list_email ON users (organization_id, status, email, id);
CREATE INDEX users_list_invited ON users (organization_id, status, last_invited_at DESC NULLS LAST, id DESC);
-- Substring search over email and names (q=) without scanning the table.
CREATE INDEX users_search_trgm ON users USING gin ((lower(email || ' ' || first_name || ' ' || last_name)) gin_trgm_ops);

CREATE TABLE invites (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by          uuid REFERENCES users (id) ON DELETE SET NULL,
    sequence            integer NOT NULL,
    key_id              text NOT NULL,
    created_at          timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    revoked_at          timestamptz,
    revoke_reason       text,
    accepted_at         timestamptz,
    delivery_status     text NOT NULL DEFAULT 'queued',
    delivery_reason     text,
    delivery_updated_at timestamptz NOT NULL,
    delivery_event_at   timestamptz,
    provider_message_id text,
    sent_at             timestamptz,
    send_attempts       integer NOT NULL DEFAULT 0,
    CONSTRAINT invites_sequence_positive CHECK (sequence >= 1),
    CONSTRAINT invites_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT invites_revoke_reason_valid CHECK (revoke_reason IN ('superseded', 'password_set', 'email_changed', 'deactivated')),
    CONSTRAINT invites_revoked_has_reason CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL)),
    CONSTRAINT invites_revoked_or_accepted CHECK (revoked_at IS NULL OR accepted_at IS NULL),
    CONSTRAINT invites_delivery_status_valid CHECK (delivery_status IN
        ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'blocked', 'dropped', 'spam_report', 'failed')),
    CONSTRAINT invites_user_sequence_key UNIQUE (user_id, sequence)
);
-- At most one open (neither revoked nor accepted) invite per user, hence at
-- most one live link: the database itself enforces rule R3/R4.
CREATE UNIQUE INDEX invites_one_open_per_user ON invites (user_id) WHERE revoked_at IS NULL AND accepted_at IS NULL;
CREATE INDEX invites_user_history ON invites (user_id, created_at DESC, id DESC);
CREATE INDEX invites_provider_message ON invites (provider_message_id) WHERE provider_message_id IS NOT NULL;

ALTER TABLE users ADD CONSTRAINT users_latest_invite_fk
    FOREIGN KEY (latest_invite_id) REFERENCES invites (id) ON DELETE SET NULL;

CREATE TABLE audit_events (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    actor_id        uuid,
    target_user_id  uuid,
    action          text NOT NULL,
    request_id      text NOT NULL DEFAULT '',
    client_ip       text NOT NULL DEFAULT '',
    metadata        jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL
);
CREATE INDEX audit_events_list ON audit_events (organization_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_target ON audit_events (organization_id, target_user_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_actor ON audit_events (organization_id, actor_id, created_at DESC, id DESC);
CREATE INDEX audit_events_by_action ON audit_events (organization_id, action, created_at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Responses of requests made with an Idempotency-Key, replayed for 24 hours.
CREATE TABLE idempotency_keys (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    actor_id        uuid NOT NULL,
    key             text NOT NULL,
    request_hash    text NOT NULL,
    status_code     integer NOT NULL DEFAULT 0,
    content_type    text NOT NULL DEFAULT '',
    location        text NOT NULL DEFAULT '',
    response_body   bytea NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (organization_id, actor_id, key),
    CONSTRAINT idempotency_keys_key_length CHECK (length(key) BETWEEN 1 AND 255)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Provider events already applied, so that a redelivered webhook batch changes nothing.
CREATE TABLE delivery_events (
    event_id    text PRIMARY KEY,
    invite_id   uuid REFERENCES invites (id) ON DELETE CASCADE,
    event       text NOT NULL,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE delivery_events;
DROP TABLE idempotency_keys;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only;
ALTER TABLE users DROP CONSTRAINT users_latest_invite_fk;
DROP TABLE invites;
DROP TABLE users;
DROP TABLE organizations;

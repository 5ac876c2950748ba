-- Outbound webhooks: the endpoints an organization registers, the events
-- recorded in the same transaction as the changes they describe (an outbox),
-- one delivery per event and endpoint, and every attempt at one.

-- +goose Up
CREATE TABLE webhook_endpoints (
    id                   uuid PRIMARY KEY,
    organization_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url                  text NOT NULL,
    description          text NOT NULL DEFAULT '',
    -- Comma-separated event types, or '*' for every type.
    events               text NOT NULL,
    enabled              boolean NOT NULL DEFAULT true,
    disabled_reason      text,
    disabled_detail      text,
    disabled_at          timestamptz,
    -- The signing secret, encrypted (key id : base64 of nonce and sealed
    -- secret), and after a rotation the previous one until it expires.
    secret               text NOT NULL,
    previous_secret      text,
    previous_expires_at  timestamptz,
    -- The first failed attempt since the last success; cleared by a success.
    failing_since        timestamptz,
    -- One worker at a time delivers to an endpoint: the one holding the lease.
    lease_until          timestamptz,
    lease_token          text,
    created_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT webhook_endpoints_url_length CHECK (length(url) BETWEEN 1 AND 2048),
    CONSTRAINT webhook_endpoints_description_length CHECK (length(description) <= 500),
    CONSTRAINT webhook_endpoints_disabled CHECK (enabled = (disabled_reason IS NULL)),
    CONSTRAINT webhook_endpoints_disabled_reason_valid CHECK (disabled_reason IN ('manual', 'gone', 'failing')),
    CONSTRAINT webhook_endpoints_previous_secret CHECK ((previous_secret IS NULL) = (previous_expires_at IS NULL))
);
CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (organization_id, created_at, id);

CREATE TABLE webhook_events (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    type            text NOT NULL,
    -- The request body every endpoint receives, as signed.
    payload         bytea NOT NULL,
    created_at      timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
    -- seq orders the deliveries of an endpoint: per ordering key they go
    -- out in seq order. It is assigned at insert, and changes to one user
    -- are serialized by the user's row lock, so a later change always has
    -- a higher seq.
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              uuid NOT NULL UNIQUE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    event_type      text NOT NULL,
    -- The user the event is about; NULL for events that need no order.
    ordering_key    uuid,
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_attempt_at timestamptz,
    last_status     integer,
    last_error      text,
    last_latency_ms integer,
    replay_of       uuid,
    created_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    CONSTRAINT webhook_deliveries_status_valid CHECK (status IN ('pending', 'succeeded', 'failed')),
    CONSTRAINT webhook_deliveries_pending CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
-- The next deliveries of an endpoint in order, the earliest retry, and
-- what holds a delivery back (an earlier one for the same user).
CREATE INDEX webhook_deliveries_next ON webhook_deliveries (endpoint_id, seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (endpoint_id, ordering_key, seq) WHERE status = 'pending';
-- GET /webhook-endpoints/{id}/deliveries, newest first.
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);
-- Housekeeping forgets deliveries some time after they ended, then events
-- no delivery refers to any more.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE status <> 'pending';
CREATE INDEX webhook_events_created ON webhook_events (created_at);

CREATE TABLE webhook_attempts (
    delivery_id   uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number        integer NOT NULL,
    started_at    timestamptz NOT NULL,
    status_code   integer,
    error         text,
    latency_ms    integer NOT NULL,
    response_body text,
    PRIMARY KEY (delivery_id, number)
);

-- invite.expired: a sweep walks the invitations by expiry time from where
-- it last stopped. It starts now: invitations that expired before the
-- webhooks existed are not announced.
CREATE INDEX invites_expiry ON invites (expires_at, id);
CREATE TABLE invite_expiry_sweep (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    through_at timestamptz NOT NULL,
    through_id uuid NOT NULL
);
INSERT INTO invite_expiry_sweep (through_at, through_id) VALUES (now(), '00000000-0000-0000-0000-000000000000');

-- +goose Down
DROP TABLE invite_expiry_sweep;
DROP INDEX invites_expiry;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_endpoints;

-- +goose Up
-- Refresh tokens: long-lived, opaque, single-use credentials that buy a
-- new access token. Each sign-in starts a family; every refresh marks the
-- presented token used and adds its successor to the same family. The
-- secret is never stored: token_hash is the SHA-256 of the secret half of
-- the token, whose other half is the row's id.
CREATE TABLE refresh_tokens (
    id              uuid PRIMARY KEY,
    family_id       uuid NOT NULL,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash      bytea NOT NULL,
    created_at      timestamptz NOT NULL,
    -- The family's absolute end: successors inherit it, so rotation never
    -- extends a session beyond REFRESH_TOKEN_TTL after the sign-in.
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    revoked_at      timestamptz,
    revoke_reason   text,
    CONSTRAINT refresh_tokens_hash_length CHECK (length(token_hash) = 32),
    CONSTRAINT refresh_tokens_revoke_reason_valid CHECK (revoke_reason IN
        ('signed_out', 'reuse_detected', 'password_changed', 'password_set', 'deactivated')),
    CONSTRAINT refresh_tokens_revoked CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
-- Revoking a family, and every family of a user.
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
-- Pruning what can no longer be used.
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

-- +goose Down
DROP TABLE refresh_tokens;

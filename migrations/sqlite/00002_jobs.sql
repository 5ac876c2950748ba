-- +goose Up
-- Bulk jobs: a bulk resend or an import, accepted by one request and worked
-- through in batches by the job queue. The selection is frozen when the
-- request is accepted: one item per selected user or imported row.
CREATE TABLE bulk_jobs (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL,
    total            INTEGER NOT NULL DEFAULT 0,
    processed        INTEGER NOT NULL DEFAULT 0,
    succeeded        INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    skipped          INTEGER NOT NULL DEFAULT 0,
    created_by       TEXT REFERENCES users (id) ON DELETE SET NULL,
    params           TEXT NOT NULL DEFAULT '{}',
    cancel_requested BOOLEAN NOT NULL DEFAULT 0,
    -- The accepting request, so that the audit events the worker writes
    -- later name the request that caused them.
    request_id       TEXT NOT NULL DEFAULT '',
    client_ip        TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    started_at       DATETIME,
    finished_at      DATETIME,
    CONSTRAINT bulk_jobs_kind_valid CHECK (kind IN ('bulk_resend', 'import')),
    CONSTRAINT bulk_jobs_state_valid CHECK (state IN
        ('queued', 'running', 'succeeded', 'partially_failed', 'failed', 'cancelled')),
    CONSTRAINT bulk_jobs_counts CHECK (total >= 0 AND succeeded >= 0 AND failed >= 0 AND skipped >= 0
        AND processed = succeeded + failed + skipped AND processed <= total),
    CONSTRAINT bulk_jobs_finished CHECK ((state IN ('queued', 'running')) = (finished_at IS NULL))
);
-- GET /jobs: newest first within an organization.
CREATE INDEX bulk_jobs_list ON bulk_jobs (organization_id, created_at DESC, id DESC);

CREATE TABLE bulk_job_items (
    job_id     TEXT NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    -- The selected user (bulk resend) or the user the row created (import).
    user_id    TEXT,
    -- The line of the CSV file or the 1-based index in the JSON array (import).
    row_number INTEGER,
    email      TEXT,
    -- The import row as uploaded, needed until it is processed.
    input      TEXT,
    outcome    TEXT NOT NULL DEFAULT 'pending',
    code       TEXT,
    message    TEXT,
    errors     TEXT,
    invite_id  TEXT,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (job_id, position),
    CONSTRAINT bulk_job_items_position_positive CHECK (position >= 1),
    CONSTRAINT bulk_job_items_outcome_valid CHECK (outcome IN ('pending', 'succeeded', 'failed', 'skipped')),
    CONSTRAINT bulk_job_items_target CHECK (user_id IS NOT NULL OR row_number IS NOT NULL),
    CONSTRAINT bulk_job_items_code CHECK ((outcome IN ('pending', 'succeeded')) = (code IS NULL))
);
-- The worker's "next pending items" in position order; the primary key
-- serves item paging.
CREATE INDEX bulk_job_items_pending ON bulk_job_items (job_id, position) WHERE outcome = 'pending';

-- +goose Down
DROP TABLE bulk_job_items;
DROP TABLE bulk_jobs;

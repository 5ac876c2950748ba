-- +goose Up
-- Bulk jobs: a bulk resend or an import, accepted by one request and worked
-- through in batches by the job queue. The selection is frozen when the
-- request is accepted: one item per selected user or imported row.
CREATE TABLE bulk_jobs (
    id               uuid PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind             text NOT NULL,
    state            text NOT NULL,
    total            integer NOT NULL DEFAULT 0,
    processed        integer NOT NULL DEFAULT 0,
    succeeded        integer NOT NULL DEFAULT 0,
    failed           integer NOT NULL DEFAULT 0,
    skipped          integer NOT NULL DEFAULT 0,
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    params           jsonb NOT NULL DEFAULT '{}',
    cancel_requested boolean NOT NULL DEFAULT false,
    -- The accepting request, so that the audit events the worker writes
    -- later name the request that caused them.
    request_id       text NOT NULL DEFAULT '',
    client_ip        text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
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
    job_id     uuid NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    -- The selected user (bulk resend) or the user the row created (import).
    user_id    uuid,
    -- The line of the CSV file or the 1-based index in the JSON array (import).
    row_number integer,
    email      text,
    -- The import row as uploaded, needed until it is processed.
    input      jsonb,
    outcome    text NOT NULL DEFAULT 'pending',
    code       text,
    message    text,
    errors     jsonb,
    invite_id  uuid,
    updated_at timestamptz NOT NULL,
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

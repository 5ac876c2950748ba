-- One provider call's worth of invitation emails as raw SQL: the statements
-- the service's email delivery sends to PostgreSQL for the jobs a resend
-- queues, in its order and with its columns, for pgbench (bench/run.sh,
-- scenario resend, beside resend.sql with the weights of the service's
-- proportions: resend.sql at the recipients the service put in one call,
-- this script at one).
-- Variables: org (the organization), actor (its owner, the inviter),
-- batch (the most jobs one transaction of this script takes).
--
-- It takes the jobs resend.sql queued (queue pgbench) as River's fetch
-- takes jobs, reads their users with their latest invitations as the
-- dispatcher does (people.dispatcher.prepare), the organization and the
-- inviter, marks the invitations sending, records the provider's answer
-- and completes the jobs as River's completer does. Where the service binds
-- arrays it built from the fetched jobs, this script computes them in the
-- statement from the fetch's results, which it keeps as text. The service
-- fetches more often than once a call (a worker takes what is there when a
-- slot frees) and completes jobs of more than one call at once; one fetch
-- and one completion a call here is a little less work than the service
-- does, so the reference is not slowed by it.

-- River's fetch (JobGetAvailable), its result kept as the jobs' ids and
-- their invitations' ids
WITH locked_jobs AS (
	SELECT id, args, attempt, attempted_at, attempted_by, created_at, errors, finalized_at, kind, max_attempts,
		metadata, priority, queue, state, scheduled_at, tags, unique_key, unique_states
	FROM river_job
	WHERE state = 'available' AND queue = 'pgbench'::text AND (NULL::text[] IS NULL OR kind = ANY(NULL::text[]))
		AND scheduled_at <= coalesce(NULL::timestamptz, now())
	ORDER BY priority ASC, scheduled_at ASC, id ASC
	LIMIT :batch::integer
	FOR UPDATE SKIP LOCKED),
fetched AS (
	UPDATE river_job SET state = 'running', attempt = river_job.attempt + 1,
		attempted_at = coalesce(NULL::timestamptz, now()),
		attempted_by = array_append(CASE WHEN array_length(river_job.attempted_by, 1) >= 100::int
			THEN river_job.attempted_by[array_length(river_job.attempted_by, 1) + 2 - 100:]
			ELSE river_job.attempted_by END, 'pgbench'::text)
	FROM locked_jobs WHERE river_job.id = locked_jobs.id
	RETURNING river_job.id, river_job.args, river_job.attempt, river_job.attempted_at, river_job.attempted_by,
		river_job.created_at, river_job.errors, river_job.finalized_at, river_job.kind, river_job.max_attempts,
		river_job.metadata, river_job.priority, river_job.queue, river_job.state, river_job.scheduled_at,
		river_job.tags, river_job.unique_key, river_job.unique_states)
SELECT coalesce(array_agg(id), '{}')::text AS jobs, coalesce(array_agg(args->>'invite_id'), '{}')::text AS invites
	FROM fetched
\gset
-- the recipients: the users of the invitations, each with their latest
-- invitation and its inviter (store.DeliveryRecipients)
SELECT u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.permissions,
	u.status, u.password_hash, u.must_change_password, u.email_suggestion, u.latest_invite_id, u.last_invited_at,
	u.created_at, u.updated_at, u.confirmed_at, u.deactivated_at, u.locale, u.email_warnings,
	u.reminders_sent, u.reminder_anchor_at, u.last_reminded_at, u.next_reminder_at, u.reminders_stopped,
	i.id, i.organization_id, i.user_id, i.created_by, i.sequence, i.key_id, i.created_at, i.expires_at,
	i.revoked_at, i.revoke_reason, i.accepted_at, i.delivery_status, i.delivery_reason, i.delivery_updated_at,
	i.delivery_event_at, i.provider_message_id, i.sent_at, i.send_attempts, ib.first_name, ib.last_name, ib.email
	FROM users u LEFT JOIN invites i ON i.id = u.latest_invite_id
	LEFT JOIN users ib ON ib.id = i.created_by AND ib.organization_id = u.organization_id
	WHERE u.id IN (SELECT x.user_id FROM invites x WHERE x.id IN (SELECT unnest(CAST(:invites AS uuid[]))));
-- the call's organization (store.OrganizationByID) and inviter (store.User)
SELECT o.id, o.slug, o.name, o.invite_ttl_seconds, o.default_locale, o.time_zone, o.reminder_policy,
	o.created_at, o.updated_at FROM organizations o WHERE id = :org;
SELECT u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.permissions,
	u.status, u.password_hash, u.must_change_password, u.email_suggestion, u.latest_invite_id, u.last_invited_at,
	u.created_at, u.updated_at, u.confirmed_at, u.deactivated_at, u.locale, u.email_warnings,
	u.reminders_sent, u.reminder_anchor_at, u.last_reminded_at, u.next_reminder_at, u.reminders_stopped
	FROM users u WHERE u.organization_id = :org AND u.id = :actor;
-- the invitations are being sent (store.StartSendAttempts)
UPDATE "invites" SET "delivery_reason" = CASE WHEN delivery_status IN ('queued', 'sending') THEN NULL ELSE delivery_reason END,
	"delivery_status" = CASE WHEN delivery_status IN ('queued', 'sending') THEN 'sending' ELSE delivery_status END,
	"delivery_updated_at" = now(), "send_attempts" = send_attempts + 1
	WHERE id IN (SELECT unnest(CAST(:invites AS uuid[])));
-- the provider took them (store.RecordSendAttempts), under the call's
-- message id
UPDATE "invites" SET "delivery_reason" = CASE WHEN delivery_status IN ('queued', 'sending', 'failed') THEN NULL ELSE delivery_reason END,
	"delivery_status" = CASE WHEN delivery_status IN ('queued', 'sending', 'failed') THEN 'sent' ELSE delivery_status END,
	"delivery_updated_at" = now(), "provider_message_id" = md5(:jobs), "sent_at" = now()
	WHERE id IN (SELECT unnest(CAST(:invites AS uuid[])));
-- River's completer (JobSetStateIfRunningMany): every job completed now
WITH job_input AS (
	SELECT unnest(j) AS id, unnest(array_fill(false, ARRAY[n])) AS attempt_do_update,
		unnest(array_fill(0, ARRAY[n])) AS attempt, unnest(array_fill(false, ARRAY[n])) AS errors_do_update,
		unnest(array_fill(NULL::jsonb, ARRAY[n])) AS errors, unnest(array_fill(true, ARRAY[n])) AS finalized_at_do_update,
		unnest(array_fill(now(), ARRAY[n])) AS finalized_at, unnest(array_fill(false, ARRAY[n])) AS metadata_do_merge,
		unnest(array_fill(NULL::jsonb, ARRAY[n])) AS metadata_updates, unnest(array_fill(false, ARRAY[n])) AS scheduled_at_do_update,
		unnest(array_fill(NULL::timestamptz, ARRAY[n])) AS scheduled_at,
		unnest(array_fill('completed'::text, ARRAY[n]))::river_job_state AS state
	FROM (SELECT CAST(:jobs AS bigint[]) AS j, cardinality(CAST(:jobs AS bigint[])) AS n) AS a),
updated AS (
	UPDATE river_job SET
		attempt = CASE WHEN river_job.state = 'running'
				AND NOT (job_input.state IN ('available', 'retryable', 'scheduled') AND river_job.metadata ? 'cancel_attempted_at')
				AND job_input.attempt_do_update
			THEN job_input.attempt ELSE river_job.attempt END,
		errors = CASE WHEN river_job.state = 'running' AND job_input.errors_do_update
			THEN array_append(river_job.errors, job_input.errors) ELSE river_job.errors END,
		finalized_at = CASE WHEN river_job.state = 'running'
				AND (job_input.state IN ('available', 'retryable', 'scheduled') AND river_job.metadata ? 'cancel_attempted_at')
			THEN coalesce(NULL::timestamptz, now())
			WHEN river_job.state = 'running' AND job_input.finalized_at_do_update THEN job_input.finalized_at
			ELSE river_job.finalized_at END,
		metadata = CASE WHEN job_input.metadata_do_merge THEN river_job.metadata || job_input.metadata_updates
			ELSE river_job.metadata END,
		scheduled_at = CASE WHEN river_job.state = 'running'
				AND NOT (job_input.state IN ('available', 'retryable', 'scheduled') AND river_job.metadata ? 'cancel_attempted_at')
				AND job_input.scheduled_at_do_update
			THEN job_input.scheduled_at ELSE river_job.scheduled_at END,
		state = CASE WHEN river_job.state = 'running'
				AND (job_input.state IN ('available', 'retryable', 'scheduled') AND river_job.metadata ? 'cancel_attempted_at')
			THEN 'cancelled'::river_job_state
			WHEN river_job.state = 'running' THEN job_input.state
			ELSE river_job.state END
	FROM job_input
	WHERE river_job.id = job_input.id AND (river_job.state = 'running' OR job_input.metadata_do_merge)
	RETURNING river_job.id, river_job.args, river_job.attempt, river_job.attempted_at, river_job.attempted_by,
		river_job.created_at, river_job.errors, river_job.finalized_at, river_job.kind, river_job.max_attempts,
		river_job.metadata, river_job.priority, river_job.queue, river_job.state, river_job.scheduled_at,
		river_job.tags, river_job.unique_key, river_job.unique_states)
SELECT river_job.id, river_job.args, river_job.attempt, river_job.attempted_at, river_job.attempted_by, river_job.created_at,
	river_job.errors, river_job.finalized_at, river_job.kind, river_job.max_attempts, river_job.metadata, river_job.priority,
	river_job.queue, river_job.state, river_job.scheduled_at, river_job.tags, river_job.unique_key, river_job.unique_states
	FROM river_job JOIN job_input ON river_job.id = job_input.id
	WHERE NOT EXISTS (SELECT 1 FROM updated WHERE updated.id = river_job.id)
UNION ALL
SELECT id, args, attempt, attempted_at, attempted_by, created_at, errors, finalized_at, kind, max_attempts, metadata,
	priority, queue, state, scheduled_at, tags, unique_key, unique_states
	FROM updated
	ORDER BY id;

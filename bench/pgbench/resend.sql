-- One resend as raw SQL: the statements POST /users/{id}/resend-invite
-- sends to PostgreSQL, in its order and with its columns, for pgbench
-- (bench/run.sh, scenario resend, after each repetition of the service).
-- Variables: org and actor (the organization and its owner), ids (rows in
-- bench_resend_ids, the users to resend to).
--
-- Where the service binds a value it computed, this script computes it in
-- the statement or binds a constant: times are now(), the invitation's id
-- comes from random numbers drawn per transaction (so that every statement
-- names the same one), the recipient's domain is a constant (the service
-- cuts it from the address it read). The user to resend to is looked up by
-- its number in bench_resend_ids inside the first statement, one
-- primary-key read of a small table that the service does not make, and
-- bound from there on as the service binds it. The job row goes to a queue
-- no worker serves, so the server's workers leave it. The statements the
-- service sends in one round trip (a pgx batch: BEGIN with the lock, the
-- job, the audit event and COMMIT together) are one pgbench pipeline here.
--
-- Not here, as the benchmark's resends do not send them: the domain
-- warning's tally after the commit (once per domain and replica every 10 s,
-- people.DomainHealthTTL), the webhook outbox's endpoint read (the
-- organization has none, and the first statement says so), the reminder
-- series (no reminder policy), the idempotency record (no Idempotency-Key).
\set n random(1, :ids)
\set r1 random(0, 2147483647)
\set r2 random(0, 2147483647)
-- authenticate: the signed-in user's row, the organization, whether it has
-- webhook endpoints (store.SignedInActor)
SELECT u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.permissions,
	u.status, u.password_hash, u.must_change_password, u.email_suggestion, u.latest_invite_id, u.last_invited_at,
	u.created_at, u.updated_at, u.confirmed_at, u.deactivated_at, u.locale, u.email_warnings,
	u.reminders_sent, u.reminder_anchor_at, u.last_reminded_at, u.next_reminder_at, u.reminders_stopped,
	o.id, o.slug, o.name, o.invite_ttl_seconds, o.default_locale, o.time_zone, o.reminder_policy,
	o.created_at, o.updated_at,
	EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.organization_id = o.id),
	(SELECT id FROM bench_resend_ids WHERE n = :n) AS uid
	FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.organization_id = :org AND u.id = :actor
\gset
-- BEGIN goes with the lock, in one round trip (database.Pipeline)
\startpipeline
BEGIN;
-- lock the user, with the latest invitation and its inviter (store.LockUser)
SELECT u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.permissions,
	u.status, u.password_hash, u.must_change_password, u.email_suggestion, u.latest_invite_id, u.last_invited_at,
	u.created_at, u.updated_at, u.confirmed_at, u.deactivated_at, u.locale, u.email_warnings,
	u.reminders_sent, u.reminder_anchor_at, u.last_reminded_at, u.next_reminder_at, u.reminders_stopped,
	i.id, i.organization_id, i.user_id, i.created_by, i.sequence, i.key_id, i.created_at, i.expires_at,
	i.revoked_at, i.revoke_reason, i.accepted_at, i.delivery_status, i.delivery_reason, i.delivery_updated_at,
	i.delivery_event_at, i.provider_message_id, i.sent_at, i.send_attempts, ib.first_name, ib.last_name, ib.email
	FROM users u LEFT JOIN invites i ON i.id = u.latest_invite_id
	LEFT JOIN users ib ON ib.id = i.created_by AND ib.organization_id = u.organization_id
	WHERE u.organization_id = :org AND u.id = :uid FOR UPDATE OF u;
\endpipeline
-- revoke the open invitation, add the new one and point the user at it,
-- one statement (store.AddInvite)
WITH r AS (UPDATE invites SET revoked_at = now(), revoke_reason = 'superseded'
	WHERE user_id = :uid AND revoked_at IS NULL AND accepted_at IS NULL RETURNING 1),
	i AS (INSERT INTO invites (id, organization_id, user_id, created_by, sequence, key_id, created_at,
	expires_at, revoked_at, revoke_reason, accepted_at, delivery_status, delivery_reason, delivery_updated_at,
	delivery_event_at, provider_message_id, sent_at, send_attempts, recipient_domain, last_emailed_at, job_id)
	VALUES (md5(:r1 || ':' || :r2 || ':' || :client_id)::uuid, :org, :uid, :actor,
		(SELECT COALESCE(MAX(sequence), 0) + 1 FROM invites WHERE user_id = :uid AND (SELECT count(*) FROM r) >= 0),
		'k1', now(), date_trunc('second', now() + interval '7 days'), NULL, NULL, NULL, 'queued', NULL, now(), NULL, NULL, NULL, 0,
		'bench.example', now(), NULL)
	RETURNING id, user_id, organization_id, sequence, created_at, created_by, job_id),
	u AS (UPDATE users u SET latest_invite_id = i.id, last_invited_at = i.created_at, updated_at = i.created_at,
		first_invited_by = CASE WHEN u.first_invited_at IS NULL THEN i.created_by ELSE u.first_invited_by END,
		first_invite_job_id = CASE WHEN u.first_invited_at IS NULL THEN i.job_id ELSE u.first_invite_job_id END,
		first_invited_at = COALESCE(u.first_invited_at, i.created_at)
		FROM i WHERE u.id = i.user_id AND u.organization_id = i.organization_id RETURNING i.sequence)
	SELECT (SELECT sequence FROM u), (SELECT count(*) FROM r);
-- the email's job, the audit event and COMMIT go in one round trip
\startpipeline
-- queue the email: River's insert (JobInsertFastManyNoReturning), one job
INSERT INTO river_job(args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags,
	unique_key, unique_states)
	SELECT unnest(ARRAY[jsonb_build_object('invite_id', md5(:r1 || ':' || :r2 || ':' || :client_id)::uuid,
			'request_id', md5(:r2 || ':' || :client_id)::uuid)]),
		unnest(ARRAY[now()]), unnest(ARRAY['invite_email']), unnest(ARRAY[1000]::smallint[]),
		unnest(ARRAY['{}'::jsonb]), unnest(ARRAY[1]::smallint[]), unnest(ARRAY['pgbench']), unnest(ARRAY[now()]),
		unnest(ARRAY['available']::river_job_state[]), string_to_array(unnest(ARRAY['']), ','),
		nullif(unnest(ARRAY[''::bytea]), ''), nullif(unnest(ARRAY[0]), 0)::bit(8)
	ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND unique_states IS NOT NULL
		AND river_job_state_in_bitmask(unique_states, state)
	DO NOTHING;
-- the audit event (store.AddAuditEvent)
INSERT INTO audit_events (id, organization_id, actor_id, target_user_id, action, request_id, client_ip, metadata, created_at)
	VALUES (md5(:r2 || ':' || :r1 || ':' || :client_id)::uuid, :org, :actor, :uid,
		'invite.resent', md5(:r2 || ':' || :client_id)::text, '127.0.0.1',
		jsonb_build_object('invite_id', md5(:r1 || ':' || :r2 || ':' || :client_id)::uuid, 'sequence', 2,
			'expires_at', now() + interval '7 days', 'invites_revoked', 1), now());
COMMIT;
\endpipeline

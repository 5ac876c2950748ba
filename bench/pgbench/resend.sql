-- One resend as raw SQL: the statements POST /users/{id}/resend-invite
-- sends to PostgreSQL, in its order, for pgbench (bench/run.sh, scenario
-- resend_raw). Variables: org and actor (the organization and its owner),
-- ids (rows in bench_resend_ids, the users to resend to).
--
-- Where the service binds a value it computed (ids, times), this script
-- computes it in the statement: the invitation's id comes from random
-- numbers drawn per transaction, so that every statement names the same
-- one, and the user is looked up by its number in bench_resend_ids, a
-- primary-key read per statement that the service does not make. The job
-- row goes to a queue no worker serves, so the server's workers leave it.
\set n random(1, :ids)
\set r1 random(0, 2147483647)
\set r2 random(0, 2147483647)
-- authorize: the signed-in user's row
SELECT u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.permissions,
	u.status, u.password_hash, u.must_change_password, u.email_suggestion, u.latest_invite_id, u.last_invited_at,
	u.created_at, u.updated_at, u.confirmed_at, u.deactivated_at, u.locale
	FROM users u WHERE u.organization_id = :org AND u.id = :actor;
-- the organization
SELECT id, slug, name, invite_ttl_seconds, default_locale, time_zone, created_at, updated_at
	FROM organizations WHERE id = :org;
BEGIN;
-- lock the user, with the latest invitation and its inviter
SELECT u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.permissions,
	u.status, u.password_hash, u.must_change_password, u.email_suggestion, u.latest_invite_id, u.last_invited_at,
	u.created_at, u.updated_at, u.confirmed_at, u.deactivated_at, u.locale,
	i.id, i.organization_id, i.user_id, i.created_by, i.sequence, i.key_id, i.created_at, i.expires_at,
	i.revoked_at, i.revoke_reason, i.accepted_at, i.delivery_status, i.delivery_reason, i.delivery_updated_at,
	i.delivery_event_at, i.provider_message_id, i.sent_at, i.send_attempts, ib.first_name, ib.last_name, ib.email
	FROM users u LEFT JOIN invites i ON i.id = u.latest_invite_id
	LEFT JOIN users ib ON ib.id = i.created_by AND ib.organization_id = u.organization_id
	WHERE u.organization_id = :org AND u.id = (SELECT id FROM bench_resend_ids WHERE n = :n) FOR UPDATE OF u;
-- revoke the open invitation
UPDATE invites SET revoked_at = now(), revoke_reason = 'superseded'
	WHERE user_id = (SELECT id FROM bench_resend_ids WHERE n = :n) AND revoked_at IS NULL AND accepted_at IS NULL;
-- add the new one and point the user at it
WITH i AS (INSERT INTO invites (id, organization_id, user_id, created_by, sequence, key_id, created_at,
	expires_at, revoked_at, revoke_reason, accepted_at, delivery_status, delivery_reason, delivery_updated_at,
	delivery_event_at, provider_message_id, sent_at, send_attempts)
	VALUES (md5(:r1 || ':' || :r2 || ':' || :client_id)::uuid, :org, (SELECT id FROM bench_resend_ids WHERE n = :n), :actor,
		(SELECT COALESCE(MAX(sequence), 0) + 1 FROM invites WHERE user_id = (SELECT id FROM bench_resend_ids WHERE n = :n)),
		'k1', now(), date_trunc('second', now() + interval '7 days'), NULL, NULL, NULL, 'queued', NULL, now(), NULL, NULL, NULL, 0)
	RETURNING id, user_id, organization_id, sequence, created_at)
	UPDATE users u SET latest_invite_id = i.id, last_invited_at = i.created_at, updated_at = i.created_at
	FROM i WHERE u.id = i.user_id AND u.organization_id = i.organization_id RETURNING i.sequence;
-- queue the email (River's job row)
INSERT INTO river_job (args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags)
	VALUES (jsonb_build_object('invite_id', md5(:r1 || ':' || :r2 || ':' || :client_id)::uuid), now(), 'invite_email', 1000,
		'{}', 1, 'pgbench', now(), 'available', '{}');
-- the audit event
INSERT INTO audit_events (id, organization_id, actor_id, target_user_id, action, request_id, client_ip, metadata, created_at)
	VALUES (md5(:r2 || ':' || :r1 || ':' || :client_id)::uuid, :org, :actor, (SELECT id FROM bench_resend_ids WHERE n = :n),
		'invite.resent', 'pgbench', '127.0.0.1',
		jsonb_build_object('invite_id', md5(:r1 || ':' || :r2 || ':' || :client_id)::uuid, 'sequence', 2,
			'expires_at', now() + interval '7 days', 'invites_revoked', 1), now());
COMMIT;

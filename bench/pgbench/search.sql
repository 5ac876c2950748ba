-- A search as raw SQL: the statements GET /users?q=okafor sends to
-- PostgreSQL, for pgbench (bench/run.sh, the raw row of scenario search).
-- Variables: org and actor (the organization and its owner), pattern (the
-- LIKE pattern, '%okafor%').
-- authorize: the signed-in user's row
SELECT u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.permissions,
	u.status, u.password_hash, u.must_change_password, u.email_suggestion, u.latest_invite_id, u.last_invited_at,
	u.created_at, u.updated_at, u.confirmed_at, u.deactivated_at, u.locale, u.email_warnings,
	u.reminders_sent, u.reminder_anchor_at, u.last_reminded_at, u.next_reminder_at, u.reminders_stopped
	FROM users u WHERE u.organization_id = :org AND u.id = :actor;
-- the page: the matches by the two trigram indexes, then by primary key
SELECT u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.permissions,
	u.status, u.password_hash, u.must_change_password, u.email_suggestion, u.latest_invite_id, u.last_invited_at,
	u.created_at, u.updated_at, u.confirmed_at, u.deactivated_at, u.locale, u.email_warnings,
	u.reminders_sent, u.reminder_anchor_at, u.last_reminded_at, u.next_reminder_at, u.reminders_stopped,
	i.id, i.organization_id, i.user_id, i.created_by, i.sequence, i.key_id, i.created_at, i.expires_at,
	i.revoked_at, i.revoke_reason, i.accepted_at, i.delivery_status, i.delivery_reason, i.delivery_updated_at,
	i.delivery_event_at, i.provider_message_id, i.sent_at, i.send_attempts, ib.first_name, ib.last_name, ib.email
	FROM (SELECT * FROM (SELECT * FROM users u WHERE u.id = ANY (ARRAY(SELECT s.id FROM users s
			WHERE (lower(s.email) LIKE :pattern ESCAPE '\' OR lower(s.first_name || ' ' || s.last_name) LIKE :pattern ESCAPE '\'))) OFFSET 0) u
		WHERE u.organization_id = :org ORDER BY u.created_at DESC, u.id DESC LIMIT 51) u
	LEFT JOIN invites i ON i.id = u.latest_invite_id
	LEFT JOIN users ib ON ib.id = i.created_by AND ib.organization_id = u.organization_id
	ORDER BY u.created_at DESC, u.id DESC;

package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/people"
)

const inviteSelect = `SELECT ` + inviteColumns + ` FROM invites i`

func scanInvite(row scanner) (people.Invite, error) {
	var n nullInvite
	if err := row.Scan(n.dest()...); err != nil {
		return people.Invite{}, err
	}
	return *n.domain(), nil
}

// insertInvite numbers the new invite after the user's highest sequence
// as it inserts it. Resending takes a handful of statements; this and its
// neighbours are plain SQL because GORM's reflection cost more than the
// statements themselves.
const insertInvite = insertInviteInto + `(SELECT COALESCE(MAX(sequence), 0) + 1 FROM invites WHERE user_id = ?)` + insertInviteRest

const (
	insertInviteInto = `INSERT INTO invites (id, organization_id, user_id, created_by, sequence, key_id, created_at,
	expires_at, revoked_at, revoke_reason, accepted_at, delivery_status, delivery_reason, delivery_updated_at,
	delivery_event_at, provider_message_id, sent_at, send_attempts, recipient_domain, last_emailed_at, job_id)
	VALUES (?, ?, ?, ?, `
	insertInviteRest = `, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	RETURNING id, user_id, organization_id, sequence, created_at, created_by, job_id`
)

// revokeOpen revokes a user's open invites.
const revokeOpen = `UPDATE invites SET revoked_at = ?, revoke_reason = ?
	WHERE user_id = ? AND revoked_at IS NULL AND accepted_at IS NULL`

// supersedeInvite is AddInvite's one statement on PostgreSQL: it revokes
// the user's open invites (r), inserts the new one (i) and points the user
// at it (u), where three statements took three round trips. The new
// sequence is read after the revocation's count: the sub-statements of a
// WITH run in no set order otherwise, and the new row must not meet the
// unique index of one open invite per user before the old one is revoked.
// It answers the new sequence (NULL when the user is not in the
// organization) and how many invites were revoked.
const supersedeInvite = `WITH r AS (` + revokeOpen + ` RETURNING 1),
	i AS (` + insertInviteInto + `(SELECT COALESCE(MAX(sequence), 0) + 1 FROM invites
		WHERE user_id = ? AND (SELECT count(*) FROM r) >= 0)` + insertInviteRest + `),
	u AS (UPDATE users u SET latest_invite_id = i.id, last_invited_at = i.created_at, updated_at = i.created_at,
		first_invited_by = CASE WHEN u.first_invited_at IS NULL THEN i.created_by ELSE u.first_invited_by END,
		first_invite_job_id = CASE WHEN u.first_invited_at IS NULL THEN i.job_id ELSE u.first_invite_job_id END,
		first_invited_at = COALESCE(u.first_invited_at, i.created_at)
		FROM i WHERE u.id = i.user_id AND u.organization_id = i.organization_id RETURNING i.sequence)
	SELECT (SELECT sequence FROM u), (SELECT count(*) FROM r)`

// AddInvite implements people.Store. On PostgreSQL one statement revokes,
// inserts and points the user at the new invite (supersedeInvite); SQLite,
// which has no data-changing WITH, takes three.
func (s *Store) AddInvite(ctx context.Context, inv *people.Invite) (int, error) {
	r := inviteRowOf(inv)
	args := []any{r.ID, r.OrganizationID, r.UserID, r.CreatedBy, r.UserID, r.KeyID, r.CreatedAt, r.ExpiresAt, r.RevokedAt,
		r.RevokeReason, r.AcceptedAt, r.DeliveryStatus, r.DeliveryReason, r.DeliveryUpdatedAt, r.DeliveryEventAt,
		r.ProviderMessageID, r.SentAt, r.SendAttempts, r.RecipientDomain, r.LastEmailedAt, r.JobID}
	if s.postgres() {
		var (
			seq     sql.NullInt64
			revoked int
		)
		args = append([]any{inv.CreatedAt, string(people.RevokedSuperseded), inv.UserID}, args...)
		if err := s.supersede(ctx, args, &seq, &revoked); err != nil {
			return 0, translate(err, "Invite")
		}
		if !seq.Valid {
			return 0, apperr.New(apperr.NotFound, "User not found.")
		}
		inv.Sequence = int(seq.Int64)
		return revoked, nil
	}
	revoked, err := s.RevokeOpenInvites(ctx, inv.UserID, people.RevokedSuperseded, inv.CreatedAt)
	if err != nil {
		return 0, err
	}
	var id, user, org uuid.UUID
	var created time.Time
	var createdBy, jobID nullUUID
	if err := s.conn(ctx).Raw(insertInvite, args...).Row().Scan(&id, &user, &org, &inv.Sequence, &created, &createdBy, &jobID); err != nil {
		return 0, translate(err, "Invite")
	}
	// The user's first invitation is a fact of the funnel: when, by whom, from which job.
	res := s.conn(ctx).Exec(`UPDATE users SET latest_invite_id = ?, last_invited_at = ?, updated_at = ?,
		first_invited_by = CASE WHEN first_invited_at IS NULL THEN ? ELSE first_invited_by END,
		first_invite_job_id = CASE WHEN first_invited_at IS NULL THEN ? ELSE first_invite_job_id END,
		first_invited_at = COALESCE(first_invited_at, ?)
		WHERE id = ? AND organization_id = ?`, inv.ID, inv.CreatedAt, inv.CreatedAt, inv.CreatedBy, inv.JobID, inv.CreatedAt,
		inv.UserID, inv.OrganizationID)
	if res.Error == nil && res.RowsAffected == 0 {
		return 0, apperr.New(apperr.NotFound, "User not found.")
	}
	return revoked, translate(res.Error, "User")
}

// supersede runs supersedeInvite, through pgx in a pipelined transaction.
func (s *Store) supersede(ctx context.Context, args []any, seq *sql.NullInt64, revoked *int) error {
	p := database.PipelineOf(ctx)
	if p == nil {
		return s.conn(ctx).Raw(supersedeInvite, args...).Row().Scan(seq, revoked)
	}
	q := s.pgSupersedeSQL()
	if s.onNative != nil {
		s.onNative(q, args)
	}
	return p.Query(ctx, q, args, func(rows pgx.Rows) error {
		if !rows.Next() {
			return cmp.Or(rows.Err(), sql.ErrNoRows)
		}
		return rows.Scan(seq, revoked)
	})
}

// RevokeOpenInvites implements people.Store.
func (s *Store) RevokeOpenInvites(ctx context.Context, userID uuid.UUID, reason people.RevokeReason, at time.Time) (int, error) {
	res := s.conn(ctx).Exec(revokeOpen, at, string(reason), userID)
	if res.Error != nil || reason == people.RevokedSuperseded {
		return int(res.RowsAffected), translate(res.Error, "Invite")
	}
	// Revoked without a successor (a password set, an email change, a
	// deactivation, by hand): nothing is left to remind the person of.
	if err := s.conn(ctx).Exec(`UPDATE users SET next_reminder_at = NULL WHERE id = ? AND next_reminder_at IS NOT NULL`,
		userID).Error; err != nil {
		return 0, translate(err, "User")
	}
	return int(res.RowsAffected), nil
}

// Invite implements people.Store.
func (s *Store) Invite(ctx context.Context, id uuid.UUID) (people.Invite, error) {
	inv, err := scanInvite(s.conn(ctx).Raw(inviteSelect+" WHERE i.id = ?", id).Row())
	return inv, translate(err, "Invite")
}

// MarkInviteAccepted implements people.Store.
func (s *Store) MarkInviteAccepted(ctx context.Context, id uuid.UUID, at time.Time) error {
	res := s.conn(ctx).Model(&inviteRow{}).Where("id = ? AND revoked_at IS NULL AND accepted_at IS NULL", id).
		Update("accepted_at", at)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.New(apperr.InviteRevoked, "This invitation link is no longer valid.")
	}
	if res.Error != nil {
		return translate(res.Error, "Invite")
	}
	// The funnel's facts: accepted, and so delivered if no event said so.
	return translate(s.conn(ctx).Exec(`UPDATE users SET accepted_at = ?, first_delivered_at = COALESCE(first_delivered_at, ?)
		WHERE id = (SELECT user_id FROM invites WHERE id = ?)`, at, at, id).Error, "User")
}

// UserInvites implements people.Store.
func (s *Store) UserInvites(ctx context.Context, orgID, userID uuid.UUID) ([]people.Invite, error) {
	rows, err := s.conn(ctx).Raw(inviteSelect+" WHERE i.organization_id = ? AND i.user_id = ? ORDER BY i.created_at DESC, i.id DESC",
		orgID, userID).Rows()
	if err != nil {
		return nil, translate(err, "Invites")
	}
	defer rows.Close()
	invites := []people.Invite{}
	for rows.Next() {
		inv, err := scanInvite(rows)
		if err != nil {
			return nil, internal(err, 1)
		}
		invites = append(invites, inv)
	}
	return invites, translate(rows.Err(), "Invites")
}

// EnqueueInviteEmail implements people.Store.
func (s *Store) EnqueueInviteEmail(ctx context.Context, inv people.Invite) error {
	// River's insert answers nothing the transaction reads: in a pipelined
	// transaction it goes with the commit.
	return s.enqueue(ctx, func(tx *sql.Tx) error {
		return s.queue.EnqueueInviteEmail(database.DeferExecs(ctx, func(err error) error { return internal(err, 1) }), tx, inv.ID)
	})
}

// EnqueueInviteBatch implements people.Store.
func (s *Store) EnqueueInviteBatch(ctx context.Context, inviteIDs []uuid.UUID) error {
	return s.enqueue(ctx, func(tx *sql.Tx) error { return s.queue.EnqueueInviteBatch(ctx, tx, inviteIDs) })
}

// EnqueueJobBatch implements people.Store.
func (s *Store) EnqueueJobBatch(ctx context.Context, jobID uuid.UUID) error {
	return s.enqueue(ctx, func(tx *sql.Tx) error { return s.queue.EnqueueJobBatch(ctx, tx, jobID) })
}

// enqueue inserts a job in the transaction in ctx.
func (s *Store) enqueue(ctx context.Context, insert func(tx *sql.Tx) error) error {
	tx, err := sqlTx(ctx)
	if err != nil {
		return internal(err, 1)
	}
	if err := insert(tx); err != nil {
		return internal(err, 1)
	}
	return nil
}

// StartSendAttempts implements people.Store. Only an email still waiting
// for the provider (queued, or sending after an attempt that never got its
// answer recorded) shows sending: a provider event that already arrived is
// newer news.
func (s *Store) StartSendAttempts(ctx context.Context, inviteIDs []uuid.UUID, at time.Time) error {
	updates := map[string]any{
		"send_attempts":       gorm.Expr("send_attempts + 1"),
		"delivery_status":     gorm.Expr("CASE WHEN delivery_status IN ('queued', 'sending') THEN 'sending' ELSE delivery_status END"),
		"delivery_reason":     gorm.Expr("CASE WHEN delivery_status IN ('queued', 'sending') THEN NULL ELSE delivery_reason END"),
		"delivery_updated_at": at,
	}
	return s.updateInvites(ctx, inviteIDs, updates)
}

// RecordSendAttempt implements people.Store.
func (s *Store) RecordSendAttempt(ctx context.Context, inviteID uuid.UUID, a people.SendAttempt) error {
	return s.RecordSendAttempts(ctx, []uuid.UUID{inviteID}, a)
}

// RecordSendAttempts implements people.Store: one statement per chunk of
// invites, whatever the size of the provider call. A success moves the
// status to sent only from queued, sending or failed, and a temporary
// failure back to queued only from sending: a provider event that already
// arrived (delivered, bounced…) is newer news than the provider's answer.
func (s *Store) RecordSendAttempts(ctx context.Context, inviteIDs []uuid.UUID, a people.SendAttempt) error {
	updates := map[string]any{"delivery_updated_at": a.At}
	switch {
	case a.Sent:
		updates["sent_at"] = a.At
		updates["provider_message_id"] = nonEmpty(a.MessageID)
		updates["delivery_status"] = gorm.Expr("CASE WHEN delivery_status IN ('queued', 'sending', 'failed') THEN 'sent' ELSE delivery_status END")
		updates["delivery_reason"] = gorm.Expr("CASE WHEN delivery_status IN ('queued', 'sending', 'failed') THEN NULL ELSE delivery_reason END")
	case a.Failed:
		updates["delivery_status"] = string(people.DeliveryFailed)
		updates["delivery_reason"] = truncate(a.Reason, 500)
	default: // temporary failure: queued again, saying why it is taking long
		updates["delivery_status"] = gorm.Expr("CASE WHEN delivery_status = 'sending' THEN 'queued' ELSE delivery_status END")
		updates["delivery_reason"] = gorm.Expr("CASE WHEN delivery_status IN ('queued', 'sending') THEN ? ELSE delivery_reason END",
			truncate("retrying: "+a.Reason, 500))
	}
	return s.updateInvites(ctx, inviteIDs, updates)
}

// updateInvites applies updates to the invites among ids, one statement
// per chunk of ids.
func (s *Store) updateInvites(ctx context.Context, ids []uuid.UUID, updates map[string]any) error {
	return chunks(ids, func(part []uuid.UUID) error {
		cond, arg := s.inList("id", "uuid", uuidStrings(part))
		return translate(s.conn(ctx).Model(&inviteRow{}).Where(cond, arg).Updates(updates).Error, "Invite")
	})
}

// ApplyDeliveryEvent implements people.Store.
func (s *Store) ApplyDeliveryEvent(ctx context.Context, e people.DeliveryEvent) (*people.Invite, error) {
	var changed *people.Invite
	err := s.InTx(ctx, func(ctx context.Context) error {
		inv, found, err := s.eventInvite(ctx, e)
		if err != nil || !found {
			return err
		}
		// Record the event id first: a redelivered event stops here.
		res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&deliveryEventRow{
			EventID: e.EventID, InviteID: &inv.ID, Event: e.Event, OccurredAt: e.OccurredAt, ReceivedAt: e.ReceivedAt,
		})
		if res.Error != nil || res.RowsAffected == 0 || e.Status == "" {
			return res.Error
		}
		if e.Status == people.DeliveryDelivered {
			// The funnel's first delivery, whatever later events say about this message.
			if err := s.conn(ctx).Exec(`UPDATE users SET first_delivered_at = ? WHERE id = ? AND
				(first_delivered_at IS NULL OR first_delivered_at > ?)`, e.OccurredAt, inv.UserID, e.OccurredAt).Error; err != nil {
				return err
			}
		}
		// An event applies unless the status comes from a later one; in a
		// tie of seconds, the status of higher precedence stays.
		upd := s.conn(ctx).Model(&inviteRow{}).
			Where("id = ? AND (delivery_event_at IS NULL OR delivery_event_at < ? OR (delivery_event_at = ? AND "+
				precedenceSQL+" <= ?))", inv.ID, e.OccurredAt, e.OccurredAt, e.Status.Precedence()).
			// An invitation a reminder mailed again takes only the events
			// of that email: older ones are about the earlier message.
			// (Provider times are whole seconds, hence the second's grace.)
			Where("remailed_at IS NULL OR remailed_at < ?", e.OccurredAt.Add(time.Second)).
			Updates(map[string]any{
				"delivery_status": string(e.Status), "delivery_reason": nonEmpty(truncate(e.Reason, 500)),
				"delivery_event_at": e.OccurredAt, "delivery_updated_at": e.ReceivedAt,
			})
		if upd.RowsAffected > 0 {
			changed = &inv
		}
		return upd.Error
	})
	return changed, translate(err, "Invite")
}

// precedenceSQL is people.DeliveryStatus.Precedence of the stored status.
var precedenceSQL = func() string {
	var b strings.Builder
	b.WriteString("(CASE delivery_status")
	for _, st := range people.DeliveryStatuses {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", st, st.Precedence())
	}
	b.WriteString(" ELSE 0 END)")
	return b.String()
}()

// eventInvite finds the invite an event is about: by the invite id in its
// custom arguments (checked against the organization id there too), else by
// the provider's message id. found is false for events about nothing we know.
func (s *Store) eventInvite(ctx context.Context, e people.DeliveryEvent) (inv people.Invite, found bool, err error) {
	switch {
	case e.InviteID != nil:
		inv, err = s.Invite(ctx, *e.InviteID)
	case e.MessageID != "":
		inv, err = s.inviteByMessage(ctx, e.MessageID, e.Email)
	default:
		return people.Invite{}, false, nil
	}
	switch {
	case apperr.Is(err, apperr.NotFound):
		return people.Invite{}, false, nil
	case err != nil:
		return people.Invite{}, false, err
	case e.OrganizationID != nil && *e.OrganizationID != inv.OrganizationID:
		return people.Invite{}, false, nil
	}
	return inv, true, nil
}

// inviteByMessage finds the invite a message id and recipient stand for.
// One message carries every recipient of a batch, so the recipient's
// address picks among them; without a matching address, the message id
// alone decides only when a single invite has it.
func (s *Store) inviteByMessage(ctx context.Context, messageID, email string) (people.Invite, error) {
	if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
		inv, err := scanInvite(s.conn(ctx).Raw(inviteSelect+` JOIN users u ON u.id = i.user_id
			WHERE i.provider_message_id = ? AND u.email = ? ORDER BY i.created_at DESC, i.id DESC LIMIT 1`, messageID, email).Row())
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return inv, translate(err, "Invite")
		}
	}
	rows, err := s.conn(ctx).Raw(inviteSelect+" WHERE i.provider_message_id = ? LIMIT 2", messageID).Rows()
	if err != nil {
		return people.Invite{}, translate(err, "Invite")
	}
	defer rows.Close()
	var found []people.Invite
	for rows.Next() {
		inv, err := scanInvite(rows)
		if err != nil {
			return people.Invite{}, internal(err, 1)
		}
		found = append(found, inv)
	}
	if err := rows.Err(); err != nil {
		return people.Invite{}, internal(err, 1)
	}
	if len(found) != 1 {
		return people.Invite{}, apperr.New(apperr.NotFound, "Invite not found.")
	}
	return found[0], nil
}

type deliveryEventRow struct {
	EventID    string `gorm:"primaryKey"`
	InviteID   *uuid.UUID
	Event      string
	OccurredAt time.Time
	ReceivedAt time.Time
}

func (deliveryEventRow) TableName() string { return "delivery_events" }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

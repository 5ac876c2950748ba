package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/people"
)

// A page of users is the hottest read of the service, and on PostgreSQL it
// is read through pgx itself rather than database/sql: database/sql turns
// every column into a driver.Value first (each UUID formatted as text and
// parsed back, each value boxed), which was a fifth of the service's CPU
// per page (BENCHMARKS.md). The connection is the pool's own, borrowed with
// sql.Conn.Raw, so the pool, its limits and its connection setup stay one.
// Transactions and SQLite keep the database/sql path (userScan).

// nativeQuery runs q with args on a connection of the pool through pgx and
// hands fn the rows; false when the store cannot (SQLite, or a transaction
// in ctx), and the caller goes through database/sql instead.
func (s *Store) nativeQuery(ctx context.Context, q string, args []any, fn func(pgx.Rows) error) (bool, error) {
	if !s.postgres() || s.sqlDB == nil {
		return false, nil
	}
	if _, inTx := ctx.Value(txKey{}).(*gorm.DB); inTx {
		return false, nil
	}
	if s.onNative != nil {
		s.onNative(q, args)
	}
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return true, err
	}
	defer func() { _ = conn.Close() }()
	return true, conn.Raw(func(dc any) error {
		c, ok := database.PgxConn(dc)
		if !ok {
			return errors.New("store: the pool's connection is not pgx's")
		}
		// A statement sent with the simple protocol (planned for its values)
		// cannot join a batch of prepared ones: the actor is read apart.
		_, simple := firstArg(args).(pgx.QueryExecMode)
		if fold, ok := ctx.Value(actorFoldKey{}).(*actorFold); ok && !fold.done && !simple {
			return s.foldedQuery(ctx, c, fold, q, args, fn)
		}
		rows, err := c.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := fn(rows); err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
}

func firstArg(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

type actorFoldKey struct{}

// actorFold asks the next statement sent through pgx to take the signed-in
// user's row along (ListUsersAs); user and err are its answer once done.
type actorFold struct {
	org, id uuid.UUID
	done    bool
	user    people.User
	err     error
}

// foldedQuery sends the signed-in user's statement and q in one batch.
func (s *Store) foldedQuery(ctx context.Context, conn *pgx.Conn, fold *actorFold, q string, args []any, fn func(pgx.Rows) error) error {
	actorSQL, actorArgs := s.pgSignedInUserSQL(), []any{fold.org, fold.id}
	if s.onNative != nil {
		s.onNative(actorSQL, actorArgs)
	}
	b := &pgx.Batch{}
	b.Queue(actorSQL, actorArgs...)
	b.Queue(q, args...)
	res := conn.SendBatch(ctx, b)
	defer func() { _ = res.Close() }()
	fold.done = true
	rows, err := res.Query()
	if err != nil {
		fold.err = translate(err, "User")
		return err
	}
	scan := newPGUserScan(1, nil)
	if rows.Next() {
		fold.user, fold.err = scan.scanUser(rows)
	} else if fold.err = rows.Err(); fold.err == nil {
		fold.err = apperr.New(apperr.NotFound, "User not found.")
	}
	rows.Close()
	if fold.err != nil {
		fold.err = translate(fold.err, "User")
	}
	if rows, err = res.Query(); err != nil {
		return err
	}
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return res.Close()
}

// OnNativeQuery calls fn with every statement the store sends through pgx
// directly, before it is sent: the benchmark's plan explainer sees them as
// it sees GORM's. Not safe to call while the store is in use.
func (s *Store) OnNativeQuery(fn func(sql string, args []any)) { s.onNative = fn }

// pgUserScan receives rows of userColumns, inviteColumns and
// inviterColumns as pgx scans them natively (binary UUIDs and times into
// fixed-size values); one set of destinations serves every row.
type pgUserScan struct {
	id, org                                           pgtype.UUID
	email, first, last                                string
	role, perms, status, locale, warnings             knownText
	remindersSent                                     int
	anchor, lastReminded, nextReminder                pgtype.Timestamptz
	stopped                                           knownText
	hash, suggestion                                  pgtype.Text
	mustChange                                        bool
	latest                                            pgtype.UUID
	lastInvited, created, updated, confirmed, deactiv pgtype.Timestamptz
	iID, iOrg, iUser, iBy                             pgtype.UUID
	iSeq, iAttempts                                   pgtype.Int8
	iKey, iRevokeReason, iStatus                      knownText
	iReason, iMessage                                 pgtype.Text
	iCreated, iExpires, iRevoked, iAccepted           pgtype.Timestamptz
	iDeliveryUpdated, iDeliveryEvent, iSent           pgtype.Timestamptz
	inviterFirst, inviterLast, inviter                rawText
	// The page's inviters are a few people: each row's name is the
	// previous row's as long as the inviter's columns are the same.
	inviterKey  []byte
	inviterName string
	// Slabs the rows' optional times and ids, and their invites, point
	// into, filled in turn: one allocation for many rows instead of one per
	// value.
	times   []time.Time
	ids     []uuid.UUID
	invites []people.Invite
	dest    []any
}

// newPGUserScan is a scan of rows rows or so, whose first slabs are buf's
// (nil for none): its invites slab holds that many rows' invites, so that
// a page allocates no more than it reads, and its times and ids slabs
// what such a page usually has. A read of one row says 1: with 0, its first
// invite, time and id would each take a whole slab (24 KB a row).
func newPGUserScan(rows int, buf *people.PageBuffer) *pgUserScan {
	if buf == nil {
		buf = &people.PageBuffer{}
	}
	s := &pgUserScan{invites: lend(&buf.Invites, rows), times: lend(&buf.Times, 6*rows), ids: lend(&buf.IDs, 2*rows)}
	s.dest = []any{&s.id, &s.org, &s.email, &s.first, &s.last, &s.role, &s.perms,
		&s.status, &s.hash, &s.mustChange, &s.suggestion, &s.latest, &s.lastInvited, &s.created,
		&s.updated, &s.confirmed, &s.deactiv, &s.locale, &s.warnings,
		&s.remindersSent, &s.anchor, &s.lastReminded, &s.nextReminder, &s.stopped,
		&s.iID, &s.iOrg, &s.iUser, &s.iBy, &s.iSeq, &s.iKey, &s.iCreated, &s.iExpires,
		&s.iRevoked, &s.iRevokeReason, &s.iAccepted, &s.iStatus, &s.iReason, &s.iDeliveryUpdated,
		&s.iDeliveryEvent, &s.iMessage, &s.iSent, &s.iAttempts,
		&s.inviterFirst, &s.inviterLast, &s.inviter}
	return s
}

// scanUser reads a row of userColumns alone into a new User, without an
// invite, as userScan.scanColumns does.
func (s *pgUserScan) scanUser(rows pgx.Rows) (people.User, error) {
	if err := rows.Scan(s.dest[:userColumnCount]...); err != nil {
		return people.User{}, err
	}
	s.iID.Valid = false
	return s.user(), nil
}

// scan reads the current row into a new User, as userScan.scan does.
func (s *pgUserScan) scan(rows pgx.Rows) (people.User, error) {
	if err := rows.Scan(s.dest...); err != nil {
		return people.User{}, err
	}
	return s.user(), nil
}

// user is the User of the scanned columns.
func (s *pgUserScan) user() people.User {
	u := people.User{
		ID: s.id.Bytes, OrganizationID: s.org.Bytes, Email: s.email, FirstName: s.first, LastName: s.last,
		Role: people.Role(s.role.s), Permissions: splitPermissions(s.perms.s), Status: people.Status(s.status.s),
		PasswordHash: s.hash.String, MustChangePassword: s.mustChange, EmailSuggestion: s.suggestion.String,
		LatestInviteID: s.idOf(s.latest), LastInvitedAt: s.timeOf(s.lastInvited),
		CreatedAt: s.created.Time.UTC(), UpdatedAt: s.updated.Time.UTC(),
		ConfirmedAt: s.timeOf(s.confirmed), DeactivatedAt: s.timeOf(s.deactiv), Locale: s.locale.s,
		EmailWarnings: splitList(s.warnings.s),
		Reminders: people.ReminderSchedule{Sent: s.remindersSent, AnchorAt: s.timeOf(s.anchor),
			LastAt: s.timeOf(s.lastReminded), NextAt: s.timeOf(s.nextReminder), Stopped: people.DeliveryStatus(s.stopped.s)},
	}
	if s.iID.Valid {
		if len(s.invites) == cap(s.invites) {
			s.invites = make([]people.Invite, 0, slab)
		}
		s.invites = append(s.invites, people.Invite{
			ID: s.iID.Bytes, OrganizationID: s.iOrg.Bytes, UserID: s.iUser.Bytes, CreatedBy: s.idOf(s.iBy),
			Sequence: int(s.iSeq.Int64), KeyID: s.iKey.s,
			CreatedAt: s.iCreated.Time.UTC(), ExpiresAt: s.iExpires.Time.UTC(),
			RevokedAt: s.timeOf(s.iRevoked), RevokeReason: people.RevokeReason(s.iRevokeReason.s),
			AcceptedAt: s.timeOf(s.iAccepted),
			Delivery: people.Delivery{
				Status: people.DeliveryStatus(s.iStatus.s), Reason: s.iReason.String,
				UpdatedAt: s.iDeliveryUpdated.Time.UTC(), EventAt: s.timeOf(s.iDeliveryEvent),
				MessageID: s.iMessage.String, SentAt: s.timeOf(s.iSent), Attempts: int(s.iAttempts.Int64),
			},
		})
		u.Invite = &s.invites[len(s.invites)-1]
		if s.inviter.valid {
			u.Invite.CreatedByName = s.inviterDisplayName()
		}
	}
	return u
}

// inviterDisplayName is the current row's inviter's name, worked out again
// only when the inviter differs from the previous row's.
func (s *pgUserScan) inviterDisplayName() string {
	key := append(append(append(s.inviterKey[:0], s.inviterFirst.b...), 0), s.inviterLast.b...)
	key = append(append(key, 0), s.inviter.b...)
	if s.inviterName != "" && string(key) == string(s.inviterKey) {
		return s.inviterName
	}
	s.inviterKey = key
	s.inviterName = people.User{FirstName: string(s.inviterFirst.b), LastName: string(s.inviterLast.b),
		Email: string(s.inviter.b)}.DisplayName()
	return s.inviterName
}

// lend is the empty slice of *b to fill with up to n values, *b grown to n
// first if it holds fewer: what is filled stays in *b for its next user.
func lend[T any](b *[]T, n int) []T {
	if cap(*b) < n {
		*b = make([]T, 0, n)
	}
	return (*b)[:0]
}

// slab is how many values a slab of times or ids holds.
const slab = 64

// timeOf is v as a pointer into the current slab of times, nil when NULL.
func (s *pgUserScan) timeOf(v pgtype.Timestamptz) *time.Time {
	if !v.Valid {
		return nil
	}
	if len(s.times) == cap(s.times) {
		s.times = make([]time.Time, 0, slab) // the full slab stays with the users pointing into it
	}
	s.times = append(s.times, v.Time.UTC())
	return &s.times[len(s.times)-1]
}

// idOf is v as a pointer into the current slab of ids, nil when NULL.
func (s *pgUserScan) idOf(v pgtype.UUID) *uuid.UUID {
	if !v.Valid {
		return nil
	}
	if len(s.ids) == cap(s.ids) {
		s.ids = make([]uuid.UUID, 0, slab)
	}
	s.ids = append(s.ids, v.Bytes)
	return &s.ids[len(s.ids)-1]
}

// rawText scans a nullable text column into a reused buffer.
type rawText struct {
	b     []byte
	valid bool
}

func (r *rawText) ScanBytes(v []byte) error {
	r.b, r.valid = append(r.b[:0], v...), v != nil
	return nil
}

// knownText scans a text column of few, known values (roles, statuses,
// locales, reasons) into the one string of each value instead of a new
// string per row: seven allocations a row, a quarter of a page's. pgx hands
// ScanBytes its buffer, and the map lookup with string(v) does not copy it.
// A value outside the set (a new locale) is copied as any text would be.
type knownText struct{ s string }

func (k *knownText) ScanBytes(v []byte) error {
	if known, ok := knownTexts[string(v)]; ok {
		k.s = known
	} else {
		k.s = string(v)
	}
	return nil
}

var knownTexts = func() map[string]string {
	m := map[string]string{"": "", string(people.PermissionPeople): string(people.PermissionPeople)}
	add := func(vs ...string) {
		for _, v := range vs {
			m[v] = v
		}
	}
	add(strs(people.Roles)...)
	add(strs(people.Statuses)...)
	add(strs(people.DeliveryStatuses)...)
	add(strs(people.RevokeReasons)...)
	add(mail.Locales()...)
	return m
}()

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/people"
)

// userSelect reads a user with its latest invite and who sent it in one
// round trip, as userColumns, inviteColumns then inviterColumns: the order
// userScan's destinations take.
const userSelect = `SELECT ` + userColumns + `, ` + inviteColumns + `, ` + inviterColumns + `
	FROM users u ` + inviteJoins

// inviteJoins join a user u to their latest invite i and its inviter ib.
const inviteJoins = `LEFT JOIN invites i ON i.id = u.latest_invite_id
	LEFT JOIN users ib ON ib.id = i.created_by AND ib.organization_id = u.organization_id`

// inviterColumns name the inviter of the latest invite.
const inviterColumns = `ib.first_name, ib.last_name, ib.email`

const userColumns = `u.id, u.organization_id, u.email, u.first_name, u.last_name, u.role, u.permissions,
	u.status, u.password_hash, u.must_change_password, u.email_suggestion, u.latest_invite_id, u.last_invited_at,
	u.created_at, u.updated_at, u.confirmed_at, u.deactivated_at, u.locale, u.email_warnings,
	u.reminders_sent, u.reminder_anchor_at, u.last_reminded_at, u.next_reminder_at, u.reminders_stopped`

const inviteColumns = `i.id, i.organization_id, i.user_id, i.created_by, i.sequence, i.key_id, i.created_at, i.expires_at,
	i.revoked_at, i.revoke_reason, i.accepted_at, i.delivery_status, i.delivery_reason, i.delivery_updated_at,
	i.delivery_event_at, i.provider_message_id, i.sent_at, i.send_attempts`

type scanner interface{ Scan(dest ...any) error }

// userScan receives rows of userColumns and inviteColumns. One serves
// every row of a query: Scan copies the values out, and a single set of
// destinations per query, instead of one per row, spares a listing page
// some 700 allocations.
type userScan struct {
	u                                   people.User
	role, perms, status, warnings       string
	hash, suggestion                    sql.NullString
	latest                              nullUUID
	lastInvited, confirmed, deactivated sql.NullTime
	anchor, lastReminded, nextReminder  sql.NullTime
	stopped                             string
	inv                                 nullInvite
	inviterFirst, inviterLast, inviter  sql.NullString
	dest                                []any
}

// userColumnCount is how many columns userColumns names.
const userColumnCount = 24

func newUserScan() *userScan {
	s := &userScan{}
	s.dest = append([]any{&s.u.ID, &s.u.OrganizationID, &s.u.Email, &s.u.FirstName, &s.u.LastName, &s.role, &s.perms,
		&s.status, &s.hash, &s.u.MustChangePassword, &s.suggestion, &s.latest, &s.lastInvited, &s.u.CreatedAt,
		&s.u.UpdatedAt, &s.confirmed, &s.deactivated, &s.u.Locale, &s.warnings,
		&s.u.Reminders.Sent, &s.anchor, &s.lastReminded, &s.nextReminder, &s.stopped}, s.inv.dest()...)
	s.dest = append(s.dest, &s.inviterFirst, &s.inviterLast, &s.inviter)
	return s
}

// scan reads the current row into a new User.
func (s *userScan) scan(row scanner) (people.User, error) { return s.scanColumns(row, len(s.dest)) }

// scanColumns reads the first n destinations: userColumns alone leave the
// user without an invite.
func (s *userScan) scanColumns(row scanner, n int) (people.User, error) {
	if err := row.Scan(s.dest[:n]...); err != nil {
		return people.User{}, err
	}
	return s.user(), nil
}

// user is the User of the scanned columns.
func (s *userScan) user() people.User {
	u := s.u
	u.Role, u.Permissions, u.Status = people.Role(s.role), splitPermissions(s.perms), people.Status(s.status)
	u.EmailWarnings = splitList(s.warnings)
	u.PasswordHash, u.EmailSuggestion = s.hash.String, s.suggestion.String
	u.LatestInviteID = s.latest.ptr()
	u.LastInvitedAt, u.ConfirmedAt, u.DeactivatedAt = nullTime(s.lastInvited), nullTime(s.confirmed), nullTime(s.deactivated)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	u.Reminders.AnchorAt, u.Reminders.LastAt, u.Reminders.NextAt = nullTime(s.anchor), nullTime(s.lastReminded), nullTime(s.nextReminder)
	u.Reminders.Stopped = people.DeliveryStatus(s.stopped)
	u.Invite = s.inv.domain()
	if u.Invite != nil && s.inviter.Valid {
		u.Invite.CreatedByName = people.User{FirstName: s.inviterFirst.String, LastName: s.inviterLast.String,
			Email: s.inviter.String}.DisplayName()
	}
	return u
}

func scanUser(row scanner) (people.User, error) { return newUserScan().scan(row) }

func (s *Store) queryUser(ctx context.Context, lock bool, where string, args ...any) (people.User, error) {
	q := userSelect + " WHERE " + where
	if lock && s.postgres() {
		// SQLite has one writer at a time: its immediate transactions already serialize.
		q += " FOR UPDATE OF u"
	}
	row := s.conn(ctx).Raw(q, args...).Row()
	u, err := scanUser(row)
	return u, translate(err, "User")
}

// User implements people.Store.
func (s *Store) User(ctx context.Context, orgID, id uuid.UUID) (people.User, error) {
	return s.queryUser(ctx, false, "u.organization_id = ? AND u.id = ?", orgID, id)
}

// LockUser implements people.Store.
// In a pipelined transaction it is read through pgx, with the
// transaction's BEGIN in the same round trip.
func (s *Store) LockUser(ctx context.Context, orgID, id uuid.UUID) (people.User, error) {
	p := database.PipelineOf(ctx)
	if p == nil {
		return s.queryUser(ctx, true, "u.organization_id = ? AND u.id = ?", orgID, id)
	}
	args := []any{orgID, id}
	if s.onNative != nil {
		s.onNative(lockUserSQL, args)
	}
	var (
		u     people.User
		found bool
	)
	err := p.Query(ctx, lockUserSQL, args, func(rows pgx.Rows) error {
		if !rows.Next() {
			return rows.Err()
		}
		var err error
		u, err = newPGUserScan(1, nil).scan(rows)
		found = err == nil
		return err
	})
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	return u, translate(err, "User")
}

// lockUserSQL is LockUser's statement on PostgreSQL, as pgx takes it.
const lockUserSQL = userSelect + " WHERE u.organization_id = $1 AND u.id = $2 FOR UPDATE OF u"

// SignedInUser implements people.Store.
func (s *Store) SignedInUser(ctx context.Context, orgID, id uuid.UUID) (people.User, error) {
	row := s.conn(ctx).Raw(signedInUserSQL, orgID, id).Row()
	u, err := newUserScan().scanColumns(row, userColumnCount)
	return u, translate(err, "User")
}

// signedInUserSQL is SignedInUser's statement.
const signedInUserSQL = `SELECT ` + userColumns + ` FROM users u WHERE u.organization_id = ? AND u.id = ?`

// SignedInActor implements people.Store: the user, the organization and
// whether it has a webhook endpoint in one statement, where authenticating
// then reading the organization took two round trips and recording the
// request's webhook events a third.
// On PostgreSQL, outside a transaction (every request's authentication),
// it is read through pgx itself, as a page is (nativeQuery).
func (s *Store) SignedInActor(ctx context.Context, orgID, id uuid.UUID) (people.SignedIn, error) {
	var (
		in        people.SignedIn
		o         organizationRow
		endpoints bool
		orgID2    pgtype.UUID
	)
	// The user's columns, then the organization's (its id through idDest)
	// and the endpoints' flag.
	dest := func(user []any, idDest any) []any {
		return append(user[:userColumnCount:userColumnCount], idDest, &o.Slug, &o.Name, &o.InviteTTLSeconds,
			&o.DefaultLocale, &o.TimeZone, &o.ReminderPolicy, &o.CreatedAt, &o.UpdatedAt, &endpoints)
	}
	found := false
	native, err := s.nativeQuery(ctx, signedInActorSQL+`$1 AND u.id = $2`, []any{orgID, id}, func(rows pgx.Rows) error {
		if !rows.Next() {
			return rows.Err()
		}
		scan := newPGUserScan(1, nil)
		if err := rows.Scan(dest(scan.dest, &orgID2)...); err != nil {
			return err
		}
		scan.iID.Valid = false
		in.User, o.ID, found = scan.user(), orgID2.Bytes, true
		return nil
	})
	if !native {
		scan := newUserScan()
		if err = s.conn(ctx).Raw(signedInActorSQL+`? AND u.id = ?`, orgID, id).Row().Scan(dest(scan.dest, &o.ID)...); err == nil {
			in.User, found = scan.user(), true
		}
	}
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	if err != nil {
		return people.SignedIn{}, translate(err, "User")
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	in.Organization, in.WebhookEndpoints = o.domain(), endpoints
	return in, nil
}

// signedInActorSQL is SignedInActor's statement, but for the values of its
// condition (the organization, then the user).
const signedInActorSQL = `SELECT ` + userColumns + `, ` + organizationColumns + `,
	EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.organization_id = o.id)
	FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.organization_id = `

// ListUsersAs implements people.Store. On PostgreSQL, outside a
// transaction, the signed-in user's statement goes out in one batch with
// the page's first statement (pgx pipelines them: one round trip, where
// a page used to take two); elsewhere it is SignedInUser then ListUsers.
func (s *Store) ListUsersAs(ctx context.Context, orgID, actorID uuid.UUID, f people.UserFilter) (people.User, error, []people.User, error) {
	fold := &actorFold{org: orgID, id: actorID}
	users, err := s.ListUsers(context.WithValue(ctx, actorFoldKey{}, fold), orgID, f)
	if !fold.done {
		actor, aerr := s.SignedInUser(ctx, orgID, actorID)
		return actor, aerr, users, err
	}
	return fold.user, fold.err, users, err
}

// UserByEmail implements people.Store.
func (s *Store) UserByEmail(ctx context.Context, orgID uuid.UUID, email string) (people.User, error) {
	return s.queryUser(ctx, false, "u.organization_id = ? AND lower(u.email) = ?", orgID, strings.ToLower(email))
}

// CreateUser implements people.Store.
func (s *Store) CreateUser(ctx context.Context, u *people.User) error {
	row := userRowOf(u)
	err := s.conn(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return emailTaken(u.Email)
	}
	return translate(err, "User")
}

// UpdateUser implements people.Store.
func (s *Store) UpdateUser(ctx context.Context, u *people.User) error {
	r := userRowOf(u)
	res := s.conn(ctx).Exec(`UPDATE users SET email = ?, first_name = ?, last_name = ?, role = ?, permissions = ?,
		status = ?, password_hash = ?, must_change_password = ?, email_suggestion = ?, latest_invite_id = ?,
		last_invited_at = ?, updated_at = ?, confirmed_at = ?, deactivated_at = ?, locale = ?, email_warnings = ?,
		next_reminder_at = CASE WHEN ? = 'invite_pending' THEN next_reminder_at END
		WHERE organization_id = ? AND id = ?`,
		r.Email, r.FirstName, r.LastName, r.Role, r.Permissions, r.Status, r.PasswordHash, r.MustChangePassword,
		r.EmailSuggestion, r.LatestInviteID, r.LastInvitedAt, r.UpdatedAt, r.ConfirmedAt, r.DeactivatedAt, r.Locale, r.EmailWarnings,
		r.Status, u.OrganizationID, u.ID)
	if res.Error != nil {
		if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			return emailTaken(u.Email)
		}
		return translate(res.Error, "User")
	}
	if res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "User not found.")
	}
	return nil
}

// emailTaken is the answer to a unique violation on users: the only
// unique key a caller can hit there is (organization, email).
func emailTaken(email string) error {
	e := apperr.New(apperr.EmailTaken, "Another user of this organization already uses %s.", email)
	e.Fields = []apperr.FieldError{apperr.Field("email", "taken", "email is already in use")}
	return e
}

// CountUsers implements people.Store.
func (s *Store) CountUsers(ctx context.Context, orgID uuid.UUID) (map[people.Status]int, error) {
	rows, err := s.conn(ctx).Raw(`SELECT status, count(*) FROM users WHERE organization_id = ? GROUP BY status`, orgID).Rows()
	if err != nil {
		return nil, translate(err, "Users")
	}
	defer rows.Close()
	counts := map[people.Status]int{}
	for _, st := range people.Statuses {
		counts[st] = 0
	}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, internal(err, 1)
		}
		counts[people.Status(st)] = n
	}
	return counts, translate(rows.Err(), "Users")
}

// ListUsers implements people.Store with keyset pagination: each sort order
// has an index whose leading columns match the filter, so a page reads only
// its own rows however deep it is, and the page's invites are joined after
// the page is cut, not before.
func (s *Store) ListUsers(ctx context.Context, orgID uuid.UUID, f people.UserFilter) ([]people.User, error) {
	l := s.userListing(orgID, f)
	c := f.After
	if f.Sort != people.SortLastInvitedD || c == nil {
		return s.listPage(ctx, l, f.Limit, f.Into)
	}
	// Users never invited come last in this order. "After (time, id)" is
	// then no single range of the index, and an OR of two ranges would be
	// read as a filter over every row before the cursor; so a page that
	// reaches the never-invited users reads them with a second query.
	if c.LastInvitedAt == nil {
		return s.listPage(ctx, l.and("u.last_invited_at IS NULL AND u.id < ?", c.ID), f.Limit, f.Into)
	}
	users, err := s.listPage(ctx, l.and("(u.last_invited_at, u.id) < (?, ?)", *c.LastInvitedAt, c.ID), f.Limit, f.Into)
	if err != nil || len(users) == f.Limit {
		return users, err
	}
	rest, err := s.listPage(ctx, l.and("u.last_invited_at IS NULL"), f.Limit-len(users), nil) // the buffer holds the first part
	return append(users, rest...), err
}

// userListing is the query of a page of users, being built.
type userListing struct {
	where []string
	args  []any
	order string
	// search plans the statement for its pattern each time (database.CustomPlan).
	search bool
	// from, when set, replaces "users u" as the rows the conditions
	// filter, with fromArgs bound before the conditions' args.
	from     string
	fromArgs []any
}

// source is what the listing reads its users u from.
func (l userListing) source() string {
	if l.from == "" {
		return "users u"
	}
	return l.from
}

// bind is the statement's arguments: first, leading ones of the caller's
// SELECT list, then the source's, then the conditions'.
func (l userListing) bind(leading ...any) []any {
	return append(append(leading, l.fromArgs...), l.args...)
}

// and returns l with one more condition; l itself is unchanged, so two
// queries can grow from one base.
func (l userListing) and(cond string, args ...any) userListing {
	l.where = append(slices.Clip(l.where), cond)
	l.args = append(slices.Clip(l.args), args...)
	return l
}

// userFilter turns f's filters into the conditions over users u; the
// order and the cursor are the caller's business.
func (s *Store) userFilter(orgID uuid.UUID, f people.UserFilter) userListing {
	l := userListing{where: []string{"u.organization_id = ?"}, args: []any{orgID}}
	if len(f.Statuses) == 1 {
		l = l.and("u.status = ?", string(f.Statuses[0]))
	} else if len(f.Statuses) > 1 {
		l = l.and("u.status IN ?", strs(f.Statuses))
	}
	if len(f.Roles) > 0 {
		l = l.and("u.role IN ?", strs(f.Roles))
	}
	if len(f.DeliveryStatuses) > 0 {
		l = l.and("EXISTS (SELECT 1 FROM invites d WHERE d.id = u.latest_invite_id AND d.delivery_status IN ?)", strs(f.DeliveryStatuses))
	}
	if len(f.UserIDs) > 0 {
		l = l.and("u.id IN ?", f.UserIDs)
	}
	if f.Query != "" {
		l = s.searchCondition(l, f.Query)
	}
	if f.InvitedBefore != nil {
		l = l.and("u.last_invited_at < ?", *f.InvitedBefore)
	}
	if f.InvitedBy != nil {
		l = l.and("EXISTS (SELECT 1 FROM invites b WHERE b.id = u.latest_invite_id AND b.created_by = ?)", *f.InvitedBy)
	}
	return l
}

// searchCondition adds q to the listing: a case-insensitive substring of
// the email or of the full name ("first last"), so a term never matches
// across the end of the email and the start of the name. Each of the two
// texts has a trigram index on PostgreSQL (migration 00011).
//
// A term with trigrams asks the two indexes for every match, in a
// subquery whose only choice is the bitmap OR of both, and the page is
// then read by primary key and sorted. The statement keeps a generic plan
// like every other listing, made without looking at the term, so its plan
// does not depend on what ANALYZE's sample says of the term: planned for
// the term, a page used to walk the organization in sort order whenever
// the sample made a rare term look common, five times slower
// (BENCHMARKS.md, Search). The cost is a read of every match, which for a
// term most people share is slower than the walk would be.
//
// A term without trigrams (no run of three letters or digits) gives the
// index nothing to look up; it filters the walk in sort order, planned for
// the term (database.CustomPlan).
func (s *Store) searchCondition(l userListing, query string) userListing {
	// The query is lower-cased in Go; the columns must be folded the same way.
	lower := "lower"
	if !s.postgres() {
		lower = database.SQLiteLower
	}
	pattern := "%" + escapeLike(query) + "%"
	match := func(alias string) string {
		return "(" + lower + "(" + alias + ".email) LIKE ? ESCAPE '\\' OR " +
			lower + "(" + alias + ".first_name || ' ' || " + alias + ".last_name) LIKE ? ESCAPE '\\')"
	}
	if s.postgres() && hasTrigram(query) {
		// The matches are read in a subquery of their own (OFFSET 0 keeps
		// PostgreSQL from merging it into the outer query) by primary key;
		// only then the organization and the other conditions filter them.
		// Merged, the generic plan would AND the matches with an index of
		// the organization, taking it for a small one: a read of all its
		// index entries, 100,000 for the measured one. For the same reason
		// the trigram subquery has no organization condition.
		l.from = "(SELECT * FROM users u WHERE u.id = ANY (ARRAY(SELECT s.id FROM users s WHERE " + match("s") + ")) OFFSET 0) u"
		l.fromArgs = []any{pattern, pattern}
		return l
	}
	l = l.and(match("u"), pattern, pattern)
	l.search = true
	return l
}

// hasTrigram reports whether a LIKE pattern around q gives pg_trgm a
// trigram to look up: a run of three letters or digits, which pg_trgm
// takes as a word.
func hasTrigram(q string) bool {
	run := 0
	for _, r := range q {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if run++; run == 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// conditions is the WHERE clause of the listing.
func (l userListing) conditions() string { return strings.Join(l.where, " AND ") }

// listingConn is the connection to run the listing's statement on: a
// search is planned for its pattern each time (database.CustomPlan).
func (s *Store) listingConn(ctx context.Context, l userListing) *gorm.DB {
	db := s.conn(ctx)
	if l.search {
		db = db.Set(database.CustomPlan, true)
	}
	return db
}

// userListing turns a filter into conditions and an order. The cursor of
// the last-invited order is left to ListUsers.
func (s *Store) userListing(orgID uuid.UUID, f people.UserFilter) userListing {
	l := s.userFilter(orgID, f)
	c := f.After
	switch f.Sort {
	case people.SortOldest:
		l.order = "u.created_at ASC, u.id ASC"
		if c != nil {
			l = l.and("(u.created_at, u.id) > (?, ?)", c.CreatedAt, c.ID)
		}
	case people.SortEmail:
		l.order = "u.email ASC, u.id ASC"
		if c != nil {
			l = l.and("(u.email, u.id) > (?, ?)", c.Email, c.ID)
		}
	case people.SortLastInvitedD:
		l.order = "u.last_invited_at DESC, u.id DESC"
		if s.postgres() {
			l.order = "u.last_invited_at DESC NULLS LAST, u.id DESC" // SQLite sorts NULLs last in DESC already
		}
	default:
		l.order = "u.created_at DESC, u.id DESC"
		if c != nil {
			l = l.and("(u.created_at, u.id) < (?, ?)", c.CreatedAt, c.ID)
		}
	}
	return l
}

// listPage reads up to limit users of the listing with their latest
// invites, into buf when it is not nil (people.PageBuffer).
func (s *Store) listPage(ctx context.Context, l userListing, limit int, buf *people.PageBuffer) ([]people.User, error) {
	q := fmt.Sprintf(`SELECT %s, %s, %s FROM (SELECT * FROM %s WHERE %s ORDER BY %s LIMIT %d) u
	%s ORDER BY %s`,
		userColumns, inviteColumns, inviterColumns, l.source(), l.conditions(), l.order, limit, inviteJoins, l.order)
	if buf == nil {
		buf = &people.PageBuffer{}
	}
	users := lend(&buf.Users, limit)
	// GORM spells the statement for PostgreSQL ($n, a list bound as one
	// value each) without running it; pgx then runs it.
	stmt := s.conn(ctx).Session(&gorm.Session{DryRun: true}).Raw(q, l.bind()...).Statement
	args := stmt.Vars
	if l.search {
		args = append([]any{pgx.QueryExecModeSimpleProtocol}, args...) // as database.CustomPlan does
	}
	native, err := s.nativeQuery(ctx, stmt.SQL.String(), args, func(rows pgx.Rows) error {
		scan := newPGUserScan(limit, buf)
		for rows.Next() {
			u, err := scan.scan(rows)
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		return nil
	})
	if native {
		return users, translate(err, "Users")
	}
	rows, err := s.listingConn(ctx, l).Raw(q, l.bind()...).Rows()
	if err != nil {
		return nil, translate(err, "Users")
	}
	defer rows.Close()
	scan := newUserScan()
	for rows.Next() {
		u, err := scan.scan(rows)
		if err != nil {
			return nil, internal(err, 1)
		}
		users = append(users, u)
	}
	return users, translate(rows.Err(), "Users")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// nullUUID scans a nullable uuid column.
type nullUUID struct {
	id    uuid.UUID
	valid bool
}

func (n *nullUUID) Scan(v any) error {
	if v == nil {
		n.valid = false
		return nil
	}
	n.valid = true
	return n.id.Scan(v)
}

func (n nullUUID) ptr() *uuid.UUID {
	if !n.valid {
		return nil
	}
	id := n.id
	return &id
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

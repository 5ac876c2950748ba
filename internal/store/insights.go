package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/people"
)

// funnelKey is the SQL of a grouping's key as text, over users; the week
// takes the time zone as its one argument.
func (s *Store) funnelKey(g people.FunnelGrouping) string {
	switch g {
	case people.ByWeek:
		if s.postgres() {
			return "to_char(date_trunc('week', first_invited_at AT TIME ZONE ?), 'YYYY-MM-DD')"
		}
		return database.SQLiteWeekStart + "(first_invited_at, ?)"
	case people.ByInviter:
		return "CAST(first_invited_by AS text)"
	case people.ByJob:
		return "CAST(first_invite_job_id AS text)"
	case people.ByDomain:
		if s.postgres() {
			return "split_part(email, '@', 2)"
		}
		return "substr(email, instr(email, '@') + 1)"
	case people.NoGrouping:
	}
	return "''"
}

// The figures of a group of people, over the columns of funnelFacts; the
// PostgreSQL and SQLite spellings count the same things.
const (
	funnelFacts = `SELECT %s AS k, status, first_delivered_at, accepted_at, reminders_total,
		extract(epoch FROM accepted_at - first_invited_at) AS accept_seconds
		FROM users WHERE organization_id = ? AND first_invited_at >= ? AND first_invited_at < ?`
	funnelFiguresPG = `count(*),
		count(*) FILTER (WHERE first_delivered_at IS NOT NULL OR accepted_at IS NOT NULL),
		count(*) FILTER (WHERE accepted_at IS NOT NULL),
		count(*) FILTER (WHERE status = 'invite_pending'),
		COALESCE(sum(reminders_total) FILTER (WHERE accepted_at IS NOT NULL), 0),
		count(*) FILTER (WHERE accepted_at IS NOT NULL AND reminders_total > 0),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY accept_seconds),
		percentile_cont(0.9) WITHIN GROUP (ORDER BY accept_seconds)`
	funnelFiguresSQLite = `count(*),
		COALESCE(sum(CASE WHEN first_delivered_at IS NOT NULL OR accepted_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN status = 'invite_pending' THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN accepted_at IS NOT NULL THEN reminders_total ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN accepted_at IS NOT NULL AND reminders_total > 0 THEN 1 ELSE 0 END), 0),
		NULL, NULL`
	sqliteFacts = `SELECT %s AS k, status, first_delivered_at, accepted_at, reminders_total,
		(julianday(accepted_at) - julianday(first_invited_at)) * 86400 AS accept_seconds
		FROM users WHERE organization_id = ? AND first_invited_at >= ? AND first_invited_at < ?`
)

// Funnel implements people.Store. The people first invited in the period
// are one range of users_funnel, which holds every column read here: on
// PostgreSQL one index-only scan computes the groups and the totals
// (GROUPING SETS), percentiles included. SQLite has neither grouping sets
// nor percentiles: it counts per group and in total, and hands the times to
// acceptance, sorted, to the caller.
func (s *Store) Funnel(ctx context.Context, orgID uuid.UUID, q people.FunnelQuery) ([]people.FunnelRow, error) {
	key := s.funnelKey(q.GroupBy)
	args := []any{orgID, q.From, q.To}
	if q.GroupBy == people.ByWeek {
		args = append([]any{q.TimeZone}, args...)
	}
	if s.postgres() {
		facts := fmt.Sprintf(funnelFacts, key)
		if q.GroupBy == people.NoGrouping {
			return s.funnelRows(ctx, `SELECT NULL, true, `+funnelFiguresPG+` FROM (`+facts+`) f`, args...)
		}
		return s.funnelRows(ctx, `SELECT k, GROUPING(k) = 1, `+funnelFiguresPG+` FROM (`+facts+`) f
			GROUP BY GROUPING SETS ((k), ())`, args...)
	}
	facts := fmt.Sprintf(sqliteFacts, key)
	rows, err := s.funnelRows(ctx, `SELECT NULL, 1, `+funnelFiguresSQLite+` FROM (`+facts+`) f`, args...)
	if err != nil {
		return nil, err
	}
	if q.GroupBy != people.NoGrouping {
		groups, err := s.funnelRows(ctx, `SELECT k, 0, `+funnelFiguresSQLite+` FROM (`+facts+`) f GROUP BY k`, args...)
		if err != nil {
			return nil, err
		}
		rows = append(groups, rows...)
	}
	return rows, s.acceptanceTimes(ctx, facts, args, rows)
}

// acceptanceTimes reads the seconds from first invitation to acceptance,
// in order, into the total and each group of rows (SQLite).
func (s *Store) acceptanceTimes(ctx context.Context, facts string, args []any, rows []people.FunnelRow) error {
	byKey := map[string]*people.FunnelRow{}
	var total *people.FunnelRow
	for i := range rows {
		if rows[i].Total {
			total = &rows[i]
		} else {
			byKey[rows[i].Key.String] = &rows[i]
		}
	}
	res, err := s.conn(ctx).Raw(`SELECT k, accept_seconds FROM (`+facts+`) f WHERE accepted_at IS NOT NULL ORDER BY accept_seconds`,
		args...).Rows()
	if err != nil {
		return translate(err, "Users")
	}
	defer res.Close()
	for res.Next() {
		var (
			k sql.NullString
			d float64
		)
		if err := res.Scan(&k, &d); err != nil {
			return internal(err, 1)
		}
		total.AcceptSeconds = append(total.AcceptSeconds, d)
		if r := byKey[k.String]; r != nil {
			r.AcceptSeconds = append(r.AcceptSeconds, d)
		}
	}
	return translate(res.Err(), "Users")
}

func (s *Store) funnelRows(ctx context.Context, q string, args ...any) ([]people.FunnelRow, error) {
	res, err := s.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, translate(err, "Users")
	}
	defer res.Close()
	var out []people.FunnelRow
	for res.Next() {
		var (
			r        people.FunnelRow
			p50, p90 sql.NullFloat64
		)
		if err := res.Scan(&r.Key, &r.Total, &r.Invited, &r.Delivered, &r.Accepted, &r.Pending, &r.RemindersBeforeAcceptance,
			&r.AcceptedAfterReminder, &p50, &p90); err != nil {
			return nil, internal(err, 1)
		}
		if p50.Valid && p90.Valid {
			r.MedianSeconds, r.P90Seconds = &p50.Float64, &p90.Float64
		}
		out = append(out, r)
	}
	return out, translate(res.Err(), "Users")
}

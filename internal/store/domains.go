package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/people"
)

// DomainTallies implements people.Store: one grouped pass over the
// organization's invitations mailed since the time (invites_recent), or
// over one domain's (invites_domain_recent).
func (s *Store) DomainTallies(ctx context.Context, orgID uuid.UUID, since time.Time, domain string) ([]people.DomainTally, error) {
	// A link handed over by hand was mailed to nobody.
	where, args := "i.organization_id = ? AND i.last_emailed_at >= ? AND i.delivery_status <> 'by_hand'", []any{orgID, since}
	if domain != "" {
		where, args = "i.organization_id = ? AND i.recipient_domain = ? AND i.last_emailed_at >= ? AND i.delivery_status <> 'by_hand'",
			[]any{orgID, domain, since}
	}
	rows, err := s.conn(ctx).Raw(`SELECT i.recipient_domain, i.delivery_status, CASE WHEN i.delivery_status IN ?
		THEN COALESCE(i.delivery_reason, '') ELSE '' END, count(*), max(i.delivery_event_at)
		FROM invites i WHERE `+where+` GROUP BY 1, 2, 3`, append([]any{problemStatuses}, args...)...).Rows()
	if err != nil {
		return nil, translate(err, "Invites")
	}
	defer rows.Close()
	var (
		out   []people.DomainTally
		index = map[string]int{}
	)
	for rows.Next() {
		var (
			d, status, reason string
			n                 int
			last              aggregateTime
		)
		if err := rows.Scan(&d, &status, &reason, &n, &last); err != nil {
			return nil, internal(err, 1)
		}
		i, ok := index[d]
		if !ok {
			i = len(out)
			index[d] = i
			out = append(out, people.DomainTally{Domain: d, ByStatus: map[people.DeliveryStatus]int{}, Reasons: map[string]int{}})
		}
		t := &out[i]
		t.ByStatus[people.DeliveryStatus(status)] += n
		if reason != "" {
			t.Reasons[reason] += n
		}
		if at := last.ptr(); at != nil && (t.LastEventAt == nil || at.After(*t.LastEventAt)) {
			t.LastEventAt = at
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "Invites")
	}
	return out, s.domainPeople(ctx, where, args, out, index)
}

// domainPeople counts, per domain, the people behind the invitations:
// verdicts are judged on people, so that one mistyped mailbox mailed three
// times does not condemn its domain.
func (s *Store) domainPeople(ctx context.Context, where string, args []any, out []people.DomainTally, index map[string]int) error {
	rows, err := s.conn(ctx).Raw(`SELECT i.recipient_domain,
		count(DISTINCT i.user_id) FILTER (WHERE i.delivery_status NOT IN ('queued', 'failed', 'by_hand')),
		count(DISTINCT i.user_id) FILTER (WHERE i.delivery_status = 'blocked'),
		count(DISTINCT i.user_id) FILTER (WHERE i.delivery_status IN ?)
		FROM invites i WHERE `+where+` GROUP BY 1`, append([]any{problemStatuses}, args...)...).Rows()
	if err != nil {
		return translate(err, "Invites")
	}
	defer rows.Close()
	for rows.Next() {
		var (
			d string
			p people.DomainPeople
		)
		if err := rows.Scan(&d, &p.Reached, &p.Blocked, &p.Troubled); err != nil {
			return internal(err, 1)
		}
		if i, ok := index[d]; ok {
			out[i].People = p
		}
	}
	return translate(rows.Err(), "Invites")
}

// problemStatuses are the statuses whose reasons the report collects.
var problemStatuses = []string{string(people.DeliveryBounced), string(people.DeliveryBlocked), string(people.DeliveryDropped),
	string(people.DeliveryDeferred), string(people.DeliverySpamReport)}

// DomainsWithoutMailServer implements people.Store through the partial
// index of users with email warnings: there are few of them.
func (s *Store) DomainsWithoutMailServer(ctx context.Context, orgID uuid.UUID) (map[string]bool, error) {
	rows, err := s.conn(ctx).Raw(`SELECT email, email_warnings FROM users WHERE organization_id = ? AND email_warnings <> ''`, orgID).Rows()
	if err != nil {
		return nil, translate(err, "Users")
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var email, warnings string
		if err := rows.Scan(&email, &warnings); err != nil {
			return nil, internal(err, 1)
		}
		if strings.Contains(","+warnings+",", ","+people.WarningNoMailServer+",") {
			_, d, _ := strings.Cut(email, "@")
			out[d] = true
		}
	}
	return out, translate(rows.Err(), "Users")
}

// aggregateTime scans a nullable time computed by the query (max(), min()):
// SQLite returns those as the text it stores, with no column type to tell
// its driver that they are times.
type aggregateTime struct {
	t     time.Time
	valid bool
}

// sqliteTimeLayout is how the SQLite database stores times (_time_format=sqlite).
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

func (a *aggregateTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		a.valid = false
		return nil
	case time.Time:
		a.t, a.valid = v.UTC(), true
		return nil
	case string:
		return a.parse(v)
	case []byte:
		return a.parse(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T as a time", v)
	}
}

func (a *aggregateTime) parse(s string) error {
	t, err := time.Parse(sqliteTimeLayout, s)
	if err != nil {
		return fmt.Errorf("store: time %q: %w", s, err)
	}
	a.t, a.valid = t.UTC(), true
	return nil
}

func (a aggregateTime) ptr() *time.Time {
	if !a.valid {
		return nil
	}
	t := a.t
	return &t
}

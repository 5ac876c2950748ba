package people

import (
	"cmp"
	"context"
	"database/sql"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
)

// FunnelGrouping is how the funnel splits the people it counts.
type FunnelGrouping string

// Funnel groupings.
const (
	NoGrouping FunnelGrouping = ""
	// ByWeek: the week of the first invitation, Monday to Sunday in the
	// organization's time zone.
	ByWeek FunnelGrouping = "week"
	// ByInviter: who sent the first invitation.
	ByInviter FunnelGrouping = "inviter"
	// ByDomain: the domain of the person's address.
	ByDomain FunnelGrouping = "domain"
	// ByJob: the bulk job (import or bulk resend) that sent the first invitation.
	ByJob FunnelGrouping = "job"
)

// FunnelGroupings lists the groupings a client may ask for.
var FunnelGroupings = []FunnelGrouping{ByWeek, ByInviter, ByDomain, ByJob}

// Bounds of the funnel.
const (
	DefaultFunnelPeriod = 12 * 7 * 24 * time.Hour
	MaxFunnelPeriod     = 3 * 366 * 24 * time.Hour
	MaxFunnelGroups     = 500
)

// FunnelQuery is what the store counts: the people first invited in [From, To).
type FunnelQuery struct {
	From, To time.Time
	GroupBy  FunnelGrouping
	// TimeZone places the weeks.
	TimeZone string
}

// FunnelRow is one group's counts as the store computes them.
type FunnelRow struct {
	// Key is the group's key as text; null for the people without one
	// (no inviter, no job). Unused by the total.
	Key sql.NullString
	// Total marks the row that counts every person of the period.
	Total                     bool
	Invited                   int
	Delivered                 int
	Accepted                  int
	Pending                   int
	RemindersBeforeAcceptance int
	AcceptedAfterReminder     int
	// MedianSeconds and P90Seconds are computed by the store when it can;
	// otherwise it gives AcceptSeconds, every time to acceptance, sorted.
	MedianSeconds, P90Seconds *float64
	AcceptSeconds             []float64
}

// FunnelFigures are the funnel of a group of people.
type FunnelFigures struct {
	// Invited counts the people first invited in the period.
	Invited int
	// Delivered counts those an invitation is known to have reached.
	Delivered int
	Accepted  int
	// Pending counts those still invite-pending now.
	Pending int
	// AcceptanceRate is Accepted / Invited.
	AcceptanceRate float64
	// MedianTimeToAccept and P90TimeToAccept run from the first invitation
	// to the acceptance; nil when nobody accepted.
	MedianTimeToAccept, P90TimeToAccept *time.Duration
	// RemindersBeforeAcceptance counts the reminders the people who
	// accepted were sent before they did.
	RemindersBeforeAcceptance int
	// AcceptedAfterReminder counts the people who accepted after at least one reminder.
	AcceptedAfterReminder int
}

// FunnelGroup is one group of the funnel.
type FunnelGroup struct {
	// Key is the week's Monday (YYYY-MM-DD), the inviter's or the job's id,
	// or the domain; empty for the people without an inviter or a job.
	Key string
	// Label names the group for people: the inviter's name, the job's kind and date.
	Label string
	FunnelFigures
}

// Funnel is how the invitations of a period turned into active people.
type Funnel struct {
	From, To time.Time
	GroupBy  FunnelGrouping
	TimeZone string
	Totals   FunnelFigures
	Groups   []FunnelGroup
	// HasMore is true when there were more than MaxFunnelGroups groups:
	// the largest are kept.
	HasMore bool
}

// FunnelParams are GET /insights/invitations as the client asked: zero
// values ask for the defaults.
type FunnelParams struct {
	From, To *time.Time
	GroupBy  FunnelGrouping
}

// InvitationFunnel counts, for the people first invited in a period, how
// many an invitation reached, how many accepted and how fast, how many are
// still pending, and the reminders they needed — in total and per group.
func (s *Service) InvitationFunnel(ctx context.Context, actor Actor, p FunnelParams) (Funnel, error) {
	if err := actor.RequireManager(); err != nil {
		return Funnel{}, err
	}
	org, err := s.store.OrganizationByID(ctx, actor.OrganizationID)
	if err != nil {
		return Funnel{}, err
	}
	q, err := s.funnelQuery(p, org)
	if err != nil {
		return Funnel{}, err
	}
	rows, err := s.store.Funnel(ctx, org.ID, q)
	if err != nil {
		return Funnel{}, err
	}
	f := Funnel{From: q.From, To: q.To, GroupBy: q.GroupBy, TimeZone: q.TimeZone, Groups: []FunnelGroup{}}
	for _, r := range rows {
		if r.Total {
			f.Totals = figures(r)
			continue
		}
		f.Groups = append(f.Groups, FunnelGroup{Key: r.Key.String, Label: r.Key.String, FunnelFigures: figures(r)})
	}
	if q.GroupBy == ByWeek {
		slices.SortFunc(f.Groups, func(a, b FunnelGroup) int { return strings.Compare(a.Key, b.Key) })
	} else {
		slices.SortStableFunc(f.Groups, func(a, b FunnelGroup) int {
			if a.Invited != b.Invited {
				return b.Invited - a.Invited
			}
			return strings.Compare(a.Key, b.Key)
		})
	}
	if len(f.Groups) > MaxFunnelGroups {
		f.Groups, f.HasMore = f.Groups[:MaxFunnelGroups], true
	}
	return f, s.labelGroups(ctx, org.ID, &f)
}

func (s *Service) funnelQuery(p FunnelParams, org Organization) (FunnelQuery, error) {
	q := FunnelQuery{To: s.now(), GroupBy: p.GroupBy, TimeZone: org.timeZone()}
	if p.To != nil {
		q.To = p.To.UTC()
	}
	q.From = q.To.Add(-DefaultFunnelPeriod)
	if p.From != nil {
		q.From = p.From.UTC()
	}
	var errs []apperr.FieldError
	switch {
	case !q.From.Before(q.To):
		errs = append(errs, apperr.Field("from", "invalid", "from must be before to"))
	case q.To.Sub(q.From) > MaxFunnelPeriod:
		errs = append(errs, apperr.Field("from", "invalid", "the period may span at most 3 years"))
	}
	if q.GroupBy != NoGrouping && !slices.Contains(FunnelGroupings, q.GroupBy) {
		errs = append(errs, apperr.Field("group_by", "invalid", "group_by must be one of %s, got %q", joinValues(FunnelGroupings), p.GroupBy))
	}
	if len(errs) > 0 {
		return FunnelQuery{}, apperr.Invalid(errs...)
	}
	return q, nil
}

func figures(r FunnelRow) FunnelFigures {
	f := FunnelFigures{Invited: r.Invited, Delivered: r.Delivered, Accepted: r.Accepted, Pending: r.Pending,
		RemindersBeforeAcceptance: r.RemindersBeforeAcceptance, AcceptedAfterReminder: r.AcceptedAfterReminder}
	if r.Invited > 0 {
		f.AcceptanceRate = math.Round(float64(r.Accepted)/float64(r.Invited)*10_000) / 10_000
	}
	p50, p90 := r.MedianSeconds, r.P90Seconds
	if p50 == nil && len(r.AcceptSeconds) > 0 {
		a, b := percentile(r.AcceptSeconds, 0.5), percentile(r.AcceptSeconds, 0.9)
		p50, p90 = &a, &b
	}
	if p50 != nil {
		m, n := seconds(*p50), seconds(*p90)
		f.MedianTimeToAccept, f.P90TimeToAccept = &m, &n
	}
	return f
}

// percentile interpolates linearly between the closest ranks of sorted, as
// PostgreSQL's percentile_cont does.
func percentile(sorted []float64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	if lo+1 >= len(sorted) {
		return sorted[lo]
	}
	return sorted[lo] + (sorted[lo+1]-sorted[lo])*(pos-float64(lo))
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s)) * time.Second }

// labelGroups names the inviters and jobs of the groups.
func (s *Service) labelGroups(ctx context.Context, orgID uuid.UUID, f *Funnel) error {
	switch f.GroupBy {
	case ByInviter:
		var ids []uuid.UUID
		for _, g := range f.Groups {
			if id, err := uuid.Parse(g.Key); err == nil {
				ids = append(ids, id)
			}
		}
		users, err := s.store.UsersByID(ctx, orgID, ids)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, u := range users {
			names[u.ID.String()] = cmp.Or(u.FullName(), u.Email)
		}
		for i := range f.Groups {
			g := &f.Groups[i]
			g.Label = cmp.Or(names[g.Key], "someone no longer in the organization")
			if g.Key == "" {
				g.Label = "nobody (renewals and operator tools)"
			}
		}
	case ByJob:
		for i := range f.Groups {
			g := &f.Groups[i]
			id, err := uuid.Parse(g.Key)
			if err != nil {
				g.Label = "no job (invited one by one)"
				continue
			}
			j, err := s.store.Job(ctx, orgID, id)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			g.Label = "a bulk job that no longer exists"
			if err == nil {
				g.Label = string(j.Kind) + " of " + j.CreatedAt.UTC().Format("2 January 2006 15:04 MST")
			}
		}
	case NoGrouping, ByWeek, ByDomain:
	}
	return nil
}

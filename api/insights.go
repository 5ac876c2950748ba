package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/people"
)

// FunnelFigures are the funnel of a group of people first invited in the period.
type FunnelFigures struct {
	// Invited counts the people whose first invitation falls in the period.
	Invited int `json:"invited" example:"120"`
	// Delivered counts those an invitation is known to have reached (a delivery event, or their acceptance).
	Delivered int `json:"delivered" example:"112"`
	Accepted  int `json:"accepted" example:"87"`
	// Pending counts those still invite-pending now.
	Pending int `json:"pending" example:"30"`
	// AcceptanceRate is accepted / invited, from 0 to 1.
	AcceptanceRate float64 `json:"acceptance_rate" example:"0.725"`
	// MedianSecondsToAccept is the median time from the first invitation to the acceptance; null when nobody accepted.
	MedianSecondsToAccept *int64 `json:"median_seconds_to_accept" extensions:"x-nullable" example:"93600"`
	// P90SecondsToAccept is the 90th percentile of the same times.
	P90SecondsToAccept *int64 `json:"p90_seconds_to_accept" extensions:"x-nullable" example:"518400"`
	// RemindersBeforeAcceptance counts the reminders the people who accepted were sent before they did.
	RemindersBeforeAcceptance int `json:"reminders_before_acceptance" example:"41"`
	// AcceptedAfterReminder counts the people who accepted after at least one reminder.
	AcceptedAfterReminder int `json:"accepted_after_reminder" example:"29"`
}

// FunnelGroup is one group of the funnel.
type FunnelGroup struct {
	// Key is the Monday of the week (YYYY-MM-DD), the inviter's or the job's id, or the domain; null for the people with no inviter or no job.
	Key *string `json:"key" extensions:"x-nullable" example:"2026-11-23"`
	// Label names the group: the inviter's name, the job's kind and time.
	Label string `json:"label" example:"2026-11-23"`
	FunnelFigures
}

// InvitationFunnel is how the invitations of a period turned into active people.
type InvitationFunnel struct {
	From time.Time `json:"from" format:"date-time" example:"2026-09-01T00:00:00Z"`
	To   time.Time `json:"to" format:"date-time" example:"2026-12-01T00:00:00Z"`
	// GroupBy is the grouping asked for; null without one.
	GroupBy *string `json:"group_by" enums:"week,inviter,domain,job" extensions:"x-nullable" example:"week"`
	// TimeZone is the organization's, in which the weeks begin on Monday.
	TimeZone string        `json:"time_zone" example:"Europe/Paris"`
	Totals   FunnelFigures `json:"totals"`
	// Groups are the weeks in order, or the other groups from the largest; empty without group_by.
	Groups []FunnelGroup `json:"groups"`
	// HasMore is true when there were more than 500 groups; the largest are listed.
	HasMore bool `json:"has_more" example:"false"`
}

func funnelFiguresView(f people.FunnelFigures) FunnelFigures {
	v := FunnelFigures{Invited: f.Invited, Delivered: f.Delivered, Accepted: f.Accepted, Pending: f.Pending,
		AcceptanceRate: f.AcceptanceRate, RemindersBeforeAcceptance: f.RemindersBeforeAcceptance,
		AcceptedAfterReminder: f.AcceptedAfterReminder}
	if f.MedianTimeToAccept != nil {
		v.MedianSecondsToAccept = new(int64(f.MedianTimeToAccept.Seconds()))
		v.P90SecondsToAccept = new(int64(f.P90TimeToAccept.Seconds()))
	}
	return v
}

// invitationFunnel godoc
//
//	@Summary		The invitation funnel
//	@Description	For the people whose first invitation falls in [from, to) (default: the last 12 weeks), how many an invitation reached, how many accepted, the acceptance rate, the median and 90th-percentile time from the first invitation to the acceptance, how many are still pending, and the reminders sent to those who accepted before they did — in total and, with group_by, per week of the first invitation (in the organization's time zone), per inviter, per email domain or per bulk job. Computed from the facts recorded as invitations are sent, delivered and accepted.
//	@ID				invitationFunnel
//	@Tags			Insights
//	@Security		BearerAuth
//	@Produce		json
//	@Param			from		query		string				false	"Start of the period (RFC 3339); default 12 weeks before to"	format(date-time)	example(2026-09-01T00:00:00Z)
//	@Param			to			query		string				false	"End of the period, excluded (RFC 3339); default now; at most 3 years after from"	format(date-time)	example(2026-12-01T00:00:00Z)
//	@Param			group_by	query		string				false	"Split the figures by week, inviter, domain or job"	Enums(week, inviter, domain, job)
//	@Success		200			{object}	InvitationFunnel	"The funnel"
//	@Failure		400			{object}	Problem				"invalid_request: unknown parameter, from, to or group_by (errors names it)"
//	@Failure		401			{object}	Problem				"unauthorized"
//	@Failure		403			{object}	Problem				"forbidden"
//	@Router			/insights/invitations [get]
func (s *Server) invitationFunnel(c echo.Context) error {
	if err := allowQuery(c, "from", "to", "group_by"); err != nil {
		return err
	}
	q := newQuery(c)
	fp := people.FunnelParams{From: q.time("from"), To: q.time("to"), GroupBy: people.FunnelGrouping(q.string("group_by"))}
	if err := q.err(); err != nil {
		return err
	}
	f, err := s.svc.InvitationFunnel(c.Request().Context(), actorOf(c), fp)
	if err != nil {
		return err
	}
	out := InvitationFunnel{From: f.From, To: f.To, TimeZone: f.TimeZone, Totals: funnelFiguresView(f.Totals),
		Groups: make([]FunnelGroup, 0, len(f.Groups)), HasMore: f.HasMore}
	if f.GroupBy != people.NoGrouping {
		out.GroupBy = new(string(f.GroupBy))
	}
	for _, g := range f.Groups {
		out.Groups = append(out.Groups, FunnelGroup{Key: cursorPtr(g.Key), Label: g.Label, FunnelFigures: funnelFiguresView(g.FunnelFigures)})
	}
	return writeJSON(c, http.StatusOK, out)
}

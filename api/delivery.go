package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/people"
)

// DomainHealth is the delivery record of one recipient domain.
type DomainHealth struct {
	Domain string `json:"domain" example:"acme-corp.example"`
	// Invitations counts the invitations mailed to the domain in the period.
	Invitations int `json:"invitations" example:"42"`
	// Sent counts those the email provider accepted.
	Sent        int `json:"sent" example:"41"`
	Delivered   int `json:"delivered" example:"3"`
	Deferred    int `json:"deferred" example:"1"`
	Bounced     int `json:"bounced" example:"0"`
	Blocked     int `json:"blocked" example:"37"`
	Dropped     int `json:"dropped" example:"0"`
	SpamReports int `json:"spam_reports" example:"0"`
	// Failed counts those the provider refused outright (a configuration problem, not the domain's).
	Failed int `json:"failed" example:"1"`
	// TopReason is the most common of the provider's reasons for bounces, blocks, drops, deferrals and spam reports.
	TopReason string `json:"top_reason,omitempty" example:"554 5.7.1 Service unavailable; client host blocked"`
	// LastEventAt is the time of the latest delivery event from the domain's invitations.
	LastEventAt *time.Time `json:"last_event_at" format:"date-time" extensions:"x-nullable" example:"2026-11-24T16:05:14Z"`
	// Verdict, judged on the people the invitations went to: blocking (the invitations of more than half of the people reached, two at least, were blocked), invalid (an address of the domain has no mail server), degraded (those of a fifth or more, two at least, bounced, were blocked, dropped, deferred or reported as spam), healthy.
	Verdict string `json:"verdict" enums:"healthy,degraded,blocking,invalid" example:"blocking"`
	// RemindersStopped counts the invite-pending people of the domain whose automatic reminders were stopped because their latest invitation bounced, was blocked, dropped or reported as spam (the reminder policy's skip_when_undeliverable; see GET /organization/reminders): they need another way in, such as a password set for them.
	RemindersStopped int `json:"reminders_stopped" example:"12"`
	// Advice says what an administrator can do about the verdict.
	Advice string `json:"advice" example:"Most invitations to this domain are blocked: its mail server likely rejects our sender. Ask its IT team to allow-list the sender (domain authentication helps), or set passwords for these people."`
}

// DomainHealthList is the delivery report, the worst domains first.
type DomainHealthList struct {
	Data []DomainHealth `json:"data"`
	// Since is the start of the period the report covers.
	Since time.Time `json:"since" format:"date-time" example:"2026-10-26T09:00:00Z"`
	// HasMore is true when more domains matched than limit.
	HasMore bool `json:"has_more" example:"false"`
}

// UserDomainHealth names the verdict on the domain of a user's address when it is not healthy.
type UserDomainHealth struct {
	Domain  string `json:"domain" example:"acme-corp.example"`
	Verdict string `json:"verdict" enums:"degraded,blocking,invalid" example:"blocking"`
	Advice  string `json:"advice" example:"Most invitations to this domain are blocked: its mail server likely rejects our sender. Ask its IT team to allow-list the sender (domain authentication helps), or set passwords for these people."`
}

func domainHealthView(h people.DomainHealth) DomainHealth {
	return DomainHealth{Domain: h.Domain, Invitations: h.Invitations, Sent: h.Sent, Delivered: h.Delivered, Deferred: h.Deferred,
		Bounced: h.Bounced, Blocked: h.Blocked, Dropped: h.Dropped, SpamReports: h.SpamReports, Failed: h.Failed,
		TopReason: h.TopReason, LastEventAt: utc(h.LastEventAt), Verdict: string(h.Verdict), Advice: h.Verdict.Advice(),
		RemindersStopped: h.RemindersStopped}
}

// listDeliveryDomains godoc
//
//	@Summary		Delivery health per recipient domain
//	@Description	For every domain the organization's invitations were mailed to since a time (default: the last 30 days), what became of them and a verdict with advice, judged on the people the invitations went to so that one mistyped mailbox does not condemn its domain: blocking when the invitations of more than half of the people the provider reached (two at least) were blocked — the domain's mail server likely rejects our sender; invalid when an address of the domain was found to have no mail server; degraded when those of a fifth or more (two at least) bounced, were blocked, dropped, deferred or reported as spam; healthy otherwise. An invitation counts where its latest email stands. The worst domains come first, then the busiest.
//	@ID				listDeliveryDomains
//	@Tags			Delivery
//	@Security		BearerAuth
//	@Produce		json
//	@Param			since	query		string				false	"Start of the period (RFC 3339, not in the future); default 30 days ago"	format(date-time)	example(2026-11-01T00:00:00Z)
//	@Param			verdict	query		[]string			false	"Only these verdicts, comma-separated"										collectionFormat(csv)	Enums(healthy, degraded, blocking, invalid)
//	@Param			limit	query		int					false	"At most this many domains"													minimum(1)				maximum(1000)	default(100)
//	@Success		200		{object}	DomainHealthList	"The domains, the worst first"
//	@Failure		400		{object}	Problem				"invalid_request: unknown parameter, since, verdict or limit (errors names it)"
//	@Failure		401		{object}	Problem				"unauthorized"
//	@Failure		403		{object}	Problem				"forbidden"
//	@Router			/delivery/domains [get]
func (s *Server) listDeliveryDomains(c echo.Context) error {
	if err := allowQuery(c, "since", "verdict", "limit"); err != nil {
		return err
	}
	q := newQuery(c)
	dq := people.DomainReportQuery{Since: q.time("since"), Verdicts: queryList[people.DomainVerdict](q, "verdict"),
		Limit: q.limit("limit", people.MaxDomainLimit)}
	if err := q.err(); err != nil {
		return err
	}
	r, err := s.svc.DomainReport(c.Request().Context(), actorOf(c), dq)
	if err != nil {
		return err
	}
	out := DomainHealthList{Data: make([]DomainHealth, 0, len(r.Domains)), Since: r.Since, HasMore: r.HasMore}
	for _, h := range r.Domains {
		out.Data = append(out.Data, domainHealthView(h))
	}
	return writeJSON(c, http.StatusOK, out)
}

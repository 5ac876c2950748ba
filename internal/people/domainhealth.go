package people

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
)

// DomainVerdict is how well invitations reach one recipient domain.
type DomainVerdict string

// Domain verdicts, from the worst.
const (
	// DomainBlocking: the invitations of more than half of the people
	// reached there were blocked (two people at least).
	DomainBlocking DomainVerdict = "blocking"
	// DomainInvalid: the domain has no mail server.
	DomainInvalid DomainVerdict = "invalid"
	// DomainDegraded: those of a fifth or more (two people at least)
	// bounced, were blocked, dropped, deferred or reported as spam.
	DomainDegraded DomainVerdict = "degraded"
	// DomainHealthy: they arrive.
	DomainHealthy DomainVerdict = "healthy"
)

// DomainVerdicts lists every verdict, from the worst.
var DomainVerdicts = []DomainVerdict{DomainBlocking, DomainInvalid, DomainDegraded, DomainHealthy}

func (v DomainVerdict) severity() int { return slices.Index(DomainVerdicts, v) }

// Advice is what an administrator can do about the verdict.
func (v DomainVerdict) Advice() string {
	switch v {
	case DomainBlocking:
		return "Most invitations to this domain are blocked: its mail server likely rejects our sender. " +
			"Ask its IT team to allow-list the sender (domain authentication helps), or set passwords for these people."
	case DomainInvalid:
		return "This domain has no mail server, so nobody there can receive an invitation. " +
			"Check the addresses for typos, or set passwords for these people."
	case DomainDegraded:
		return "Some invitations to this domain do not arrive: they bounce, are deferred, dropped or reported as spam. " +
			"Check the addresses of the people concerned; if it persists, ask the domain's IT team about our sender."
	case DomainHealthy:
		return "Invitations to this domain arrive."
	}
	return ""
}

// DefaultDomainWindow is the period the delivery report covers by default.
const DefaultDomainWindow = 30 * 24 * time.Hour

// Bounds of the delivery report.
const (
	DefaultDomainLimit = 100
	MaxDomainLimit     = 1000
)

// DomainTally counts the invitations mailed to one domain by their delivery status.
type DomainTally struct {
	Domain   string
	ByStatus map[DeliveryStatus]int
	// Reasons counts the provider's reasons of the statuses that went wrong.
	Reasons map[string]int
	// LastEventAt is the time of the latest provider event among them.
	LastEventAt *time.Time
	// People counts the people behind the invitations.
	People DomainPeople
	// NoMailServer: an address at the domain was found to have no mail server.
	NoMailServer bool
	// RemindersStopped counts the invite-pending people of the domain whose
	// automatic reminders an undeliverable invitation stopped.
	RemindersStopped int
}

// DomainPeople counts the distinct people a domain's invitations went to.
type DomainPeople struct {
	// Reached: people with an invitation the provider accepted.
	Reached int
	// Blocked: people with a blocked invitation.
	Blocked int
	// Troubled: people with an invitation bounced, blocked, dropped,
	// deferred or reported as spam.
	Troubled int
}

// A verdict needs this many people in trouble: one person's mistyped or
// full mailbox says nothing about their domain.
const minTroubledPeople = 2

// DomainHealth is the delivery record of one recipient domain with its verdict.
type DomainHealth struct {
	Domain      string
	Invitations int
	// Sent counts the invitations the provider accepted.
	Sent        int
	Delivered   int
	Deferred    int
	Bounced     int
	Blocked     int
	Dropped     int
	SpamReports int
	Failed      int
	// TopReason is the most common of the provider's reasons for the failures.
	TopReason   string
	LastEventAt *time.Time
	Verdict     DomainVerdict
	// RemindersStopped counts the invite-pending people of the domain
	// whose automatic reminders were stopped after a bounce, block, drop or
	// spam report (docs/reminders.md): whom the administrator must reach
	// some other way.
	RemindersStopped int
}

// problems counts the invitations that did not arrive, or not yet.
func (h DomainHealth) problems() int {
	return h.Bounced + h.Blocked + h.Dropped + h.Deferred + h.SpamReports
}

// judge turns a tally into the domain's record and verdict.
func judge(t DomainTally) DomainHealth {
	h := DomainHealth{Domain: t.Domain, LastEventAt: t.LastEventAt,
		Delivered: t.ByStatus[DeliveryDelivered], Deferred: t.ByStatus[DeliveryDeferred], Bounced: t.ByStatus[DeliveryBounced],
		Blocked: t.ByStatus[DeliveryBlocked], Dropped: t.ByStatus[DeliveryDropped], SpamReports: t.ByStatus[DeliverySpamReport],
		Failed: t.ByStatus[DeliveryFailed], RemindersStopped: t.RemindersStopped}
	for st, n := range t.ByStatus {
		h.Invitations += n
		if st.accepted() {
			h.Sent += n
		}
	}
	best := 0
	for reason, n := range t.Reasons {
		if n > best || (n == best && reason < h.TopReason) {
			h.TopReason, best = reason, n
		}
	}
	p := t.People
	switch {
	case t.NoMailServer:
		h.Verdict = DomainInvalid
	case p.Blocked >= minTroubledPeople && p.Blocked*2 > p.Reached:
		h.Verdict = DomainBlocking
	case p.Troubled >= minTroubledPeople && p.Troubled*5 >= p.Reached:
		h.Verdict = DomainDegraded
	default:
		h.Verdict = DomainHealthy
	}
	return h
}

// accepted reports whether the provider took the message: every status
// but waiting for it, its refusal, and no email at all.
func (d DeliveryStatus) accepted() bool {
	return d != DeliveryQueued && d != DeliveryFailed && d != DeliveryByHand && d != ""
}

// DomainReportQuery is GET /delivery/domains as the client asked: zero
// values ask for the defaults.
type DomainReportQuery struct {
	Since    *time.Time
	Verdicts []DomainVerdict
	Limit    int
}

// DomainReport is the delivery record of the organization's recipient domains.
type DomainReport struct {
	Since   time.Time
	Domains []DomainHealth
	HasMore bool
}

// DomainReport tells, per recipient domain of the invitations mailed since
// a time, what became of them and what to do: the worst domains first.
func (s *Service) DomainReport(ctx context.Context, actor Actor, q DomainReportQuery) (DomainReport, error) {
	if err := actor.RequireManager(); err != nil {
		return DomainReport{}, err
	}
	now := s.now()
	since := now.Add(-DefaultDomainWindow)
	var errs []apperr.FieldError
	if q.Since != nil {
		if q.Since.After(now) {
			errs = append(errs, apperr.Field("since", "invalid", "since must not be in the future"))
		}
		since = q.Since.UTC()
	}
	list, fe := allowedList("verdict", q.Verdicts, DomainVerdicts)
	if fe != nil {
		errs = append(errs, *fe)
	}
	verdicts := map[DomainVerdict]bool{}
	for _, v := range list {
		verdicts[v] = true
	}
	limit := DefaultDomainLimit
	if q.Limit != 0 {
		if limit = q.Limit; limit < 1 || limit > MaxDomainLimit {
			errs = append(errs, LimitError("limit", strconv.Itoa(limit), MaxDomainLimit))
		}
	}
	if len(errs) > 0 {
		return DomainReport{}, apperr.Invalid(errs...)
	}
	tallies, err := s.tallies(ctx, actor.OrganizationID, since)
	if err != nil {
		return DomainReport{}, err
	}
	r := DomainReport{Since: since, Domains: []DomainHealth{}}
	for _, t := range tallies {
		if h := judge(t); len(verdicts) == 0 || verdicts[h.Verdict] {
			r.Domains = append(r.Domains, h)
		}
	}
	slices.SortFunc(r.Domains, func(a, b DomainHealth) int {
		return cmp.Or(cmp.Compare(a.Verdict.severity(), b.Verdict.severity()), cmp.Compare(b.Invitations, a.Invitations),
			strings.Compare(a.Domain, b.Domain))
	})
	if len(r.Domains) > limit {
		r.Domains, r.HasMore = r.Domains[:limit], true
	}
	return r, nil
}

// tallies are the store's tallies with what the deliverability check
// found: a domain where an address has no mail server is invalid.
func (s *Service) tallies(ctx context.Context, orgID uuid.UUID, since time.Time) ([]DomainTally, error) {
	tallies, err := s.store.DomainTallies(ctx, orgID, since, "")
	if err != nil {
		return nil, err
	}
	invalid, err := s.store.DomainsWithoutMailServer(ctx, orgID)
	if err != nil {
		return nil, err
	}
	stopped, err := s.store.RemindersStoppedByDomain(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for i := range tallies {
		tallies[i].NoMailServer = invalid[tallies[i].Domain]
		tallies[i].RemindersStopped = stopped[tallies[i].Domain]
	}
	return tallies, nil
}

// userDomainHealth is the record of the domain of u's address over the
// default window: what the view of one user and a resend's warnings tell.
// The domain is invalid when u's own address was found to have no mail server.
// The tally comes from the replica's cache of recent ones (domainHealthCache).
func (s *Service) userDomainHealth(ctx context.Context, u User) (DomainHealth, error) {
	domain := emailDomain(u.Email)
	t, err := s.domainHealth.tally(ctx, u.OrganizationID, domain, func(ctx context.Context) (DomainTally, error) {
		tallies, err := s.store.DomainTallies(ctx, u.OrganizationID, s.now().Add(-DefaultDomainWindow), domain)
		if err != nil || len(tallies) == 0 {
			return DomainTally{Domain: domain}, err
		}
		return tallies[0], nil
	})
	if err != nil {
		return DomainHealth{}, err
	}
	t.NoMailServer = slices.Contains(u.EmailWarnings, WarningNoMailServer)
	return judge(t), nil
}

// UserDomainHealth is the record of the user's email domain, for the view
// of one user.
func (s *Service) UserDomainHealth(ctx context.Context, actor Actor, u User) (DomainHealth, error) {
	if err := actor.RequireManager(); err != nil {
		return DomainHealth{}, err
	}
	return s.userDomainHealth(ctx, u)
}

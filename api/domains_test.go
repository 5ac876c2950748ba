package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/maildomain/dnstest"
	"github.com/invitedhq/invited/internal/people"
)

// event reports one scripted SendGrid event about u's latest invitation.
func event(e *apitest.Env, org apitest.Org, u people.User, typ, bounceType string) {
	e.T.Helper()
	e.DeliveryEvents(sendgridtest.Event{Type: typ, BounceType: bounceType, Email: u.Email, InviteID: e.LatestInvite(u).ID.String(),
		OrganizationID: org.ID.String(), Timestamp: e.Clock.Now()})
}

func domainReport(e *apitest.Env, token, query string) api.DomainHealthList {
	e.T.Helper()
	var l api.DomainHealthList
	e.Get("/delivery/domains?"+query, token).Expect(http.StatusOK).JSON(&l)
	return l
}

func byDomain(l api.DomainHealthList) map[string]api.DomainHealth {
	m := map[string]api.DomainHealth{}
	for _, h := range l.Data {
		m[h.Domain] = h
	}
	return m
}

// Verdicts from scripted webhook events: a domain that blocks most
// invitations is blocking, one whose addresses have no mail server is
// invalid, one where a fifth or more fail is degraded, the rest healthy;
// the worst come first, with their counts, top reason and advice.
func TestDomainVerdictsFromScriptedEvents(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.DNS.Set("nothing.example", dnstest.NoRecords)
		org, other := e.Org(), e.Org()
		hr, hrToken := e.Manager(org, people.HR)
		users := func(domain string, n int) []people.User {
			var us []people.User
			for range n {
				us = append(us, e.User(org, apitest.UserOpts{Email: "p" + randomSuffix() + "@" + domain}))
			}
			return us
		}
		blocking, degraded, healthy := users("blocking.example", 3), users("degraded.example", 5), users("healthy.example", 2)
		users("nothing.example", 1)
		for i, u := range blocking {
			if i < 2 {
				event(e, org, u, sendgridtest.Bounce, "blocked")
			} else {
				event(e, org, u, sendgridtest.Delivered, "")
			}
		}
		for i, u := range degraded {
			switch i {
			case 0:
				event(e, org, u, sendgridtest.Bounce, "")
			case 1:
				event(e, org, u, sendgridtest.Deferred, "")
			default:
				event(e, org, u, sendgridtest.Delivered, "")
			}
		}
		for _, u := range healthy {
			event(e, org, u, sendgridtest.Delivered, "")
		}
		// Another organization's invitations to the same domain count for it alone.
		theirs := e.User(other, apitest.UserOpts{Email: "them@healthy.example"})
		event(e, other, theirs, sendgridtest.Bounce, "blocked")

		r := domainReport(e, hrToken, "")
		var order []string
		for _, h := range r.Data {
			order = append(order, h.Domain+":"+h.Verdict)
		}
		// example.com: the HR manager's invitation, revoked when their password was set.
		require.Equal(t, []string{"blocking.example:blocking", "nothing.example:invalid", "degraded.example:degraded",
			"healthy.example:healthy", "example.com:healthy"}, order)
		require.False(t, r.HasMore)
		require.WithinDuration(t, e.Clock.Now().Add(-30*24*time.Hour), r.Since, time.Minute)

		got := byDomain(r)
		b := got["blocking.example"]
		require.Equal(t, api.DomainHealth{Domain: "blocking.example", Invitations: 3, Sent: 3, Delivered: 1, Blocked: 2,
			TopReason: "550 5.7.1 Message rejected under local policy", LastEventAt: b.LastEventAt, Verdict: "blocking",
			Advice: people.DomainBlocking.Advice()}, b)
		require.NotNil(t, b.LastEventAt)
		require.Contains(t, b.Advice, "allow-list")
		d := got["degraded.example"]
		require.Equal(t, []int{5, 5, 3, 1, 1}, []int{d.Invitations, d.Sent, d.Delivered, d.Bounced, d.Deferred})
		h := got["healthy.example"]
		require.Equal(t, []int{2, 2, 2, 0}, []int{h.Invitations, h.Sent, h.Delivered, h.Blocked}, "the other organization's block is not here")
		require.Empty(t, h.TopReason)
		n := got["nothing.example"]
		require.Equal(t, []int{1, 0}, []int{n.Invitations, n.Sent}, "queued: nothing reported yet")
		require.Nil(t, n.LastEventAt)

		// Filters and bounds.
		only := domainReport(e, hrToken, "verdict=blocking,invalid")
		require.Len(t, only.Data, 2)
		require.Len(t, domainReport(e, hrToken, "verdict=healthy&verdict=degraded").Data, 3, "a repeated parameter is a list")
		first := domainReport(e, hrToken, "limit=1")
		require.Len(t, first.Data, 1)
		require.True(t, first.HasMore)
		e.Clock.Advance(31 * 24 * time.Hour)
		hrToken = e.Token(e.UserByID(org, hr.ID)) // the old token expired with the days
		require.Empty(t, domainReport(e, hrToken, "").Data, "the default period is the last 30 days")
		require.Len(t, domainReport(e, hrToken, "since="+e.Clock.Now().Add(-40*24*time.Hour).UTC().Format(time.RFC3339)).Data, 5)
		require.Empty(t, domainReport(e, hrToken, "since="+e.Clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339)).Data)
	})
}

func randomSuffix() string { return time.Now().Format("150405.000000000") }

// The report's parameters are checked; learners may not read it.
func TestDomainReportRefusesBadParameters(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		requireBadQueries(t, e, org, "/delivery/domains", map[string]string{
			"since=yesterday":            "since",
			"since=2999-01-01T00:00:00Z": "since",
			"verdict=fine":               "verdict",
			"limit=0":                    "limit",
			"limit=1001":                 "limit",
			"domain=x":                   "domain",
		})
	})
}

// The view of one user and a resend name the verdict on the user's domain
// when it is not healthy; listings leave it out.
func TestUserViewAndResendNameAnUnhealthyDomain(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.DNS.Set("nothing.example", dnstest.NoRecords)
		org := e.Org()
		a := e.User(org, apitest.UserOpts{Email: "a@blocking.example"})
		b := e.User(org, apitest.UserOpts{Email: "b@blocking.example"})
		fine := e.User(org, apitest.UserOpts{Email: "c@fine.example"})
		lost := e.User(org, apitest.UserOpts{Email: "d@nothing.example"})
		event(e, org, a, sendgridtest.Bounce, "blocked")
		event(e, org, b, sendgridtest.Bounce, "blocked")
		event(e, org, fine, sendgridtest.Delivered, "")

		v := getUser(e, org.OwnerToken, b.ID)
		require.Equal(t, &api.UserDomainHealth{Domain: "blocking.example", Verdict: "blocking", Advice: people.DomainBlocking.Advice()}, v.DomainHealth)
		require.Equal(t, "invalid", getUser(e, org.OwnerToken, lost.ID).DomainHealth.Verdict)
		require.Nil(t, getUser(e, org.OwnerToken, fine.ID).DomainHealth)
		for _, u := range listUsers(e, org.OwnerToken, "").Data {
			require.Nil(t, u.DomainHealth, "listings leave it out")
		}

		var res api.ResendResult
		e.Post(userPath(b.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		codes := map[string]string{}
		for _, w := range res.Warnings {
			codes[w.Code] = w.Message
		}
		require.Contains(t, codes, "previous_delivery_blocked")
		require.Contains(t, codes, "domain_blocking")
		require.Contains(t, codes["domain_blocking"], "blocking.example blocked 2 of the 2 invitations sent there in the last 30 days")
		require.Contains(t, codes["domain_blocking"], "allow-list")

		res = api.ResendResult{}
		e.Post(userPath(lost.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		require.Equal(t, "domain_invalid", res.Warnings[len(res.Warnings)-1].Code)
		res = api.ResendResult{}
		e.Post(userPath(fine.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		require.Empty(t, res.Warnings)
	})
}

// A replica reuses a domain's tally for the view of one user and a
// resend's warnings for people.DomainHealthTTL (tallying reads every
// invitation to the domain); reports it did not see, as another replica's,
// show once the tally is that old.
func TestUserDomainVerdictIsRetalliedAfterItsTTL(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		a := e.User(org, apitest.UserOpts{Email: "a@watch.example"})
		b := e.User(org, apitest.UserOpts{Email: "b@watch.example"})
		c := e.User(org, apitest.UserOpts{Email: "c@watch.example"})
		event(e, org, a, sendgridtest.Bounce, "blocked")
		event(e, org, b, sendgridtest.Bounce, "blocked")
		event(e, org, c, sendgridtest.Delivered, "")
		require.Equal(t, "blocking", getUser(e, org.OwnerToken, a.ID).DomainHealth.Verdict)

		// Another replica applies reports that clear the domain.
		e.Exec(`UPDATE invites SET delivery_status = 'delivered', delivery_reason = NULL WHERE user_id IN (?, ?)`, a.ID, b.ID)
		require.Equal(t, "blocking", getUser(e, org.OwnerToken, a.ID).DomainHealth.Verdict, "the tally is recent")
		e.Clock.Advance(people.DomainHealthTTL)
		require.Nil(t, getUser(e, org.OwnerToken, a.ID).DomainHealth, "an old tally is taken again")
		var res api.ResendResult
		e.Post(userPath(b.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		require.Empty(t, res.Warnings)

		// And the other way: blocks reported meanwhile warn once the tally is old.
		event(e, org, a, sendgridtest.Bounce, "blocked")
		event(e, org, c, sendgridtest.Bounce, "blocked")
		e.Clock.Advance(people.DomainHealthTTL)
		res = api.ResendResult{}
		e.Post(userPath(a.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		require.NotEmpty(t, res.Warnings)
		require.Equal(t, "domain_blocking", res.Warnings[len(res.Warnings)-1].Code)
	})
}

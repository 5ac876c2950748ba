package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

func funnel(e *apitest.Env, token, query string) api.InvitationFunnel {
	e.T.Helper()
	var f api.InvitationFunnel
	e.Get("/insights/invitations?"+query, token).Expect(http.StatusOK).JSON(&f)
	return f
}

func groupsByKey(f api.InvitationFunnel) map[string]api.FunnelGroup {
	m := map[string]api.FunnelGroup{}
	for _, g := range f.Groups {
		k := ""
		if g.Key != nil {
			k = *g.Key
		}
		m[k] = g
	}
	return m
}

func secondsPtr(d time.Duration) *int64 { return new(int64(d.Seconds())) }

// requireFigures compares funnel figures; the times to acceptance may be a
// few seconds longer than the test's clock moves, as real time passes too.
func requireFigures(t *testing.T, want, got api.FunnelFigures) {
	t.Helper()
	for _, p := range []struct{ want, got **int64 }{{&want.MedianSecondsToAccept, &got.MedianSecondsToAccept},
		{&want.P90SecondsToAccept, &got.P90SecondsToAccept}} {
		require.Equal(t, *p.want == nil, *p.got == nil)
		if *p.want != nil {
			require.InDelta(t, **p.want, **p.got, 5)
		}
		*p.want, *p.got = nil, nil
	}
	require.Equal(t, want, got)
}

// The funnel's figures on a known set of people, over two weeks: who was
// invited, reached, accepted and how fast, who is still pending, and the
// reminders the accepted ones needed — in total and per week, inviter,
// domain and bulk job.
func TestFunnelFiguresOnAKnownDataSet(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		monday := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		e.Clock.Set(monday.Add(-14 * 24 * time.Hour))
		org := e.Org()                     // tokens are minted as they are used: the clock moves by days
		hr, _ := e.Manager(org, people.HR) // invited before the period: not counted

		e.Clock.Set(monday)
		a := e.User(org, apitest.UserOpts{Email: "a@alpha.example"})
		b := e.User(org, apitest.UserOpts{Email: "b@alpha.example"})
		c := e.User(org, apitest.UserOpts{Email: "c@alpha.example"})
		var d api.User
		createUser(e, e.Token(hr), map[string]any{"email": "d@beta.example"}).Expect(http.StatusCreated).JSON(&d)
		e.DeliveryEvents(sendgridtest.Event{Type: sendgridtest.Delivered, InviteID: d.Invite.ID.String(), OrganizationID: org.ID.String()})
		e.User(org, apitest.UserOpts{Email: "never@alpha.example", NoInvite: true}) // never invited: not counted

		e.Clock.Advance(2 * time.Hour)
		accept(e, e.InviteToken(a.Invite.ID), strongPassword).Expect(http.StatusOK)
		e.Clock.Advance(24 * time.Hour)
		e.Exec("UPDATE users SET reminders_total = 1 WHERE id = ?", b.ID) // one reminder before accepting
		accept(e, e.InviteToken(b.Invite.ID), strongPassword).Expect(http.StatusOK)
		_ = c

		e.Clock.Set(monday.Add(7 * 24 * time.Hour))
		job := accepted(t, postCSV(e, e.Token(org.Owner), "?send_invites=true", csvBody("email,first_name,last_name,role",
			"e@beta.example,E,Five,learner")))
		e.StartWorkers()
		waitJob(t, e, e.Token(org.Owner), job.ID, 20*time.Second)
		imported := listUsers(e, e.Token(org.Owner), "q=e%40beta.example").Data[0]
		e.Clock.Advance(72 * time.Hour)
		e.Exec("UPDATE users SET reminders_total = 2 WHERE id = ?", imported.ID)
		accept(e, e.InviteToken(imported.Invite.ID), strongPassword).Expect(http.StatusOK)
		e.Clock.Advance(time.Hour)

		period := "from=" + monday.Add(-time.Hour).Format(time.RFC3339) + "&to=" + monday.Add(14*24*time.Hour).Format(time.RFC3339)
		f := funnel(e, e.Token(org.Owner), period)
		require.Nil(t, f.GroupBy)
		require.Empty(t, f.Groups)
		require.Equal(t, "UTC", f.TimeZone)
		want := api.FunnelFigures{Invited: 5, Delivered: 4, Accepted: 3, Pending: 2, AcceptanceRate: 0.6,
			MedianSecondsToAccept: secondsPtr(26 * time.Hour), P90SecondsToAccept: secondsPtr(time.Duration(62.8 * float64(time.Hour))),
			RemindersBeforeAcceptance: 3, AcceptedAfterReminder: 2}
		requireFigures(t, want, f.Totals)

		weeks := funnel(e, e.Token(org.Owner), period+"&group_by=week")
		requireFigures(t, want, weeks.Totals) // the totals do not depend on the grouping
		require.Len(t, weeks.Groups, 2)
		require.Equal(t, "2026-11-02", *weeks.Groups[0].Key, "the weeks in order")
		requireFigures(t, api.FunnelFigures{Invited: 4, Delivered: 3, Accepted: 2, Pending: 2, AcceptanceRate: 0.5,
			MedianSecondsToAccept: secondsPtr(14 * time.Hour), P90SecondsToAccept: secondsPtr(time.Duration(23.6 * float64(time.Hour))),
			RemindersBeforeAcceptance: 1, AcceptedAfterReminder: 1}, weeks.Groups[0].FunnelFigures)
		require.Equal(t, "2026-11-09", *weeks.Groups[1].Key)
		require.Equal(t, 1, weeks.Groups[1].Accepted)

		inviters := groupsByKey(funnel(e, e.Token(org.Owner), period+"&group_by=inviter"))
		require.Len(t, inviters, 2)
		require.Equal(t, 4, inviters[org.Owner.ID.String()].Invited)
		require.Equal(t, "Olive Owner", inviters[org.Owner.ID.String()].Label)
		require.Equal(t, 1, inviters[hr.ID.String()].Invited)

		domains := groupsByKey(funnel(e, e.Token(org.Owner), period+"&group_by=domain"))
		require.Equal(t, []int{3, 2}, []int{domains["alpha.example"].Invited, domains["alpha.example"].Accepted})
		require.Equal(t, []int{2, 1}, []int{domains["beta.example"].Invited, domains["beta.example"].Accepted})

		jobs := funnel(e, e.Token(org.Owner), period+"&group_by=job")
		byJob := groupsByKey(jobs)
		require.Equal(t, 4, byJob[""].Invited, "invited one by one")
		require.Equal(t, "no job (invited one by one)", byJob[""].Label)
		require.Nil(t, jobs.Groups[0].Key, "the largest group first")
		require.Equal(t, 1, byJob[job.ID.String()].Accepted)
		require.Contains(t, byJob[job.ID.String()].Label, "import of ")

		empty := funnel(e, e.Token(org.Owner), "from="+monday.Add(-30*24*time.Hour).Format(time.RFC3339)+"&to="+monday.Add(-20*24*time.Hour).Format(time.RFC3339))
		require.Equal(t, api.FunnelFigures{}, empty.Totals, "nobody: no rate, no times")
	})
}

// The funnel's parameters are checked.
func TestFunnelRefusesBadParameters(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		requireBadQueries(t, e, org, "/insights/invitations", map[string]string{
			"from=last-week":          "from",
			"to=2026-13-01T00:00:00Z": "to",
			"from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z": "from",
			"from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z": "from",
			"group_by=month":             "group_by",
			"since=2026-01-01T00:00:00Z": "since",
		})
	})
}

// requireBadQueries checks that each query of path is refused naming its
// field, and that learners may not call path at all.
func requireBadQueries(t *testing.T, e *apitest.Env, org apitest.Org, path string, fields map[string]string) {
	t.Helper()
	for query, field := range fields {
		p := e.Do(apitest.Request{Method: http.MethodGet, Path: path + "?" + query, Token: org.OwnerToken, Invalid: true}).
			ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, field, p.Errors[0].Field, query)
	}
	_, learner := e.Manager(org, people.Learner)
	e.Get(path, learner).ExpectProblem(http.StatusForbidden, "forbidden")
}

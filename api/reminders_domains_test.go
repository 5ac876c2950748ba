package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// The domain health report counts, per domain, the pending people whose
// reminders an undeliverable invitation stopped; a resend, an acceptance
// or another organization's people do not count.
func TestDomainReportCountsStoppedReminders(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org, other := e.Org(), e.Org()
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{3}})
		setReminders(e, other, map[string]any{"enabled": true, "after_days": []int{3}})
		person := func(o apitest.Org, email string) people.User {
			return e.User(o, apitest.UserOpts{Email: email})
		}
		a, b, c := person(org, "a@wall.example"), person(org, "b@wall.example"), person(org, "c@wall.example")
		d := person(org, "d@open.example")
		theirs := person(other, "x@wall.example")
		event(e, org, a, sendgridtest.Bounce, "blocked")
		event(e, org, b, sendgridtest.Bounce, "blocked")
		event(e, org, c, sendgridtest.Bounce, "")
		event(e, org, d, sendgridtest.Delivered, "")
		event(e, other, theirs, sendgridtest.Bounce, "blocked")
		for _, u := range []people.User{a, b, c} {
			require.NotEmpty(t, readUser(t, e, org, u.ID).RemindersStopped)
		}

		report := byDomain(domainReport(e, org.OwnerToken, ""))
		require.Equal(t, 3, report["wall.example"].RemindersStopped)
		require.Equal(t, "blocking", report["wall.example"].Verdict)
		require.Zero(t, report["open.example"].RemindersStopped)
		require.Equal(t, 1, byDomain(domainReport(e, other.OwnerToken, ""))["wall.example"].RemindersStopped)

		// A resend starts the reminders again; accepting ends them: neither counts.
		e.Post(userPath(a.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted)
		accept(e, e.InviteToken(*b.LatestInviteID), apitest.Password).Expect(http.StatusOK)
		require.Equal(t, 1, byDomain(domainReport(e, org.OwnerToken, ""))["wall.example"].RemindersStopped)
	})
}

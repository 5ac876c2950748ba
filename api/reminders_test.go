package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/testdb"
)

const day = 24 * time.Hour

// reminderStart is a Monday morning in UTC, far from any quiet hours, where
// the reminder tests start their clock.
var reminderStart = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// advance moves the clock on and gives org's owner a token of the new time.
func advance(e *apitest.Env, org *apitest.Org, d time.Duration) {
	e.T.Helper()
	e.Clock.Advance(d)
	org.OwnerToken = e.Token(org.Owner)
}

// setClock sets the clock and gives org's owner a token of the new time.
func setClock(e *apitest.Env, org *apitest.Org, t time.Time) {
	e.T.Helper()
	e.Clock.Set(t)
	org.OwnerToken = e.Token(org.Owner)
}

// setReminders replaces org's reminder policy through the API, then works
// the reschedule job the change queued to its end, as the queue's worker
// does, and returns the policy as GET then shows it.
func setReminders(e *apitest.Env, org apitest.Org, body map[string]any) api.ReminderPolicy {
	e.T.Helper()
	putReminders(e, org, body)
	rescheduleJob(e, org, 0)
	var p api.ReminderPolicy
	e.Get("/organization/reminders", org.OwnerToken).Expect(http.StatusOK).JSON(&p)
	require.False(e.T, p.Rescheduling)
	return p
}

// putReminders replaces org's reminder policy through the API and leaves
// the reschedule it starts queued.
func putReminders(e *apitest.Env, org apitest.Org, body map[string]any) api.ReminderPolicy {
	e.T.Helper()
	var p api.ReminderPolicy
	e.Put("/organization/reminders", org.OwnerToken, body).Expect(http.StatusOK).JSON(&p)
	require.True(e.T, p.Rescheduling, "the reschedule runs in the background")
	return p
}

// rescheduledByQueue waits until the queue's workers (started) have run
// every queued reminder reschedule to its end. A test whose workers run
// waits for them rather than work the job itself beside them: a run of
// the same job overtaken by the other still holds its page's people for a
// moment, and a sweep then passes over them (SKIP LOCKED) until its next run.
func rescheduledByQueue(e *apitest.Env) {
	e.T.Helper()
	require.Eventually(e.T, func() bool {
		return e.Count("river_job", "kind = 'reminder_reschedule' AND state NOT IN ('completed', 'cancelled', 'discarded')") == 0
	}, wait, 5*time.Millisecond)
}

// rescheduleArgs are a queued reminder reschedule's arguments.
type rescheduleArgs struct {
	OrganizationID uuid.UUID `json:"organization_id"`
	Revision       int       `json:"revision"`
}

// rescheduleJobs lists org's queued reminder reschedules, in insertion order.
func rescheduleJobs(e *apitest.Env, org apitest.Org) []rescheduleArgs {
	e.T.Helper()
	var out []rescheduleArgs
	for _, j := range e.Jobs("reminder_reschedule") {
		var a rescheduleArgs
		require.NoError(e.T, json.Unmarshal([]byte(j.Args), &a))
		if a.OrganizationID == org.ID {
			out = append(out, a)
		}
	}
	return out
}

// rescheduleJob works the i-th reminder reschedule org's policy changes
// queued (counting back from the last with a negative i; 0 is the last), to
// its end, as the queue's worker does.
func rescheduleJob(e *apitest.Env, org apitest.Org, i int) {
	e.T.Helper()
	jobs := rescheduleJobs(e, org)
	require.NotEmpty(e.T, jobs)
	a := jobs[len(jobs)-1+i]
	more, err := e.Service.RescheduleReminders(context.Background(), a.OrganizationID, a.Revision, 0)
	require.NoError(e.T, err)
	require.False(e.T, more)
}

// sweep runs the reminder sweep once, as the periodic job does, and
// returns how many reminders it sent.
func sweep(t *testing.T, e *apitest.Env) int {
	t.Helper()
	n, more, err := e.Service.SendDueReminders(context.Background(), 0)
	require.NoError(t, err)
	require.False(t, more)
	return n
}

// remindersOf counts the invite.reminded audit events of a user.
func remindersOf(e *apitest.Env, org apitest.Org, id uuid.UUID) []api.AuditEvent {
	e.T.Helper()
	return auditEvents(e, org.OwnerToken, "action=invite.reminded&target_user_id="+id.String())
}

func TestReminderPolicyDefaultsAndValidation(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		var p api.ReminderPolicy
		e.Get("/organization/reminders", org.OwnerToken).Expect(http.StatusOK).JSON(&p)
		require.Equal(t, api.ReminderPolicy{Enabled: false, AfterDays: []int{3, 7}, MaxReminders: 3, SkipWhenUndeliverable: true}, p)

		p = setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{2, 5}, "before_expiry_hours": 24,
			"max_reminders": 2, "quiet_hours": map[string]any{"start": "20:00", "end": "08:00"}, "skip_when_undeliverable": false})
		want := api.ReminderPolicy{Enabled: true, AfterDays: []int{2, 5}, BeforeExpiryHours: new(24), MaxReminders: 2,
			QuietHours: &api.QuietHours{Start: "20:00", End: "08:00"}, SkipWhenUndeliverable: false}
		require.Equal(t, want, p)
		e.Get("/organization/reminders", org.OwnerToken).Expect(http.StatusOK).JSON(&p)
		require.Equal(t, want, p)
		// What GET answers can be sent back as it is.
		body, err := json.Marshal(p)
		require.NoError(t, err)
		var asRead map[string]any
		require.NoError(t, json.Unmarshal(body, &asRead))
		want.Rescheduling = true
		require.Equal(t, want, putReminders(e, org, asRead))
		rescheduleJob(e, org, 0)
		audit := auditEvents(e, org.OwnerToken, "action=organization.updated")
		require.Len(t, audit, 2)
		require.Equal(t, []any{"reminders"}, audit[0].Metadata["fields"])

		// An absent field takes its default; null and 0 turn the last reminder off.
		p = setReminders(e, org, map[string]any{"enabled": true, "before_expiry_hours": nil})
		require.Equal(t, api.ReminderPolicy{Enabled: true, AfterDays: []int{3, 7}, MaxReminders: 3, SkipWhenUndeliverable: true}, p)
		p = setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{}, "before_expiry_hours": 48})
		require.Equal(t, []int{}, p.AfterDays)
		require.Equal(t, 48, *p.BeforeExpiryHours)

		before := e.RowCounts()
		for _, c := range []struct {
			body   map[string]any
			fields []string
		}{
			{map[string]any{"after_days": []int{7, 3}}, []string{"after_days"}},
			{map[string]any{"after_days": []int{0}}, []string{"after_days"}},
			{map[string]any{"after_days": []int{31}}, []string{"after_days"}},
			{map[string]any{"max_reminders": 0}, []string{"max_reminders"}},
			{map[string]any{"max_reminders": 11}, []string{"max_reminders"}},
			{map[string]any{"before_expiry_hours": 169}, []string{"before_expiry_hours"}},
			{map[string]any{"enabled": true, "after_days": []int{}}, []string{"after_days"}},
			{map[string]any{"quiet_hours": map[string]any{"start": "8pm", "end": "24:00"}, "max_reminders": 0},
				[]string{"quiet_hours.start", "quiet_hours.end", "max_reminders"}},
			{map[string]any{"quiet_hours": map[string]any{"start": "08:00", "end": "08:00"}}, []string{"quiet_hours"}},
		} {
			pr := e.OffContract().Put("/organization/reminders", org.OwnerToken, c.body).ExpectProblem(http.StatusBadRequest, "invalid_request")
			var fields []string
			for _, fe := range pr.Errors {
				fields = append(fields, fe.Field)
			}
			require.ElementsMatch(t, c.fields, fields, "%v", c.body)
		}
		// The example of docs/reminders.md.
		pr := e.OffContract().Put("/organization/reminders", org.OwnerToken, map[string]any{"after_days": []int{7, 3},
			"quiet_hours": map[string]any{"start": "8pm", "end": "08:00"}}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Len(t, pr.Errors, 2)
		require.Equal(t, `quiet_hours.start invalid quiet_hours.start must be a time of day as HH:MM (00:00 to 23:59), got "8pm"`,
			pr.Errors[0].Field+" "+pr.Errors[0].Code+" "+pr.Errors[0].Message)
		require.Equal(t, "after_days not_ascending after_days must be strictly ascending, got 3 after 7",
			pr.Errors[1].Field+" "+pr.Errors[1].Code+" "+pr.Errors[1].Message)
		e.OffContract().Put("/organization/reminders", org.OwnerToken, map[string]any{"after_days": []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}).
			ExpectProblem(http.StatusBadRequest, "invalid_request")
		e.OffContract().Put("/organization/reminders", org.OwnerToken, map[string]any{"enabled": true, "surprise": 1}).
			ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, before, e.RowCounts(), "a refused policy writes nothing")

		// Owners and admins only.
		_, admin := e.Manager(org, people.Admin)
		e.Get("/organization/reminders", admin).Expect(http.StatusOK)
		e.Put("/organization/reminders", admin, map[string]any{"enabled": false}).Expect(http.StatusOK)
		_, hr := e.Manager(org, people.HR)
		e.Get("/organization/reminders", hr).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Put("/organization/reminders", hr, map[string]any{"enabled": true}).ExpectProblem(http.StatusForbidden, "forbidden")
		_, learner := e.Manager(org, people.Learner)
		e.Get("/organization/reminders", learner).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Get("/organization/reminders", "").ExpectProblem(http.StatusUnauthorized, "unauthorized")

		// Another organization's policy is its own.
		other := e.Org()
		e.Get("/organization/reminders", other.OwnerToken).Expect(http.StatusOK).JSON(&p)
		require.False(t, p.Enabled)
	})
}

// after_days counts from the invitation a person sent; the first reminder
// mails the same link again while it has 48 hours left, a later one past
// the link's end sends a fresh invitation; the user view counts them and
// says when the next is due, and every reminder is audited and goes through
// the email jobs to SendGrid.
func TestRemindersAfterDaysReuseThenRenewTheLink(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{3, 8}})
		e.StartWorkers()
		u := newInvitee(t, e, org, "ada@example.com")
		first := u.Invite
		require.Equal(t, 0, u.RemindersSent)
		require.Equal(t, first.CreatedAt.Add(3*day), *u.NextReminderAt)
		firstLink := linkIn(t, e.SendGrid.WaitForRecipients(t, 1, wait)[0])
		mailed := func() {
			require.Eventually(t, func() bool { return e.Count("invites", "delivery_status IN ('queued', 'sending')") == 0 },
				wait, 5*time.Millisecond)
		}
		mailed()

		advance(e, &org, 3*day-time.Minute)
		require.Zero(t, sweep(t, e), "not due yet")
		advance(e, &org, 2*time.Minute)
		require.Equal(t, 1, sweep(t, e))
		require.Zero(t, sweep(t, e), "sent once")

		got := readUser(t, e, org, u.ID)
		require.Equal(t, 1, got.RemindersSent)
		require.Equal(t, first.CreatedAt.Add(8*day), *got.NextReminderAt)
		require.Equal(t, first.ID, got.Invite.ID, "four days left: the same link goes again")
		recipients := e.SendGrid.WaitForRecipients(t, 2, wait)
		require.Equal(t, "ada@example.com", recipients[1].Email)
		require.Equal(t, firstLink, linkIn(t, recipients[1]), "the same link")
		mailed()
		require.Equal(t, "sent", readUser(t, e, org, u.ID).Invite.Delivery.Status)
		ev := remindersOf(e, org, u.ID)
		require.Len(t, ev, 1)
		require.Equal(t, "reused", ev[0].Metadata["link"])
		require.Nil(t, ev[0].ActorID, "the service's own doing")

		// Day 8: the link expired on day 7; the reminder is a fresh invitation.
		advance(e, &org, 5*day)
		require.Equal(t, 1, sweep(t, e))
		got = readUser(t, e, org, u.ID)
		require.Equal(t, 2, got.RemindersSent)
		require.Nil(t, got.NextReminderAt, "no due time left")
		require.NotEqual(t, first.ID, got.Invite.ID)
		require.Equal(t, "live", got.Invite.State)
		require.Equal(t, 1, liveInvites(t, e, u.ID))
		recipients = e.SendGrid.WaitForRecipients(t, 3, wait)
		fresh := linkIn(t, recipients[2])
		require.NotEqual(t, firstLink, fresh)
		verifyToken(e, tokenOf(t, fresh)).Expect(http.StatusOK)
		ev = remindersOf(e, org, u.ID)
		require.Len(t, ev, 2)
		require.Equal(t, "fresh", ev[0].Metadata["link"])

		// The funnel counts the reminders the people who accepted needed.
		accept(e, tokenOf(t, fresh), apitest.Password).Expect(http.StatusOK)
		var f api.InvitationFunnel
		e.Get("/insights/invitations?from=2026-11-30T00:00:00Z&to=2026-12-31T00:00:00Z", org.OwnerToken).Expect(http.StatusOK).JSON(&f)
		require.Equal(t, 2, f.Totals.RemindersBeforeAcceptance)
	})
}

// The reminder before expiry: with 24 hours left, the link is replaced by a
// fresh invitation, and the old link stops working in the same
// transaction (R3); with 72 hours left, the same link goes again.
func TestReminderBeforeExpiry(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{}, "before_expiry_hours": 24, "max_reminders": 1})
		u := newInvitee(t, e, org, "grace@example.com")
		require.Equal(t, u.Invite.ExpiresAt.Add(-day), *u.NextReminderAt)
		old := e.InviteToken(u.Invite.ID)

		advance(e, &org, 6*day+time.Minute)
		require.Equal(t, 1, sweep(t, e))
		got := readUser(t, e, org, u.ID)
		require.NotEqual(t, u.Invite.ID, got.Invite.ID, "24 hours left: a fresh invitation")
		require.Equal(t, 2, got.Invite.SentCount)
		require.Nil(t, got.NextReminderAt, "the cap of one is reached")
		p := verifyToken(e, old).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Equal(t, "superseded", p.Reason)
		require.Equal(t, 1, liveInvites(t, e, u.ID))

		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{}, "before_expiry_hours": 72, "max_reminders": 1})
		v := newInvitee(t, e, org, "hopper@example.com")
		require.Equal(t, v.Invite.ExpiresAt.Add(-3*day), *v.NextReminderAt)
		advance(e, &org, 4*day+time.Minute)
		require.Equal(t, 1, sweep(t, e))
		got = readUser(t, e, org, v.ID)
		require.Equal(t, v.Invite.ID, got.Invite.ID, "72 hours left: the same link")
		require.Equal(t, "queued", got.Invite.Delivery.Status, "mailed again")
		verifyToken(e, e.InviteToken(v.Invite.ID)).Expect(http.StatusOK)
		// A late report on the earlier message changes nothing; one on the reminder's does.
		e.DeliveryEvents(sendgridtest.Event{Type: sendgridtest.Bounce, InviteID: v.Invite.ID.String(), OrganizationID: org.ID.String(),
			Timestamp: e.Clock.Now().Add(-time.Hour)})
		require.Equal(t, "queued", readUser(t, e, org, v.ID).Invite.Delivery.Status)
		e.DeliveryEvent(org, v.Invite.ID, sendgridtest.Delivered)
		require.Equal(t, "delivered", readUser(t, e, org, v.ID).Invite.Delivery.Status)
	})
}

// max_reminders caps a series; days that fall within a day of the previous
// email merge into one reminder.
func TestReminderCap(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{1, 2, 3, 4, 5}, "max_reminders": 2})
		u := newInvitee(t, e, org, "cap@example.com")
		sent := 0
		for range 6 {
			advance(e, &org, day+time.Minute)
			sent += sweep(t, e)
		}
		require.Equal(t, 2, sent)
		got := readUser(t, e, org, u.ID)
		require.Equal(t, 2, got.RemindersSent)
		require.Nil(t, got.NextReminderAt)
		require.Len(t, remindersOf(e, org, u.ID), 2)
	})
}

// Quiet hours are in the organization's time zone: a reminder due in them
// waits until they end.
func TestReminderQuietHours(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		berlin, err := time.LoadLocation("Europe/Berlin")
		require.NoError(t, err)
		// 21:30 in Berlin on a Monday: three days on is 21:30 too, in the quiet hours.
		e.Clock.Set(time.Date(2026, 12, 7, 21, 30, 0, 0, berlin))
		org := e.Org()
		e.Patch("/organization", org.OwnerToken, map[string]any{"time_zone": "Europe/Berlin"}).Expect(http.StatusOK)
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{3},
			"quiet_hours": map[string]any{"start": "20:00", "end": "08:00"}})
		u := newInvitee(t, e, org, "night@example.com")
		end := time.Date(2026, 12, 11, 8, 0, 0, 0, berlin).UTC()
		require.Equal(t, end, *u.NextReminderAt, "08:00 Berlin time the next morning")

		advance(e, &org, 3*day+time.Hour) // 22:30 in Berlin
		require.Zero(t, sweep(t, e))
		setClock(e, &org, end.Add(-time.Minute))
		require.Zero(t, sweep(t, e))
		setClock(e, &org, end.Add(time.Minute))
		require.Equal(t, 1, sweep(t, e))

		// A policy changed into quiet hours after the schedule was made: the
		// sweep puts the reminder off instead of sending it.
		setClock(e, &org, time.Date(2026, 12, 14, 12, 0, 0, 0, berlin))
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{1}})
		v := newInvitee(t, e, org, "late@example.com")
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{1},
			"quiet_hours": map[string]any{"start": "11:00", "end": "13:00"}})
		require.Equal(t, time.Date(2026, 12, 15, 13, 0, 0, 0, berlin).UTC(), *readUser(t, e, org, v.ID).NextReminderAt,
			"the new policy's reschedule moves it")
		e.Exec("UPDATE users SET next_reminder_at = ? WHERE id = ?", time.Date(2026, 12, 15, 12, 0, 0, 0, berlin).UTC(), v.ID)
		setClock(e, &org, time.Date(2026, 12, 15, 12, 1, 0, 0, berlin))
		require.Zero(t, sweep(t, e))
		require.Equal(t, time.Date(2026, 12, 15, 13, 0, 0, 0, berlin).UTC(), *readUser(t, e, org, v.ID).NextReminderAt)
	})
}

// An invitation that bounced, was blocked, dropped or reported as spam
// stops the reminders and says so; without skip_when_undeliverable they go
// on. A manual resend starts the series again.
func TestRemindersStopWhenUndeliverable(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{2}})
		for _, ev := range []sendgridtest.Event{{Type: sendgridtest.Bounce}, {Type: sendgridtest.Bounce, BounceType: "blocked"},
			{Type: sendgridtest.Dropped}, {Type: sendgridtest.SpamReport}} {
			u := e.User(org, apitest.UserOpts{})
			ev.InviteID, ev.OrganizationID, ev.Timestamp = u.LatestInviteID.String(), org.ID.String(), e.Clock.Now()
			e.DeliveryEvents(ev)
			got := readUser(t, e, org, u.ID)
			require.Nil(t, got.NextReminderAt, ev.Type)
			require.NotEmpty(t, got.RemindersStopped, ev.Type)
			require.Equal(t, got.Invite.Delivery.Status, got.RemindersStopped, ev.Type)
		}
		advance(e, &org, 2*day+time.Minute)
		require.Zero(t, sweep(t, e), "no reminder after a bounce, block, drop or spam report")

		// Without the skip, the bounced person is reminded.
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{2}, "skip_when_undeliverable": false})
		u := e.User(org, apitest.UserOpts{})
		e.DeliveryEvent(org, *u.LatestInviteID, sendgridtest.Bounce)
		require.NotNil(t, readUser(t, e, org, u.ID).NextReminderAt)
		advance(e, &org, 2*day+time.Minute)
		require.Equal(t, 1, sweep(t, e))

		// The skip checked at sending time too: a bounce recorded while the
		// policy did not skip stops the reminder once it does.
		w := e.User(org, apitest.UserOpts{})
		e.DeliveryEvent(org, *w.LatestInviteID, sendgridtest.Bounce)
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{2}})
		e.Exec("UPDATE users SET next_reminder_at = ? WHERE id = ?", e.Clock.Now().UTC().Add(-time.Minute), w.ID)
		require.Zero(t, sweep(t, e))
		require.Equal(t, "bounced", readUser(t, e, org, w.ID).RemindersStopped)

		// A resend restarts the series.
		var res api.ResendResult
		e.Post(userPath(w.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		got := readUser(t, e, org, w.ID)
		require.Empty(t, got.RemindersStopped)
		require.Equal(t, res.Invite.CreatedAt.Add(2*day), *got.NextReminderAt)
	})
}

// Reminders stop when the person accepts or is deactivated, and a manual
// resend restarts the schedule from itself.
func TestRemindersStopOnAcceptDeactivateAndRestartOnResend(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{2, 4}})
		accepting := e.User(org, apitest.UserOpts{})
		leaving := e.User(org, apitest.UserOpts{})
		resent := e.User(org, apitest.UserOpts{})
		handed := e.User(org, apitest.UserOpts{})
		for _, u := range []people.User{accepting, leaving, resent, handed} {
			require.NotNil(t, readUser(t, e, org, u.ID).NextReminderAt)
		}
		advance(e, &org, 2*day+time.Minute)
		require.Equal(t, 4, sweep(t, e))
		require.Equal(t, 1, readUser(t, e, org, resent.ID).RemindersSent)

		accept(e, e.InviteToken(*accepting.LatestInviteID), apitest.Password).Expect(http.StatusOK)
		e.Post(userPath(leaving.ID, "deactivate"), org.OwnerToken, nil).Expect(http.StatusOK)
		e.Post(userPath(handed.ID, "invite-link"), org.OwnerToken, nil).Expect(http.StatusCreated)
		var res api.ResendResult
		e.Post(userPath(resent.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		for _, u := range []people.User{accepting, leaving, handed} {
			got := readUser(t, e, org, u.ID)
			require.Nil(t, got.NextReminderAt, u.Email)
		}
		got := readUser(t, e, org, resent.ID)
		require.Equal(t, 0, got.RemindersSent, "the resend starts a new series")
		require.Equal(t, res.Invite.CreatedAt.Add(2*day), *got.NextReminderAt)

		// Day 4 of the first series passes with nothing sent: the resent
		// person's series counts from the resend.
		advance(e, &org, 2*day-2*time.Minute)
		require.Zero(t, sweep(t, e))
		advance(e, &org, 2*time.Minute)
		require.Equal(t, 1, sweep(t, e))
		e.Post(userPath(leaving.ID, "reactivate"), org.OwnerToken, nil).Expect(http.StatusOK)
		require.Nil(t, readUser(t, e, org, leaving.ID).NextReminderAt, "reactivating sends nothing, and schedules nothing")

		// Turning the policy off ends every series.
		setReminders(e, org, map[string]any{"enabled": false})
		require.Nil(t, readUser(t, e, org, resent.ID).NextReminderAt)
		advance(e, &org, 10*day)
		require.Zero(t, sweep(t, e))
	})
}

// A server down for days sends each person one reminder when it comes
// back, not one per missed day, and schedules the next from then.
func TestRemindersCatchUpAfterDowntime(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{1, 2, 3, 14}, "max_reminders": 4})
		var users []people.User
		for range 5 {
			users = append(users, e.User(org, apitest.UserOpts{}))
		}
		advance(e, &org, 4*day+time.Hour)
		require.Equal(t, 5, sweep(t, e))
		require.Zero(t, sweep(t, e))
		for _, u := range users {
			got := readUser(t, e, org, u.ID)
			require.Equal(t, 1, got.RemindersSent)
			require.Equal(t, u.Invite.CreatedAt.Add(14*day), *got.NextReminderAt)
			require.Len(t, remindersOf(e, org, u.ID), 1)
		}
	})
}

// Enabling reminders schedules the people invited before, from their last
// invitation, skipping due times already past: nobody is mailed at once.
func TestEnablingRemindersSchedulesThePending(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		recent := e.User(org, apitest.UserOpts{})
		advance(e, &org, 4*day)
		fresh := e.User(org, apitest.UserOpts{})
		uninvited := e.User(org, apitest.UserOpts{NoInvite: true})
		confirmed := e.User(org, apitest.UserOpts{Status: people.Confirmed})
		other := e.Org()
		foreign := e.User(other, apitest.UserOpts{})

		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{3, 5}})
		require.Equal(t, recent.Invite.CreatedAt.Add(5*day), *readUser(t, e, org, recent.ID).NextReminderAt, "day 3 is past")
		require.Equal(t, fresh.Invite.CreatedAt.Add(3*day), *readUser(t, e, org, fresh.ID).NextReminderAt)
		require.Nil(t, getUser(e, org.OwnerToken, uninvited.ID).NextReminderAt)
		require.Nil(t, readUser(t, e, org, confirmed.ID).NextReminderAt)
		require.Nil(t, readUser(t, e, other, foreign.ID).NextReminderAt, "another organization's people are left alone")
		require.Zero(t, sweep(t, e))
	})
}

// Two replicas on one database send each due reminder once: their sweeps,
// run at the same moment, share the due people.
func TestTwoReplicasSendEachReminderOnce(t *testing.T) {
	t.Parallel()
	// Replicas share a PostgreSQL database; the embedded SQLite database
	// belongs to one process.
	d := config.Postgres
	url := testdb.NewURL(t, d)
	a := apitest.New(t, d, apitest.Options{DatabaseURL: url})
	b := apitest.New(t, d, apitest.Options{DatabaseURL: url})
	a.Clock.Set(reminderStart)
	b.Clock.Set(reminderStart)
	org := a.Org()
	setReminders(a, org, map[string]any{"enabled": true, "after_days": []int{1}})
	const pending = 300 // more than one batch
	for range pending {
		a.User(org, apitest.UserOpts{})
	}
	a.StartWorkers()
	a.SendGrid.WaitForRecipients(t, pending, time.Minute) // the invitations
	a.Clock.Advance(day + time.Minute)
	b.Clock.Advance(day + time.Minute)
	var wg sync.WaitGroup
	counts, errs := make([]int, 2), make([]error, 2)
	for i, e := range []*apitest.Env{a, b} {
		wg.Go(func() { counts[i], _, errs[i] = e.Service.SendDueReminders(context.Background(), 0) })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	t.Logf("replica a sent %d, replica b %d", counts[0], counts[1])
	require.Equal(t, pending, counts[0]+counts[1])
	require.Equal(t, pending, a.Count("audit_events", "action = 'invite.reminded'"))
	require.Equal(t, pending, a.Count("users", "reminders_sent = 1"))
	require.Zero(t, sweep(t, b))

	// Both replicas' workers deliver: each person gets one reminder.
	b.StartWorkers()
	require.Eventually(t, func() bool {
		return len(a.SendGrid.Recipients())+len(b.SendGrid.Recipients()) >= 2*pending
	}, time.Minute, 10*time.Millisecond)
	require.Eventually(t, func() bool { return a.Count("invites", "delivery_status IN ('queued', 'sending')") == 0 },
		time.Minute, 10*time.Millisecond)
	require.Equal(t, 2*pending, len(a.SendGrid.Recipients())+len(b.SendGrid.Recipients()), "one invitation and one reminder each")
}

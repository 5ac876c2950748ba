package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
)

// A change of the policy answers at once and leaves the people to a job:
// until the job reaches them, the sweep checks each due reminder against
// the new policy, so none goes by the old one, and the job counts the due
// times from the change, so one that passed while it was on its way is
// still sent.
func TestReminderPolicyChangeReschedulesInTheBackground(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{7}})
		u := newInvitee(t, e, org, "slow@example.com")
		t0 := u.Invite.CreatedAt
		require.Equal(t, t0.Add(7*day), *u.NextReminderAt)

		// Day 1: days 3 and 5 instead. The answer does not wait for the people.
		advance(e, &org, day)
		p := putReminders(e, org, map[string]any{"enabled": true, "after_days": []int{3, 5}})
		require.Equal(t, api.ReminderPolicy{Enabled: true, AfterDays: []int{3, 5}, MaxReminders: 3, SkipWhenUndeliverable: true,
			Rescheduling: true}, p)
		var got api.ReminderPolicy
		e.Get("/organization/reminders", org.OwnerToken).Expect(http.StatusOK).JSON(&got)
		require.Equal(t, p, got, "still rescheduling")
		require.Len(t, rescheduleJobs(e, org), 2, "one job per change")
		require.Equal(t, t0.Add(7*day), *readUser(t, e, org, u.ID).NextReminderAt, "not rescheduled in the request")

		// Day 3 passes before the job reaches the person: the job still
		// counts day 3 (after the change), and the next sweep sends it.
		advance(e, &org, 2*day+time.Hour)
		require.Zero(t, sweep(t, e))
		rescheduleJob(e, org, 0)
		require.Equal(t, t0.Add(3*day), *readUser(t, e, org, u.ID).NextReminderAt)
		require.Equal(t, 1, sweep(t, e), "not missed")
		require.Equal(t, t0.Add(5*day), *readUser(t, e, org, u.ID).NextReminderAt)
		e.Get("/organization/reminders", org.OwnerToken).Expect(http.StatusOK).JSON(&got)
		require.False(t, got.Rescheduling)

		// Day 4: day 6 instead of 5. The job has not run when day 5 comes:
		// the sweep finds the old due time, checks it against the new
		// policy, and waits for day 6.
		advance(e, &org, day)
		putReminders(e, org, map[string]any{"enabled": true, "after_days": []int{3, 6}})
		advance(e, &org, day)
		require.Zero(t, sweep(t, e), "day 5 is the old policy's")
		require.Equal(t, t0.Add(6*day), *readUser(t, e, org, u.ID).NextReminderAt)
		require.Len(t, remindersOf(e, org, u.ID), 1)
		advance(e, &org, day)
		require.Equal(t, 1, sweep(t, e))
		rescheduleJob(e, org, 0) // late: the series it finds is already the new policy's
		got2 := readUser(t, e, org, u.ID)
		require.Equal(t, 2, got2.RemindersSent)
		require.Nil(t, got2.NextReminderAt)

		// Turned off: no reminder goes, whether the job has run or not.
		v := newInvitee(t, e, org, "off@example.com")
		require.NotNil(t, v.NextReminderAt)
		putReminders(e, org, map[string]any{"enabled": false})
		advance(e, &org, 4*day)
		require.Zero(t, sweep(t, e))
		require.Nil(t, readUser(t, e, org, v.ID).NextReminderAt, "the sweep ended the series")
		rescheduleJob(e, org, 0)
		require.Zero(t, sweep(t, e))
	})
}

// A change made while an earlier one's reschedule is queued supersedes it:
// the earlier job ends without writing, the later one does the work, and
// running it again, or twice at once, changes nothing more. A change whose
// job cannot be queued is not made.
func TestReminderRescheduleIsSupersededIdempotentAndDurable(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		setReminders(e, org, map[string]any{"enabled": true, "after_days": []int{3}})
		a := newInvitee(t, e, org, "a@example.com")
		b := newInvitee(t, e, org, "b@example.com")
		next := func() []time.Time {
			var out []time.Time
			for _, u := range []uuid.UUID{a.ID, b.ID} {
				out = append(out, *readUser(t, e, org, u).NextReminderAt)
			}
			return out
		}
		created := a.Invite.CreatedAt
		require.Equal(t, created.Add(3*day), next()[0])

		putReminders(e, org, map[string]any{"enabled": true, "after_days": []int{5}})
		putReminders(e, org, map[string]any{"enabled": true, "after_days": []int{4}})
		rescheduleJob(e, org, -1) // the [5] change's: superseded
		require.Equal(t, created.Add(3*day), next()[0], "the superseded job wrote nothing")
		var p api.ReminderPolicy
		e.Get("/organization/reminders", org.OwnerToken).Expect(http.StatusOK).JSON(&p)
		require.True(t, p.Rescheduling, "the [4] change's reschedule is still to run")

		// Two runs of the [4] change's job at once, then one more.
		jobs := rescheduleJobs(e, org)
		last := jobs[len(jobs)-1]
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = e.Service.RescheduleReminders(context.Background(), last.OrganizationID, last.Revision, 0)
			})
		}
		wg.Wait()
		require.NoError(t, errs[0])
		require.NoError(t, errs[1])
		want := []time.Time{a.Invite.CreatedAt.Add(4 * day), b.Invite.CreatedAt.Add(4 * day)}
		require.Equal(t, want, next())
		before := e.RowCounts()
		rescheduleJob(e, org, 0)
		require.Equal(t, want, next())
		require.Equal(t, before, e.RowCounts())
		e.Get("/organization/reminders", org.OwnerToken).Expect(http.StatusOK).JSON(&p)
		require.False(t, p.Rescheduling)
		require.Equal(t, []int{4}, p.AfterDays)

		// The job is queued in the change's transaction: no job, no change.
		restore := e.FailInserts("river_job", "NEW.kind = 'reminder_reschedule'")
		e.Put("/organization/reminders", org.OwnerToken, map[string]any{"enabled": false}).ExpectProblem(http.StatusInternalServerError, "internal")
		restore()
		e.Get("/organization/reminders", org.OwnerToken).Expect(http.StatusOK).JSON(&p)
		require.True(t, p.Enabled)
		require.False(t, p.Rescheduling)
		require.Equal(t, before, e.RowCounts(), "nothing of the refused change remains")
	})
}

// The queue's worker runs the reschedule a change queues.
func TestReminderRescheduleRunsOnTheQueue(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.Clock.Set(reminderStart)
		org := e.Org()
		var users []uuid.UUID
		for range 5 {
			users = append(users, e.User(org, apitest.UserOpts{}).ID)
		}
		e.StartWorkers()
		putReminders(e, org, map[string]any{"enabled": true, "after_days": []int{2}})
		require.Eventually(t, func() bool {
			var p api.ReminderPolicy
			e.Get("/organization/reminders", org.OwnerToken).Expect(http.StatusOK).JSON(&p)
			return !p.Rescheduling
		}, wait, 10*time.Millisecond)
		for _, id := range users {
			require.NotNil(t, readUser(t, e, org, id).NextReminderAt)
		}
		require.Eventually(t, func() bool {
			return e.Count("river_job", "kind = 'reminder_reschedule' AND state = 'completed'") == 1
		}, wait, 10*time.Millisecond)
	})
}

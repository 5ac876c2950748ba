package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// invitees creates n invite-pending users of org through the service, so
// that their emails are queued together before any worker runs.
func invitees(e *apitest.Env, org apitest.Org, prefix string, n int) []people.User {
	users := make([]people.User, n)
	for i := range users {
		users[i] = e.User(org, apitest.UserOpts{Email: fmt.Sprintf("%s%d@example.com", prefix, i)})
	}
	return users
}

// byEmail indexes the recipients the fake saw by address, failing on an
// address mailed twice.
func byEmail(t *testing.T, ps []sendgridtest.Personalization) map[string]sendgridtest.Personalization {
	t.Helper()
	m := map[string]sendgridtest.Personalization{}
	for _, p := range ps {
		_, twice := m[p.Email]
		require.False(t, twice, "%s was mailed twice", p.Email)
		m[p.Email] = p
	}
	return m
}

// hangingInvitee invites email with workers running and the provider
// keeping the first call unanswered, and returns once the provider has it.
func hangingInvitee(t *testing.T, e *apitest.Env, org apitest.Org, email string) api.User {
	t.Helper()
	e.SendGrid.HangNext(1)
	e.StartWorkers()
	created := newInvitee(t, e, org, email)
	e.WaitForInviteJobsWhere(wait, "the provider to have the request", func([]apitest.InviteJob) bool {
		return e.SendGrid.Requests() == 1
	})
	return created
}

// While the provider has not answered, the invite shows sending, one
// attempt counted, and the delivery_status filter finds it; once the
// attempt is over it moves on.
func TestDeliveryShowsSendingUntilTheProviderAnswers(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		created := hangingInvitee(t, e, org, "patient@example.com")

		got := readUser(t, e, org, created.ID)
		require.Equal(t, "sending", got.Invite.Delivery.Status)
		require.Equal(t, 1, got.Invite.Delivery.Attempts)
		require.Empty(t, got.Invite.Delivery.Reason)
		require.Nil(t, got.Invite.LastSentAt)
		var page api.UserList
		e.Get("/users?delivery_status=sending", org.OwnerToken).Expect(http.StatusOK).JSON(&page)
		require.Len(t, page.Data, 1)
		require.Equal(t, created.ID, page.Data[0].ID)

		// The hanging call times out, the retry goes through.
		e.SendGrid.WaitForMessages(t, 1, wait)
		e.WaitForInviteJobs(wait)
		got = readUser(t, e, org, created.ID)
		require.Equal(t, "sent", got.Invite.Delivery.Status)
		require.Equal(t, 2, got.Invite.Delivery.Attempts)
	}, apitest.Options{SendGridTimeout: 2 * time.Second})
}

// An email whose attempt never got its answer recorded (the worker died
// during the call) is sent again by the next worker, with the same link:
// nobody can know whether the provider took the first one.
func TestUnconfirmedAttemptIsSentAgainWithTheSameLink(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		created := newInvitee(t, e, org, "crashed@example.com")
		// What a worker records before its call, the call never answered.
		require.NoError(t, e.Store.StartSendAttempts(t.Context(), []uuid.UUID{created.Invite.ID}, time.Now().UTC()))
		require.Equal(t, "sending", readUser(t, e, org, created.ID).Invite.Delivery.Status)

		e.StartWorkers()
		msg := e.SendGrid.WaitForMessages(t, 1, wait)[0]
		require.Equal(t, rivertype.JobStateCompleted, e.WaitForInviteJobs(wait)[0].State)
		got := readUser(t, e, org, created.ID)
		require.Equal(t, "sent", got.Invite.Delivery.Status)
		require.Equal(t, 2, got.Invite.Delivery.Attempts, "the unanswered attempt counts")
		require.Contains(t, e.Logs.String(), "invite email sent again")
		require.Equal(t, http.StatusOK, accept(e, tokenOf(t, linkIn(t, msg.Personalizations[0])), apitest.Password).Status)
	})
}

// A provider event that arrives before the provider's answer is recorded
// proves the provider has the message: the status it sets stays, and the
// email is not sent again when the call ends without an answer.
func TestEventBeforeTheAnswerStopsTheResend(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		created := hangingInvitee(t, e, org, "fast@example.com")
		e.DeliveryEvent(org, created.Invite.ID, sendgridtest.Delivered)
		require.Equal(t, "delivered", readUser(t, e, org, created.ID).Invite.Delivery.Status)

		job := e.WaitForInviteJobs(wait)[0]
		require.Equal(t, rivertype.JobStateCompleted, job.State)
		require.Equal(t, 2, job.Attempt, "the timed-out attempt is retried, and the retry sends nothing")
		require.Equal(t, 1, e.SendGrid.Requests())
		require.Equal(t, "delivered", readUser(t, e, org, created.ID).Invite.Delivery.Status)
	}, apitest.Options{SendGridTimeout: time.Second})
}

// Emails queued together for one organization and inviter leave in one
// call, each recipient with their own link and custom args, and each job
// completes on its own.
func TestQueuedEmailsShareOneCall(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		users := invitees(e, org, "shared", 6)
		e.StartWorkers()
		got := byEmail(t, e.SendGrid.WaitForRecipients(t, len(users), wait))
		jobs := e.WaitForInviteJobs(wait)
		require.Len(t, jobs, len(users))
		for _, j := range jobs {
			require.Equal(t, rivertype.JobStateCompleted, j.State)
		}
		require.Less(t, e.SendGrid.Requests(), len(users), "fewer calls than emails")
		links := map[string]bool{}
		for _, u := range users {
			p, ok := got[u.Email]
			require.True(t, ok, "%s was mailed", u.Email)
			require.Equal(t, u.Invite.ID.String(), p.CustomArgs["invite_id"])
			links[linkIn(t, p)] = true
			require.Equal(t, "sent", readUser(t, e, org, u.ID).Invite.Delivery.Status)
		}
		require.Len(t, links, len(users), "every recipient has their own link")
	})
}

// A recipient that the provider refuses by name, or that fails the
// service's own checks, fails alone: the others of the call go out at
// once, and only the refused one's job gives up.
func TestOneBadRecipientFailsAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		spoil  func(e *apitest.Env, u people.User)
		reason string
	}{
		{"refused by the provider", func(e *apitest.Env, u people.User) { e.SendGrid.RefuseAddress(u.Email) },
			"Does not contain a valid address."},
		{"not an address", func(e *apitest.Env, u people.User) {
			e.Exec(`UPDATE users SET email = 'two..dots@example.com' WHERE id = ?`, u.ID)
		}, "The address is not a valid email address."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
				org := e.Org()
				users := invitees(e, org, "mixed", 5)
				bad := users[2]
				tt.spoil(e, bad)
				e.StartWorkers()

				got := byEmail(t, e.SendGrid.WaitForRecipients(t, len(users)-1, wait))
				jobs := e.WaitForInviteJobs(wait)
				require.Len(t, got, len(users)-1)
				for _, j := range jobs {
					want := rivertype.JobStateCompleted
					if j.InviteID == bad.Invite.ID {
						want = rivertype.JobStateCancelled
					}
					require.Equal(t, want, j.State, "job of invite %s", j.InviteID)
					require.Equal(t, 1, j.Attempt, "nobody waited for a retry")
				}
				for _, u := range users {
					inv := readUser(t, e, org, u.ID).Invite
					if u.ID == bad.ID {
						require.Equal(t, "failed", inv.Delivery.Status)
						require.Equal(t, tt.reason, inv.Delivery.Reason)
						continue
					}
					require.Contains(t, got, u.Email)
					require.Equal(t, "sent", inv.Delivery.Status)
				}
			})
		})
	}
}

// A superseded link is never mailed, also when the emails of its
// resends were queued together: only each user's latest invitation goes
// out, and the jobs of the superseded ones end without a call.
func TestCoalescedCallsMailOnlyTheLatestLink(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		resent := newInvitee(t, e, org, "resent@example.com")
		other := newInvitee(t, e, org, "other@example.com")
		var latest api.ResendResult
		for range 3 {
			latest = resendFor(t, e, org, resent.ID)
		}
		e.StartWorkers()
		jobs := e.WaitForInviteJobs(wait)
		require.Len(t, jobs, 5)
		got := byEmail(t, e.SendGrid.Recipients())
		require.Len(t, got, 2)
		require.Equal(t, latest.Invite.ID.String(), got[resent.Email].CustomArgs["invite_id"])
		require.Equal(t, other.Invite.ID.String(), got[other.Email].CustomArgs["invite_id"])
		for _, j := range jobs {
			require.Equal(t, rivertype.JobStateCompleted, j.State)
		}
		require.Equal(t, http.StatusOK, accept(e, tokenOf(t, linkIn(t, got[resent.Email])), apitest.Password).Status)
	})
}

// A rate limit on a shared call puts off every job of the call until the
// reset, without using up an attempt; they then leave together.
func TestRateLimitedCallSnoozesEveryJob(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		users := invitees(e, org, "limited", 3)
		e.SendGrid.RateLimitNextFor(1, 2*time.Second)
		e.StartWorkers()
		e.SendGrid.WaitForRecipients(t, len(users), wait)
		for _, j := range e.WaitForInviteJobs(wait) {
			require.Equal(t, rivertype.JobStateCompleted, j.State)
			require.Equal(t, 1, j.Snoozes())
			require.Equal(t, 1, j.Attempt)
		}
		require.Equal(t, 1, e.SendGrid.Requests()-len(e.SendGrid.Messages()), "one refused call")
		for _, u := range users {
			require.Equal(t, "sent", readUser(t, e, org, u.ID).Invite.Delivery.Status)
		}
	})
}

// However many emails are queued, no call carries more recipients than
// the bound, nor do all calls still unanswered together: what a crash at
// the worst moment could send twice.
func TestUnansweredRecipientsNeverExceedTheBound(t *testing.T) {
	t.Parallel()
	const bound = 5
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		users := invitees(e, org, "bounded", 23)
		e.SendGrid.SetLatency(30 * time.Millisecond)
		e.StartWorkers()
		byEmail(t, e.SendGrid.WaitForRecipients(t, len(users), wait))
		e.WaitForInviteJobs(wait)
		for _, m := range e.SendGrid.Messages() {
			require.LessOrEqual(t, len(m.Personalizations), bound)
		}
		require.LessOrEqual(t, e.SendGrid.PeakUnanswered(), bound)
		require.GreaterOrEqual(t, e.SendGrid.Requests(), (len(users)+bound-1)/bound)
	}, apitest.Options{Delivery: people.DeliveryOptions{MaxUnconfirmed: bound}})
}

// Calls take turns between organizations: one organization's burst does
// not hold up another's email until the burst is out. Here the burst's
// calls are queued before the other organization's email even exists.
func TestOneOrganizationsBurstDoesNotHoldUpAnother(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		busy, quiet := e.Org(), e.Org()
		invitees(e, busy, "burst", 40)
		release := e.SendGrid.Hold()
		defer release()
		e.StartWorkers()
		// The burst's first call is in flight and held; its seven others wait.
		e.WaitForInviteJobsWhere(wait, "the burst's first call", func([]apitest.InviteJob) bool {
			return e.SendGrid.Requests() == 1
		})
		lone := newInvitee(t, e, quiet, "lone@example.com")
		waitForLog(t, e, `"msg":"invite emails waiting for a provider call","organization_id":"`+quiet.ID.String()+`"`)
		release()
		e.SendGrid.WaitForRecipients(t, 41, wait)
		e.WaitForInviteJobs(wait)

		msgs := e.SendGrid.Messages()
		require.GreaterOrEqual(t, len(msgs), 9, "at least eight calls of five for the burst, one for the other")
		at := slices.IndexFunc(msgs, func(m sendgridtest.Message) bool {
			return slices.ContainsFunc(m.Personalizations, func(p sendgridtest.Personalization) bool { return p.Email == lone.Email })
		})
		require.GreaterOrEqual(t, at, 0)
		require.Len(t, msgs[at].Personalizations, 1, "the quiet organization's email has a call of its own")
		// First come, first served, it would be the last call. Taking turns,
		// it comes right after the burst's next call.
		require.LessOrEqual(t, at, 2, "the quiet organization's call took its turn, not the burst's end")
	}, apitest.Options{Delivery: people.DeliveryOptions{MaxUnconfirmed: 5, MaxCalls: 1}})
}

// waitForLog polls the environment's log until it contains fragment.
func waitForLog(t *testing.T, e *apitest.Env, fragment string) {
	t.Helper()
	require.Eventually(t, func() bool { return strings.Contains(e.Logs.String(), fragment) }, wait, 5*time.Millisecond,
		"the log never said %s", fragment)
}

// A job that has waited for its turn until a call could outlive it is put
// back in the queue rather than failed, and nothing is sent for it.
func TestEmailWithTooLittleTimeLeftWaits(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		created := newInvitee(t, e, org, "late@example.com")
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second) // less than MinTimeLeft's default
		defer cancel()
		err := e.Service.DeliverInvite(ctx, created.Invite.ID)
		var w people.Wait
		require.ErrorAs(t, err, &w)
		require.Zero(t, e.SendGrid.Requests())
		got := readUser(t, e, org, created.ID)
		require.Equal(t, "queued", got.Invite.Delivery.Status)
		require.Zero(t, got.Invite.Delivery.Attempts)
	})
}

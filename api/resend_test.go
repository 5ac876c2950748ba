package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// resend posts a resend of u's invitation.
func resend(e *apitest.Env, token string, id uuid.UUID) *apitest.Response {
	e.T.Helper()
	return e.Post(userPath(id, "resend-invite"), token, nil)
}

// R2: only invite-pending users can be sent a new invitation; the 409
// names the status the user is in.
func TestResendOnlyForInvitePending(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for _, status := range []people.Status{people.Confirmed, people.Deactivated} {
			u := e.User(org, apitest.UserOpts{Status: status})
			jobs := len(e.Jobs("invite_email"))
			p := resend(e, org.OwnerToken, u.ID).ExpectProblem(http.StatusConflict, "invite_not_pending")
			require.Equal(t, string(status), p.UserStatus)
			require.Contains(t, p.Detail, string(status))
			require.Len(t, e.Jobs("invite_email"), jobs, "nothing is queued")
			require.Equal(t, string(status), getUser(e, org.OwnerToken, u.ID).Status)
		}

		// A pending user who was never sent anything gets a first invitation.
		silent := e.User(org, apitest.UserOpts{NoInvite: true})
		var res api.ResendResult
		resend(e, org.OwnerToken, silent.ID).Expect(http.StatusAccepted).JSON(&res)
		require.Equal(t, 1, res.Invite.SentCount)
		require.Equal(t, "live", res.Invite.State)
		events := auditEvents(e, org.OwnerToken, "target_user_id="+silent.ID.String())
		require.Equal(t, people.ActionInviteSent, events[0].Action)
	})
}

// R3: a resend revokes every earlier link as it returns; only the newest
// works, on verify and accept alike.
func TestResendRevokesEveryEarlierLink(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		tokens := []string{e.InviteToken(u.Invite.ID)}
		for i := 2; i <= 4; i++ {
			var res api.ResendResult
			resend(e, org.OwnerToken, u.ID).Expect(http.StatusAccepted).JSON(&res)
			require.Equal(t, i, res.Invite.SentCount)
			require.Equal(t, "live", res.Invite.State)
			require.Equal(t, "queued", res.Invite.Delivery.Status)
			require.NotNil(t, res.Invite.CreatedBy)
			require.Equal(t, org.Owner.ID, *res.Invite.CreatedBy)
			require.Empty(t, res.Warnings)
			tokens = append(tokens, e.InviteToken(res.Invite.ID))
			require.Equal(t, 1, liveInvites(t, e, u.ID))
		}

		for _, old := range tokens[:3] {
			p := e.Post("/invites/verify", "", map[string]any{"token": old}).ExpectProblem(http.StatusGone, "invite_revoked")
			require.Equal(t, "superseded", p.Reason)
			p = e.Post("/invites/accept", "", map[string]any{"token": old, "password": strongPassword}).ExpectProblem(http.StatusGone, "invite_revoked")
			require.Equal(t, "superseded", p.Reason)
		}
		e.Post("/invites/verify", "", map[string]any{"token": tokens[3]}).Expect(http.StatusOK)

		invites := history(e, org.OwnerToken, u.ID)
		require.Len(t, invites, 4)
		for i, inv := range invites {
			require.Equal(t, 4-i, inv.SentCount, "newest first")
			if i == 0 {
				require.Equal(t, "live", inv.State)
				continue
			}
			require.Equal(t, "revoked", inv.State)
			require.Equal(t, "superseded", inv.RevokeReason)
			require.NotNil(t, inv.RevokedAt)
		}

		e.Post("/invites/accept", "", map[string]any{"token": tokens[3], "password": strongPassword}).Expect(http.StatusOK)
		e.Post("/invites/verify", "", map[string]any{"token": tokens[0]}).ExpectProblem(http.StatusGone, "invite_revoked")
	})
}

// R3 "same transaction", seen from outside: each invitation has exactly
// one email job, whose arguments name the invite and hold no secret.
func TestResendQueuesOneEmailJobPerInvite(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		for range 3 {
			resend(e, org.OwnerToken, u.ID).Expect(http.StatusAccepted)
		}
		invites := history(e, org.OwnerToken, u.ID)
		require.Len(t, invites, 4)

		jobs := e.Jobs("invite_email")
		require.Len(t, jobs, 4)
		var queued []uuid.UUID
		for _, j := range jobs {
			var args map[string]any
			require.NoError(t, json.Unmarshal([]byte(j.Args), &args))
			// The invite id, and the id of the request that queued it for
			// the log (the factory's first invitation had no request): no secret.
			require.Subset(t, []string{"invite_id", "request_id"}, keys(args))
			require.Contains(t, keys(args), "invite_id")
			queued = append(queued, j.InviteID())
		}
		var ids []uuid.UUID
		for _, inv := range invites {
			ids = append(ids, inv.ID)
			require.NotContains(t, jobs[0].Args+jobs[1].Args+jobs[2].Args+jobs[3].Args, e.InviteToken(inv.ID))
		}
		require.ElementsMatch(t, ids, queued)
	})
}

// R3/R13: when any step of a resend fails, nothing of it remains: the old
// link still works, no invite, job or audit event was added, and the
// Idempotency-Key was not used up.
func TestResendRollsBackWhenAStepFails(t *testing.T) {
	t.Parallel()
	for _, step := range []struct{ name, table, cond string }{
		{"invite insert", "invites", "NEW.sequence > 1"},
		{"job insert", "river_job", "NEW.kind = 'invite_email'"},
		{"audit insert", "audit_events", "NEW.action = 'invite.resent'"},
	} {
		t.Run(step.name, func(t *testing.T) {
			t.Parallel()
			apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
				org := e.Org()
				u := e.User(org, apitest.UserOpts{})
				first := e.InviteToken(u.Invite.ID)
				before := e.DatabaseText()

				restore := e.FailInserts(step.table, step.cond)
				req := apitest.Request{Method: http.MethodPost, Path: userPath(u.ID, "resend-invite"), Token: org.OwnerToken,
					Header: map[string]string{"Idempotency-Key": "retry-me"}}
				p := e.Do(req).ExpectProblem(http.StatusInternalServerError, "internal")
				require.NotContains(t, p.Detail, "provoked", "a 500 carries no internal detail")
				require.Equal(t, before, e.DatabaseText(), "the failed resend left no trace")
				e.Post("/invites/verify", "", map[string]any{"token": first}).Expect(http.StatusOK)
				restore()

				var res api.ResendResult
				r := e.Do(req).Expect(http.StatusAccepted)
				require.Empty(t, r.Header.Get("Idempotent-Replayed"), "the key was free: the retry ran")
				r.JSON(&res)
				require.Equal(t, 2, res.Invite.SentCount)
				e.Post("/invites/verify", "", map[string]any{"token": first}).ExpectProblem(http.StatusGone, "invite_revoked")
			})
		})
	}
}

// The same for creating a user: a failure after the insert leaves no user.
func TestCreateUserRollsBackWhenAStepFails(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		before := e.DatabaseText()
		restore := e.FailInserts("river_job", "NEW.kind = 'invite_email'")
		e.Post("/users", org.OwnerToken, map[string]any{"email": "ghost@example.com"}).ExpectProblem(http.StatusInternalServerError, "internal")
		require.Equal(t, before, e.DatabaseText())
		restore()
		e.Post("/users", org.OwnerToken, map[string]any{"email": "ghost@example.com"}).Expect(http.StatusCreated)
	})
}

// R4: there is no limit on resends.
func TestResendHasNoLimit(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		const n = 30
		for i := 2; i <= n+1; i++ {
			var res api.ResendResult
			resend(e, org.OwnerToken, u.ID).Expect(http.StatusAccepted).JSON(&res)
			require.Equal(t, i, res.Invite.SentCount)
		}
		require.Equal(t, 1, liveInvites(t, e, u.ID))
		require.Len(t, e.Jobs("invite_email"), n+1)
		require.Equal(t, n+1, getUser(e, org.OwnerToken, u.ID).Invite.SentCount)
	})
}

// R4: concurrent resends of one user (two replicas, a double click) end
// with exactly one live invite, each resend superseding the one before.
func TestConcurrentResendsLeaveOneLiveInvite(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		_, adminToken := e.Manager(org, people.Admin)
		u := e.User(org, apitest.UserOpts{})
		const n = 20
		responses := e.Concurrently(n, func(i int) *apitest.Response {
			token := org.OwnerToken
			if i%2 == 1 {
				token = adminToken
			}
			return resend(e, token, u.ID)
		})

		counts := map[int]bool{}
		for _, r := range responses {
			r.Expect(http.StatusAccepted)
			var res api.ResendResult
			r.JSON(&res)
			counts[res.Invite.SentCount] = true
		}
		require.Len(t, counts, n, "every resend made its own invite")
		for i := 2; i <= n+1; i++ {
			require.True(t, counts[i], "sent_count %d", i)
		}

		require.Equal(t, 1, liveInvites(t, e, u.ID))
		invites := history(e, org.OwnerToken, u.ID)
		require.Len(t, invites, n+1)
		require.Equal(t, "live", invites[0].State)
		require.Equal(t, n+1, invites[0].SentCount)
		for _, inv := range invites[1:] {
			require.Equal(t, "revoked", inv.State)
			require.Equal(t, "superseded", inv.RevokeReason)
		}
		require.Equal(t, invites[0].ID, getUser(e, org.OwnerToken, u.ID).Invite.ID, "the user points at the live invite")
		ids := make([]uuid.UUID, len(invites))
		for i, inv := range invites {
			ids[i] = inv.ID
		}
		require.Len(t, e.InviteJobsFor(ids...), n+1, "one email job per invite")
		require.Len(t, auditEvents(e, org.OwnerToken, "action=invite.resent"), n)
	})
}

// R9 under R4: of concurrent resends after a bounce, only the first warns;
// the others follow a fresh invitation that has not failed (a resend that
// waited for the lock must not judge by the invite it saw before waiting).
func TestConcurrentResendsWarnOnce(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		e.DeliveryEvent(org, u.Invite.ID, sendgridtest.Bounce)
		responses := e.Concurrently(10, func(int) *apitest.Response { return resend(e, org.OwnerToken, u.ID) })
		var warned []int
		for _, r := range responses {
			var res api.ResendResult
			r.Expect(http.StatusAccepted).JSON(&res)
			if len(res.Warnings) > 0 {
				require.Equal(t, "previous_delivery_bounced", res.Warnings[0].Code)
				warned = append(warned, res.Invite.SentCount)
			}
		}
		require.Equal(t, []int{2}, warned, "only the resend that followed the bounced invite warns")
	})
}

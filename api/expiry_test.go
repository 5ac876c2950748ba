package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
)

// expiresAfter is when an invitation created at created lives hours until.
func expiresAfter(created time.Time, hours int) time.Time {
	return created.Add(time.Duration(hours) * time.Hour).Truncate(time.Second)
}

// One invitation's lifetime, chosen on create, resend, invite link and
// bulk resend: hours from 24 to 720, the organization's invite_ttl by
// default.
func TestExpiresIn(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()

		var created api.User
		createUser(e, org.OwnerToken, map[string]any{"email": "short@example.com", "expires_in": 24}).Expect(http.StatusCreated).JSON(&created)
		require.Equal(t, expiresAfter(created.Invite.CreatedAt, 24), created.Invite.ExpiresAt)
		verifyToken(e, e.InviteToken(created.Invite.ID)).Expect(http.StatusOK)

		var res api.ResendResult
		e.Post(userPath(created.ID, "resend-invite")+"?expires_in=720", org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		require.Equal(t, expiresAfter(res.Invite.CreatedAt, 720), res.Invite.ExpiresAt)
		e.Post(userPath(created.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		require.Equal(t, expiresAfter(res.Invite.CreatedAt, 168), res.Invite.ExpiresAt, "the organization's default")

		var link api.InviteLinkResult
		e.Post(userPath(created.ID, "invite-link")+"?expires_in=100", org.OwnerToken, nil).Expect(http.StatusCreated).JSON(&link)
		require.Equal(t, expiresAfter(link.Invite.CreatedAt, 100), link.Invite.ExpiresAt)

		// The link works until the chosen expiry, not the default one.
		e.Clock.Advance(101 * time.Hour)
		p := verifyToken(e, linkToken(t, link.URL)).ExpectProblem(http.StatusGone, "invite_expired")
		require.True(t, *p.Renewable)
	})
}

func TestExpiresInBounds(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		before := e.RowCounts()
		for _, hours := range []int{23, 721, 0, -24} {
			p := e.OffContract().Post("/users", org.OwnerToken, map[string]any{"email": "x@example.com", "expires_in": hours}).
				ExpectProblem(http.StatusBadRequest, "invalid_request")
			require.Equal(t, "expires_in", p.Errors[0].Field, "%d", hours)
			require.Equal(t, "out_of_range", p.Errors[0].Code)
			require.Contains(t, p.Errors[0].Message, "from 24 to 720")
			e.OffContract().Post(userPath(u.ID, "resend-invite")+"?expires_in="+strconv.Itoa(hours), org.OwnerToken, nil).
				ExpectProblem(http.StatusBadRequest, "invalid_request")
			e.OffContract().Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}, "expires_in": hours}).
				ExpectProblem(http.StatusBadRequest, "invalid_request")
			e.OffContract().Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}, "expires_in": hours, "dry_run": true}).
				ExpectProblem(http.StatusBadRequest, "invalid_request")
		}
		p := createUser(e, org.OwnerToken, map[string]any{"email": "quiet@example.com", "send_invite": false, "expires_in": 48}).
			ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, "expires_in", p.Errors[0].Field)
		require.Contains(t, p.Errors[0].Message, "send_invite")
		require.Equal(t, before, e.RowCounts(), "nothing was written")
	})
}

// A bulk resend gives every invitation it sends the lifetime it was asked
// for, and shows it in the job's parameters.
func TestBulkResendExpiresIn(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.StartWorkers()
		a, b := e.User(org, apitest.UserOpts{}), e.User(org, apitest.UserOpts{})
		job := accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{
			"user_ids": []string{a.ID.String(), b.ID.String()}, "expires_in": 72}))
		require.Equal(t, 72, job.Params.ExpiresIn)
		done := waitJob(t, e, org.OwnerToken, job.ID, time.Minute)
		require.Equal(t, 2, done.Succeeded)
		for _, id := range []string{a.ID.String(), b.ID.String()} {
			var got api.User
			e.Get("/users/"+id, org.OwnerToken).Expect(http.StatusOK).JSON(&got)
			require.Equal(t, 2, got.Invite.SentCount)
			require.Equal(t, expiresAfter(got.Invite.CreatedAt, 72), got.Invite.ExpiresAt)
		}

		// Without expires_in each invitation lives the organization's invite_ttl when it is sent.
		e.Patch("/organization", org.OwnerToken, map[string]any{"invite_ttl": 30}).Expect(http.StatusOK)
		job = accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"user_ids": []string{a.ID.String()}}))
		require.Zero(t, job.Params.ExpiresIn)
		waitJob(t, e, org.OwnerToken, job.ID, time.Minute)
		got := getUser(e, org.OwnerToken, a.ID)
		require.Equal(t, expiresAfter(got.Invite.CreatedAt, 30), got.Invite.ExpiresAt)
	})
}

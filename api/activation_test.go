package api_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/people"
)

func verify(e *apitest.Env, token string) *apitest.Response {
	e.T.Helper()
	return e.Post("/invites/verify", "", map[string]any{"token": token})
}

func accept(e *apitest.Env, token, password string) *apitest.Response {
	e.T.Helper()
	return e.Post("/invites/accept", "", map[string]any{"token": token, "password": password})
}

// R7: opening a link consumes nothing, however often (mail scanners,
// previews); accepting consumes it once, sets the password, confirms the
// user and signs them in.
func TestVerifyConsumesNothingAcceptConsumesOnce(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Email: "grace@example.com", FirstName: "Grace", LastName: "Hopper"})
		link := e.InviteToken(u.Invite.ID)
		for range 10 {
			var d api.InviteDetails
			verify(e, link).Expect(http.StatusOK).JSON(&d)
			require.Equal(t, api.InviteDetails{Email: "grace@example.com", FirstName: "Grace", LastName: "Hopper",
				Organization: api.OrganizationInfo{Name: org.Name, Slug: org.Slug, DefaultLocale: "en"}, ExpiresAt: u.Invite.ExpiresAt.UTC(),
				Locale: "en"}, d)
		}
		require.Equal(t, "live", getUser(e, org.OwnerToken, u.ID).Invite.State)
		require.Zero(t, e.Count("audit_events", "target_user_id = ? AND action = ?", u.ID, people.ActionInviteAccepted))

		var res api.AcceptInviteResult
		e.Post("/invites/accept", "", map[string]any{"token": link, "password": strongPassword, "first_name": " Grace M. "}).
			Expect(http.StatusOK).JSON(&res)
		require.Equal(t, "confirmed", res.User.Status)
		require.Equal(t, "Grace M.", res.User.FirstName)
		require.False(t, res.User.MustChangePassword)
		require.NotNil(t, res.User.ConfirmedAt)
		require.Equal(t, "accepted", res.User.Invite.State)
		require.Equal(t, "Bearer", res.TokenType)
		require.Equal(t, 900, res.ExpiresIn)
		var me api.User
		e.Get("/me", res.AccessToken).Expect(http.StatusOK).JSON(&me)
		require.Equal(t, u.ID, me.ID)
		signIn(e, org, u.Email, strongPassword).Expect(http.StatusOK)

		accept(e, link, "another-Quartz-lamp-77").ExpectProblem(http.StatusGone, "invite_accepted")
		verify(e, link).ExpectProblem(http.StatusGone, "invite_accepted")
		signIn(e, org, u.Email, "another-Quartz-lamp-77").ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
		require.Zero(t, liveInvites(t, e, u.ID))
	})
}

// R7: two tabs accepting the same link at once: exactly one wins.
func TestConcurrentAcceptsConsumeTheLinkOnce(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		link := e.InviteToken(u.Invite.ID)
		responses := e.Concurrently(8, func(int) *apitest.Response { return accept(e, link, strongPassword) })
		won := 0
		for _, r := range responses {
			if r.Status == http.StatusOK {
				won++
				continue
			}
			r.ExpectProblem(http.StatusGone, "invite_accepted")
		}
		require.Equal(t, 1, won)
		require.Equal(t, 1, e.Count("audit_events", "target_user_id = ? AND action = ?", u.ID, people.ActionInviteAccepted))
	})
}

// R7: the policy applies when accepting; a refused password leaves the
// link usable.
func TestAcceptAppliesThePasswordPolicy(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Email: "hopper@example.com", FirstName: "Grace", LastName: "Hopper"})
		link := e.InviteToken(u.Invite.ID)

		p := e.OffContract().Post("/invites/accept", "", map[string]any{"token": link, "password": "hopper2024"}).
			ExpectProblem(http.StatusBadRequest, "weak_password")
		var codes []string
		for _, f := range p.Errors {
			codes = append(codes, f.Code)
		}
		require.Equal(t, []string{"too_short", "contains_email", "contains_name", "too_guessable"}, codes)
		// Names corrected in the same request count too.
		p = e.Post("/invites/accept", "", map[string]any{"token": link, "password": "Quartz-Marvelous-lamp-7", "first_name": "Marvelous"}).
			ExpectProblem(http.StatusBadRequest, "weak_password")
		require.Equal(t, "contains_name", p.Errors[0].Code)

		e.OffContract().Post("/invites/accept", "", map[string]any{"token": link}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		e.OffContract().Post("/invites/accept", "", map[string]any{"password": strongPassword}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		e.OffContract().Post("/invites/accept", "", map[string]any{"token": link, "password": strongPassword, "email": "x@example.com"}).
			ExpectProblem(http.StatusBadRequest, "invalid_request")

		verify(e, link).Expect(http.StatusOK)
		require.Equal(t, "invite_pending", getUser(e, org.OwnerToken, u.ID).Status)
		accept(e, link, strongPassword).Expect(http.StatusOK)
	})
}

// Unknown, malformed and forged tokens all answer invite_not_found.
func TestUnknownAndForgedTokens(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		other := e.User(org, apitest.UserOpts{})
		link := e.InviteToken(u.Invite.ID)
		raw, err := base64.RawURLEncoding.DecodeString(link)
		require.NoError(t, err)
		otherRaw, err := base64.RawURLEncoding.DecodeString(e.InviteToken(other.Invite.ID))
		require.NoError(t, err)

		flipped := append([]byte(nil), raw...)
		flipped[len(flipped)-1] ^= 1
		unknownID := append([]byte(nil), raw...)
		fresh := uuid.New()
		copy(unknownID[1:17], fresh[:])
		swapped := append(append([]byte(nil), raw[:len(raw)-32]...), otherRaw[len(otherRaw)-32:]...) // u's invite, other's MAC
		for name, token := range map[string]string{
			"forged MAC":    base64.RawURLEncoding.EncodeToString(flipped),
			"borrowed MAC":  base64.RawURLEncoding.EncodeToString(swapped),
			"truncated":     link[:len(link)-2],
			"not base64":    "!!!" + link[3:],
			"random":        base64.RawURLEncoding.EncodeToString(make([]byte, len(raw))),
			"huge":          strings.Repeat("A", 10_000),
			"unknown id":    base64.RawURLEncoding.EncodeToString(unknownID),
			"padding added": link + "==",
		} {
			for _, path := range []string{"/invites/verify", "/invites/accept", "/invites/renew"} {
				body := map[string]any{"token": token}
				if path == "/invites/accept" {
					body["password"] = strongPassword
				}
				// A token longer than any link breaks the contract's maxLength on purpose.
				r := e.Do(apitest.Request{Method: http.MethodPost, Path: path, Body: body, Invalid: len(token) > auth.MaxInviteTokenLength})
				p := r.ExpectProblem(http.StatusNotFound, "invite_not_found")
				require.Equal(t, "This invitation link is not valid.", p.Detail, "%s on %s", name, path)
			}
		}
		e.Post("/invites/verify", "", map[string]any{"token": ""}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		verify(e, link).Expect(http.StatusOK)
		require.Equal(t, "invite_pending", getUser(e, org.OwnerToken, u.ID).Status)
	})
}

// R7: an expired link answers 410 invite_expired, renewable while the user
// is still pending; renewing sends a fresh link to the address on file,
// once per expired link.
func TestExpiredLinkRenews(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Email: "late@example.com"})
		link := e.InviteToken(u.Invite.ID)

		e.Post("/invites/renew", "", map[string]any{"token": link}).ExpectProblem(http.StatusConflict, "invite_still_valid")
		e.Clock.Advance(7*24*time.Hour + time.Second)
		p := verify(e, link).ExpectProblem(http.StatusGone, "invite_expired")
		require.NotNil(t, p.Renewable)
		require.True(t, *p.Renewable)
		require.NotNil(t, p.ExpiredAt)
		require.Equal(t, u.Invite.ExpiresAt.UTC(), *p.ExpiredAt)
		accept(e, link, strongPassword).ExpectProblem(http.StatusGone, "invite_expired")
		require.Equal(t, "expired", getUser(e, e.Token(org.Owner), u.ID).Invite.State)

		// The address comes from the user's row, never from the request.
		e.OffContract().Post("/invites/renew", "", map[string]any{"token": link, "email": "attacker@evil.example"}).
			ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Len(t, history(e, e.Token(org.Owner), u.ID), 1)

		e.StartWorkers()
		e.Post("/invites/renew", "", map[string]any{"token": link}).Expect(http.StatusAccepted)
		invites := history(e, e.Token(org.Owner), u.ID)
		require.Len(t, invites, 2)
		require.Equal(t, "live", invites[0].State)
		require.Nil(t, invites[0].CreatedBy, "nobody sent it: the link renewed itself")
		require.Equal(t, "superseded", invites[1].RevokeReason)
		msgs := e.SendGrid.WaitForMessages(t, 1, 10*time.Second) // the expired link is not mailed: only the renewal
		renewed := msgs[0]
		require.Len(t, renewed.Personalizations, 1)
		require.Equal(t, []string{"late@example.com"}, renewed.Personalizations[0].To)
		fresh := e.InviteToken(invites[0].ID)
		require.Contains(t, renewed.Personalizations[0].Text, apitest.AppBaseURL+"/activate?token="+fresh)

		p = e.Post("/invites/renew", "", map[string]any{"token": link}).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Equal(t, "superseded", p.Reason, "an expired link renews once")
		events := auditEvents(e, e.Token(org.Owner), "action=invite.renewed")
		require.Len(t, events, 1)
		require.Nil(t, events[0].ActorID)

		accept(e, fresh, strongPassword).Expect(http.StatusOK)
	})
}

// An expired link of a user who is no longer pending is not renewable.
func TestExpiredLinkOfAnInactiveUserDoesNotRenew(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		link := e.InviteToken(u.Invite.ID)
		e.Clock.Advance(8 * 24 * time.Hour)
		token := e.Token(org.Owner)
		e.Post(userPath(u.ID, "deactivate"), token, nil).Expect(http.StatusOK)
		p := verify(e, link).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Equal(t, "deactivated", p.Reason)
		e.Post("/invites/renew", "", map[string]any{"token": link}).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Len(t, history(e, token, u.ID), 1)
	})
}

// DESIGN §5: links are APP_BASE_URL/activate?token=…, the token carries at
// least 256 bits of MAC, and neither the token nor anything that opens an
// account is stored, queued or logged: only the mail carries it.
func TestActivationTokensAreNeverStoredQueuedOrLogged(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.StartWorkers()
		org := e.Org()
		var created api.User
		e.Post("/users", org.OwnerToken, map[string]any{"email": "secret-keeper@example.com"}).Expect(http.StatusCreated).JSON(&created)
		e.SendGrid.WaitForMessages(t, 1, 10*time.Second) // a superseded link is never mailed: let the first go out
		var res api.ResendResult
		e.Post(userPath(created.ID, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
		msgs := e.SendGrid.WaitForMessages(t, 2, 10*time.Second)

		var tokens []string
		for _, m := range msgs {
			p := m.Personalizations[0]
			tok := apitest.TokenFromLink(t, p.Text)
			require.Contains(t, p.Text, apitest.AppBaseURL+"/activate?token="+tok)
			require.Contains(t, p.HTML, apitest.AppBaseURL+"/activate?token="+tok)
			raw, err := base64.RawURLEncoding.DecodeString(tok)
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(raw)-1-16-1-len("t1"), 32, "at least 256 bits of MAC")
			tokens = append(tokens, tok)
		}
		require.ElementsMatch(t, []string{e.InviteToken(created.Invite.ID), e.InviteToken(res.Invite.ID)}, tokens)

		var accepted api.AcceptInviteResult
		accept(e, tokens[1], strongPassword).Expect(http.StatusOK).JSON(&accepted)
		verify(e, tokens[0]).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Eventually(t, func() bool {
			return e.Count("river_job", "kind = 'invite_email' AND state = 'completed'") == 2
		}, 10*time.Second, 20*time.Millisecond, "the workers are done with both emails")

		secrets := append(tokens, strongPassword, accepted.AccessToken)
		for _, tok := range tokens {
			raw, _ := base64.RawURLEncoding.DecodeString(tok)
			secrets = append(secrets, base64.StdEncoding.EncodeToString(raw[len(raw)-32:]), base64.RawURLEncoding.EncodeToString(raw[len(raw)-32:]))
		}
		require.Empty(t, e.Secrets(secrets...))
		require.NotEmpty(t, e.Secrets("secret-keeper@example.com"), "the search itself finds what is there")
	})
}

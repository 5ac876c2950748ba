package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/people"
)

// setPassword puts a password body to a user.
func setPassword(e *apitest.Env, token string, u people.User, body map[string]any) *apitest.Response {
	e.T.Helper()
	return e.Put(userPath(u.ID, "password"), token, body)
}

// R6: setting the password of an invite-pending user confirms them, voids
// their links, and makes the password temporary unless told otherwise.
func TestSetPasswordConfirmsPendingUser(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		link := e.InviteToken(u.Invite.ID)

		r := setPassword(e, org.OwnerToken, u, map[string]any{"password": strongPassword}).Expect(http.StatusOK)
		var raw map[string]json.RawMessage
		r.JSON(&raw)
		require.NotContains(t, raw, "password", "a chosen password is never echoed")
		require.NotContains(t, string(r.Body), strongPassword)
		var res api.SetPasswordResult
		r.JSON(&res)
		require.Equal(t, "confirmed", res.User.Status)
		require.True(t, res.User.MustChangePassword)
		require.NotNil(t, res.User.ConfirmedAt)
		require.Equal(t, "revoked", res.User.Invite.State)
		require.Equal(t, "password_set", res.User.Invite.RevokeReason)
		require.Zero(t, liveInvites(t, e, u.ID))
		require.True(t, strings.HasPrefix(storedUser(t, e, u).PasswordHash, "$argon2id$"), "stored as an argon2id hash")

		p := e.Post("/invites/verify", "", map[string]any{"token": link}).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Equal(t, "password_set", p.Reason)
		e.Post("/invites/accept", "", map[string]any{"token": link, "password": "another-Quartz-lamp-77"}).
			ExpectProblem(http.StatusGone, "invite_revoked")

		// The temporary password signs in and asks for a change, once.
		var tok api.TokenResponse
		signIn(e, org, u.Email, strongPassword).Expect(http.StatusOK).JSON(&tok)
		require.True(t, tok.PasswordChangeRequired)
		e.Put("/me/password", tok.AccessToken, map[string]any{"current_password": strongPassword, "new_password": "violet-Harbor-engine-93"}).
			Expect(http.StatusNoContent)
		signIn(e, org, u.Email, strongPassword).ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
		signIn(e, org, u.Email, "violet-Harbor-engine-93").Expect(http.StatusOK).JSON(&tok)
		require.False(t, tok.PasswordChangeRequired)
		require.False(t, getUser(e, org.OwnerToken, u.ID).MustChangePassword)

		events := auditEvents(e, org.OwnerToken, "action=user.password_set&target_user_id="+u.ID.String())
		require.Len(t, events, 1)
		require.Equal(t, map[string]any{"temporary": true, "generated": false, "previous_status": "invite_pending", "invites_revoked": 1.0,
			"sessions_ended": 0.0},
			events[0].Metadata)
		require.Empty(t, e.Secrets(strongPassword, "violet-Harbor-engine-93"))
	})
}

// R6: temporary: false sets a password the user keeps; a confirmed user
// stays confirmed; a deactivated one can't be given a password.
func TestSetPasswordVariants(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()

		pending := e.User(org, apitest.UserOpts{})
		var res api.SetPasswordResult
		setPassword(e, org.OwnerToken, pending, map[string]any{"password": strongPassword, "temporary": false}).Expect(http.StatusOK).JSON(&res)
		require.Equal(t, "confirmed", res.User.Status)
		require.False(t, res.User.MustChangePassword)
		var tok api.TokenResponse
		signIn(e, org, pending.Email, strongPassword).Expect(http.StatusOK).JSON(&tok)
		require.False(t, tok.PasswordChangeRequired)

		confirmed := e.User(org, apitest.UserOpts{Status: people.Confirmed})
		before := getUser(e, org.OwnerToken, confirmed.ID)
		setPassword(e, org.OwnerToken, confirmed, map[string]any{"password": strongPassword}).Expect(http.StatusOK).JSON(&res)
		require.Equal(t, "confirmed", res.User.Status)
		require.True(t, res.User.MustChangePassword)
		require.Equal(t, before.ConfirmedAt, res.User.ConfirmedAt, "confirmed once, when it first happened")
		signIn(e, org, confirmed.Email, apitest.Password).ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
		signIn(e, org, confirmed.Email, strongPassword).Expect(http.StatusOK)

		deactivated := e.User(org, apitest.UserOpts{Status: people.Deactivated})
		p := setPassword(e, org.OwnerToken, deactivated, map[string]any{"password": strongPassword}).ExpectProblem(http.StatusConflict, "user_deactivated")
		require.Equal(t, "deactivated", p.UserStatus)
		setPassword(e, org.OwnerToken, deactivated, map[string]any{"generate": true}).ExpectProblem(http.StatusConflict, "user_deactivated")

		never := e.User(org, apitest.UserOpts{NoInvite: true})
		setPassword(e, org.OwnerToken, never, map[string]any{"password": strongPassword}).Expect(http.StatusOK).JSON(&res)
		require.Equal(t, "confirmed", res.User.Status)
		require.Nil(t, res.User.Invite)

		for _, body := range []map[string]any{
			{"password": strongPassword, "generate": true},
			{"generate": false},
			{"temporary": true},
			{"password": ""},
		} {
			_, empty := body["password"]
			r := e.Do(apitest.Request{Method: http.MethodPut, Path: userPath(pending.ID, "password"), Token: org.OwnerToken,
				Body: body, Invalid: empty && body["password"] == ""})
			p := r.ExpectProblem(http.StatusBadRequest, "invalid_request")
			require.Equal(t, "password", p.Errors[0].Field, "%v", body)
		}
	})
}

// R6: generate: true answers a strong password once; it works and is
// stored nowhere in plain form.
func TestSetGeneratedPassword(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"})
		var res api.SetPasswordResult
		setPassword(e, org.OwnerToken, u, map[string]any{"generate": true}).Expect(http.StatusOK).JSON(&res)
		require.Len(t, res.Password, 20)
		require.Empty(t, auth.CheckPassword(res.Password, auth.PolicyInputs{Email: u.Email, FirstName: "Ada", LastName: "Lovelace",
			OrganizationName: org.Name}), "the generated password passes the policy for this user")
		require.Equal(t, "confirmed", res.User.Status)
		require.True(t, res.User.MustChangePassword)

		var tok api.TokenResponse
		signIn(e, org, u.Email, res.Password).Expect(http.StatusOK).JSON(&tok)
		require.True(t, tok.PasswordChangeRequired)

		var again api.SetPasswordResult
		setPassword(e, org.OwnerToken, u, map[string]any{"generate": true, "temporary": false}).Expect(http.StatusOK).JSON(&again)
		require.NotEqual(t, res.Password, again.Password)
		require.False(t, again.User.MustChangePassword)
		signIn(e, org, u.Email, res.Password).ExpectProblem(http.StatusUnauthorized, "invalid_credentials")

		require.Empty(t, e.Secrets(res.Password, again.Password))
		for _, ev := range auditEvents(e, org.OwnerToken, "target_user_id="+u.ID.String()) {
			raw, err := json.Marshal(ev)
			require.NoError(t, err)
			require.NotContains(t, string(raw), res.Password)
			require.NotContains(t, string(raw), again.Password)
		}
	})
}

// R6 and DESIGN §5: a weak password is refused with every rule it breaks,
// never repeating it, and nothing changes.
func TestSetPasswordRefusesWeakPasswords(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Email: "ada.lovelace@example.com", FirstName: "Ada", LastName: "Lovelace"})
		for _, tc := range []struct {
			password string
			codes    []string
		}{
			{"Qz7!kp", []string{"too_short", "too_guessable"}},
			{strings.Repeat("Qz7!kp-Lm", 15), []string{"too_long"}},
			{"ada.lovelace@example.com!", []string{"contains_email", "contains_name", "too_guessable"}},
			{"my-ada.lovelace-Quartz-lamp", []string{"contains_email", "contains_name"}},
			{"Lovelace-Quartz-lamp-orbit", []string{"contains_name"}},
			{"passwordpassword", []string{"too_guessable"}},
			{"qwertyuiop123456", []string{"too_guessable"}},
		} {
			// Lengths outside 12-128 break the contract's bounds on purpose.
			n := utf8.RuneCountInString(tc.password)
			r := e.Do(apitest.Request{Method: http.MethodPut, Path: userPath(u.ID, "password"), Token: org.OwnerToken,
				Body: map[string]any{"password": tc.password}, Invalid: n < 12 || n > 128})
			p := r.ExpectProblem(http.StatusBadRequest, "weak_password")
			var codes []string
			for _, f := range p.Errors {
				require.Equal(t, "password", f.Field)
				require.NotEmpty(t, f.Message)
				codes = append(codes, f.Code)
			}
			require.Equal(t, tc.codes, codes, "password %q", tc.password)
			require.NotContains(t, string(r.Body), tc.password)
		}
		require.Equal(t, "invite_pending", getUser(e, org.OwnerToken, u.ID).Status)
		require.Equal(t, 1, liveInvites(t, e, u.ID))
		require.Empty(t, e.Secrets("passwordpassword", "Lovelace-Quartz-lamp-orbit", "qwertyuiop123456"))
	})
}

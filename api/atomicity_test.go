package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// R13: a request that fails leaves no partial state. Each state change
// writes its audit event last, so failing that insert proves that every
// earlier write of the request (revocations, status, password hash, new
// invite, queued email) is undone with it.
func TestFailedRequestsLeaveNoPartialState(t *testing.T) {
	t.Parallel()
	type fixture struct {
		org  apitest.Org
		user people.User
		link string
	}
	for _, tc := range []struct {
		name   string
		action string
		status people.Status
		expire bool
		req    func(e *apitest.Env, f fixture) apitest.Request
	}{
		{"create user", people.ActionInviteSent, people.InvitePending, false, func(_ *apitest.Env, f fixture) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/users", Token: f.org.OwnerToken, Body: map[string]any{"email": "new@example.com"}}
		}},
		{"set password", people.ActionPasswordSet, people.InvitePending, false, func(_ *apitest.Env, f fixture) apitest.Request {
			return apitest.Request{Method: http.MethodPut, Path: userPath(f.user.ID, "password"), Token: f.org.OwnerToken,
				Body: map[string]any{"password": strongPassword}}
		}},
		{"accept", people.ActionInviteAccepted, people.InvitePending, false, func(_ *apitest.Env, f fixture) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/invites/accept", Body: map[string]any{"token": f.link, "password": strongPassword}}
		}},
		{"renew", people.ActionInviteRenewed, people.InvitePending, true, func(_ *apitest.Env, f fixture) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/invites/renew", Body: map[string]any{"token": f.link}}
		}},
		{"change email", people.ActionEmailChanged, people.InvitePending, false, func(_ *apitest.Env, f fixture) apitest.Request {
			return apitest.Request{Method: http.MethodPatch, Path: userPath(f.user.ID), Token: f.org.OwnerToken,
				Body: map[string]any{"email": "moved@example.com", "first_name": "Moved"}}
		}},
		{"change role", people.ActionRoleChanged, people.InvitePending, false, func(_ *apitest.Env, f fixture) apitest.Request {
			return apitest.Request{Method: http.MethodPatch, Path: userPath(f.user.ID), Token: f.org.OwnerToken, Body: map[string]any{"role": "hr"}}
		}},
		{"deactivate", people.ActionUserDeactivated, people.InvitePending, false, func(_ *apitest.Env, f fixture) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: userPath(f.user.ID, "deactivate"), Token: f.org.OwnerToken}
		}},
		{"reactivate", people.ActionUserReactivated, people.Deactivated, false, func(_ *apitest.Env, f fixture) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: userPath(f.user.ID, "reactivate"), Token: f.org.OwnerToken}
		}},
		{"change own password", people.ActionPasswordChanged, people.Confirmed, false, func(e *apitest.Env, f fixture) apitest.Request {
			return apitest.Request{Method: http.MethodPut, Path: "/me/password", Token: e.Token(f.user),
				Body: map[string]any{"current_password": apitest.Password, "new_password": strongPassword}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
				org := e.Org()
				u := e.User(org, apitest.UserOpts{Status: tc.status})
				f := fixture{org: org, user: u}
				if u.Invite != nil {
					f.link = e.InviteToken(u.Invite.ID)
				}
				if tc.expire {
					e.Clock.Advance(8 * 24 * time.Hour)
					f.org.OwnerToken = e.Token(org.Owner)
				}
				req := tc.req(e, f)
				before := e.DatabaseText()
				restore := e.FailInserts("audit_events", "NEW.action = '"+tc.action+"'")
				p := e.Do(req).ExpectProblem(http.StatusInternalServerError, "internal")
				require.NotContains(t, p.Detail, "provoked")
				require.Equal(t, before, e.DatabaseText(), "the failed request left no trace")
				restore()
				require.Less(t, e.Do(req).Status, 300, "the same request succeeds once nothing breaks it")
			})
		})
	}
}

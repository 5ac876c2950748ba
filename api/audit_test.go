package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// Every state change writes one audit event naming the actor, the target,
// the action, the request id and the client's address; a refused request
// writes none.
func TestEveryStateChangeIsAudited(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		late := e.User(org, apitest.UserOpts{})
		lateLink := e.InviteToken(late.Invite.ID)

		type step struct {
			name    string
			req     func(rid, ip string) *apitest.Response
			status  int
			actions []string
			actor   func() *uuid.UUID // nil actor when it returns nil
			// about is the target user when it is not the created one.
			about *uuid.UUID
		}
		var (
			user      api.User
			userToken string
			ownerID   = &org.Owner.ID
			userID    = func() *uuid.UUID { return &user.ID }
		)
		do := func(method, path, token string, body any) func(rid, ip string) *apitest.Response {
			return func(rid, ip string) *apitest.Response {
				return e.Do(apitest.Request{Method: method, Path: path, Token: token, Body: body, RemoteAddr: ip + ":5555",
					Header: map[string]string{"X-Request-ID": rid}})
			}
		}
		steps := []step{
			{"create", func(rid, ip string) *apitest.Response {
				r := do(http.MethodPost, "/users", org.OwnerToken, map[string]any{"email": "audited@example.com"})(rid, ip)
				r.JSON(&user)
				return r
			}, http.StatusCreated, []string{people.ActionUserCreated, people.ActionInviteSent}, func() *uuid.UUID { return ownerID }, nil},
			{"resend", func(rid, ip string) *apitest.Response {
				return do(http.MethodPost, userPath(user.ID, "resend-invite"), org.OwnerToken, nil)(rid, ip)
			}, http.StatusAccepted, []string{people.ActionInviteResent}, func() *uuid.UUID { return ownerID }, nil},
			{"rename", func(rid, ip string) *apitest.Response {
				return do(http.MethodPatch, userPath(user.ID), org.OwnerToken, map[string]any{"first_name": "Audrey"})(rid, ip)
			}, http.StatusOK, []string{people.ActionUserUpdated}, func() *uuid.UUID { return ownerID }, nil},
			{"change email", func(rid, ip string) *apitest.Response {
				return do(http.MethodPatch, userPath(user.ID), org.OwnerToken, map[string]any{"email": "audrey@example.com"})(rid, ip)
			}, http.StatusOK, []string{people.ActionEmailChanged}, func() *uuid.UUID { return ownerID }, nil},
			{"change role", func(rid, ip string) *apitest.Response {
				return do(http.MethodPatch, userPath(user.ID), org.OwnerToken, map[string]any{"role": "hr"})(rid, ip)
			}, http.StatusOK, []string{people.ActionRoleChanged}, func() *uuid.UUID { return ownerID }, nil},
			{"resend after the email change", func(rid, ip string) *apitest.Response {
				return do(http.MethodPost, userPath(user.ID, "resend-invite"), org.OwnerToken, nil)(rid, ip)
			}, http.StatusAccepted, []string{people.ActionInviteResent}, func() *uuid.UUID { return ownerID }, nil},
			{"accept", func(rid, ip string) *apitest.Response {
				invites := history(e, org.OwnerToken, user.ID)
				r := do(http.MethodPost, "/invites/accept", "", map[string]any{"token": e.InviteToken(invites[0].ID), "password": strongPassword})(rid, ip)
				var res api.AcceptInviteResult
				r.JSON(&res)
				userToken = res.AccessToken
				return r
			}, http.StatusOK, []string{people.ActionInviteAccepted}, userID, nil},
			{"change own password", func(rid, ip string) *apitest.Response {
				return do(http.MethodPut, "/me/password", userToken, map[string]any{"current_password": strongPassword,
					"new_password": "violet-Harbor-engine-93"})(rid, ip)
			}, http.StatusNoContent, []string{people.ActionPasswordChanged}, userID, nil},
			{"set password", func(rid, ip string) *apitest.Response {
				return do(http.MethodPut, userPath(user.ID, "password"), org.OwnerToken, map[string]any{"generate": true})(rid, ip)
			}, http.StatusOK, []string{people.ActionPasswordSet}, func() *uuid.UUID { return ownerID }, nil},
			{"deactivate", func(rid, ip string) *apitest.Response {
				return do(http.MethodPost, userPath(user.ID, "deactivate"), org.OwnerToken, nil)(rid, ip)
			}, http.StatusOK, []string{people.ActionUserDeactivated}, func() *uuid.UUID { return ownerID }, nil},
			{"reactivate", func(rid, ip string) *apitest.Response {
				return do(http.MethodPost, userPath(user.ID, "reactivate"), org.OwnerToken, nil)(rid, ip)
			}, http.StatusOK, []string{people.ActionUserReactivated}, func() *uuid.UUID { return ownerID }, nil},
			{"refused: resend to a confirmed user", func(rid, ip string) *apitest.Response {
				return do(http.MethodPost, userPath(user.ID, "resend-invite"), org.OwnerToken, nil)(rid, ip)
			}, http.StatusConflict, nil, nil, nil},
			{"refused: weak password", func(rid, ip string) *apitest.Response {
				return do(http.MethodPut, userPath(user.ID, "password"), org.OwnerToken, map[string]any{"password": "password1234"})(rid, ip)
			}, http.StatusBadRequest, nil, nil, nil},
			{"refused: taken email", func(rid, ip string) *apitest.Response {
				return do(http.MethodPost, "/users", org.OwnerToken, map[string]any{"email": "audrey@example.com"})(rid, ip)
			}, http.StatusConflict, nil, nil, nil},
			{"renew an expired link", func(rid, ip string) *apitest.Response {
				e.Clock.Advance(8 * 24 * time.Hour)
				return do(http.MethodPost, "/invites/renew", "", map[string]any{"token": lateLink})(rid, ip)
			}, http.StatusAccepted, []string{people.ActionInviteRenewed}, func() *uuid.UUID { return nil }, &late.ID},
		}

		for i, s := range steps {
			rid, ip := fmt.Sprintf("audit-step-%02d", i), fmt.Sprintf("203.0.113.%d", i+1)
			s.req(rid, ip).Expect(s.status)
			target := user.ID
			if s.about != nil {
				target = *s.about
			}
			var got []api.AuditEvent
			for _, ev := range auditEvents(e, e.Token(org.Owner), "") {
				if ev.RequestID == rid {
					got = append(got, ev)
				}
			}
			var actions []string
			for _, ev := range got {
				actions = append(actions, ev.Action)
				require.Equal(t, ip, ev.ClientIP, s.name)
				require.Equal(t, s.actor(), ev.ActorID, s.name)
				require.NotNil(t, ev.TargetUserID, s.name)
				require.Equal(t, target, *ev.TargetUserID, s.name)
			}
			slices.Reverse(actions) // newest first
			require.Equal(t, s.actions, actions, s.name)
		}
	})
}

// GET /audit-events pages newest first by cursor, filters by action,
// target and actor, and refuses bad filters.
func TestAuditEventsPageNewestFirst(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		admin, adminToken := e.Manager(org, people.Admin)
		var users []people.User
		for range 4 {
			users = append(users, e.User(org, apitest.UserOpts{}))
		}
		for _, u := range users[:2] {
			e.Post(userPath(u.ID, "resend-invite"), adminToken, nil).Expect(http.StatusAccepted)
		}
		all := auditEvents(e, org.OwnerToken, "")
		require.Greater(t, len(all), 12)
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			require.True(t, a.CreatedAt.After(b.CreatedAt) || a.CreatedAt.Equal(b.CreatedAt) && compareIDs(a.ID, b.ID) > 0,
				"newest first: %s then %s", a.Action, b.Action)
		}

		var paged []uuid.UUID
		cursor := ""
		for page := 0; ; page++ {
			require.Less(t, page, 50)
			q := "/audit-events?limit=3"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			var p api.AuditEventList
			e.Get(q, org.OwnerToken).Expect(http.StatusOK).JSON(&p)
			for _, ev := range p.Data {
				paged = append(paged, ev.ID)
			}
			if !p.HasMore {
				require.Nil(t, p.NextCursor)
				break
			}
			cursor = *p.NextCursor
			e.User(org, apitest.UserOpts{}) // newer events arrive while paging
		}
		var want []uuid.UUID
		for _, ev := range all {
			want = append(want, ev.ID)
		}
		require.Equal(t, want, paged, "no event skipped or repeated")

		resent := auditEvents(e, org.OwnerToken, "action=invite.resent")
		require.Len(t, resent, 2)
		byAdmin := auditEvents(e, org.OwnerToken, "actor_id="+admin.ID.String())
		require.Len(t, byAdmin, 2)
		about := auditEvents(e, org.OwnerToken, "target_user_id="+users[0].ID.String())
		var actions []string
		for _, ev := range about {
			actions = append(actions, ev.Action)
		}
		require.Equal(t, []string{"invite.resent", "invite.sent", "user.created"}, actions)
		both := auditEvents(e, org.OwnerToken, "action=invite.resent&target_user_id="+users[1].ID.String())
		require.Len(t, both, 1)

		for query, field := range map[string]string{
			"action=user.exploded": "action", "target_user_id=42": "target_user_id", "actor_id=x": "actor_id",
			"limit=0": "limit", "limit=500": "limit", "cursor=@@": "cursor", "sort=asc": "sort",
		} {
			p := e.OffContract().Get("/audit-events?"+query, org.OwnerToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
			require.Equal(t, field, p.Errors[0].Field, query)
		}
		p := e.OffContract().Get("/audit-events?action=user.exploded", org.OwnerToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Contains(t, p.Errors[0].Message, "invite.resent")
	})
}

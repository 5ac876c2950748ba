package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// roleActor is a kind of signed-in user of the R5 matrix.
type roleActor struct {
	name  string
	role  people.Role
	perms []people.Permission
	// manages is R5's first half: who may manage people at all.
	manages bool
}

var roleActors = []roleActor{
	{"owner", people.Owner, nil, true},
	{"admin", people.Admin, nil, true},
	{"hr", people.HR, nil, true},
	{"curator with people", people.Curator, []people.Permission{people.PermissionPeople}, true},
	{"curator", people.Curator, nil, false},
	{"learner", people.Learner, []people.Permission{}, false},
}

// targetRoute is a management route about one user.
type targetRoute struct {
	name, method, suffix string
	body                 any
	// from is the state the target must be in for the route to succeed.
	from people.Status
	ok   int
	// acts is false for routes that only read: reading a user who outranks
	// you is not acting on them.
	acts bool
}

var targetRoutes = []targetRoute{
	{"view", http.MethodGet, "", nil, people.InvitePending, http.StatusOK, false},
	{"invite history", http.MethodGet, "invites", nil, people.InvitePending, http.StatusOK, false},
	{"edit", http.MethodPatch, "", map[string]any{"first_name": "Renamed"}, people.InvitePending, http.StatusOK, true},
	{"resend", http.MethodPost, "resend-invite", nil, people.InvitePending, http.StatusAccepted, true},
	{"set password", http.MethodPut, "password", map[string]any{"generate": true}, people.InvitePending, http.StatusOK, true},
	{"deactivate", http.MethodPost, "deactivate", nil, people.Confirmed, http.StatusOK, true},
	{"reactivate", http.MethodPost, "reactivate", nil, people.Deactivated, http.StatusOK, true},
}

// outcome is what a request answered, for readable comparisons.
func outcome(r *apitest.Response) string {
	if r.Status < 400 {
		return fmt.Sprint(r.Status)
	}
	var p api.Problem
	_ = json.Unmarshal(r.Body, &p)
	return fmt.Sprintf("%d %s", r.Status, p.Code)
}

// R5: every role against every management route and every target rank.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for _, a := range roleActors {
			actor, token := org.Owner, org.OwnerToken
			if a.role != people.Owner {
				actor, token = e.Manager(org, a.role, a.perms...)
			}

			// Routes without a target.
			for _, c := range []struct {
				method, path string
				body         any
				ok           int
			}{
				{http.MethodGet, "/users", nil, http.StatusOK},
				{http.MethodGet, "/users/counts", nil, http.StatusOK},
				{http.MethodGet, "/audit-events", nil, http.StatusOK},
				{http.MethodPost, "/users", map[string]any{"email": fmt.Sprintf("new-by-%s@example.com", actor.ID)}, http.StatusCreated},
			} {
				want := fmt.Sprint(c.ok)
				if !a.manages {
					want = "403 forbidden"
				}
				r := e.Do(apitest.Request{Method: c.method, Path: c.path, Token: token, Body: c.body})
				require.Equal(t, want, outcome(r), "%s: %s %s", a.name, c.method, c.path)
			}

			// Routes about one user, against a target of every rank.
			for _, route := range targetRoutes {
				for _, targetRole := range people.Roles {
					target := e.User(org, apitest.UserOpts{Role: targetRole, Status: route.from})
					audited := e.Count("audit_events", "target_user_id = ?", target.ID)
					want := fmt.Sprint(route.ok)
					switch {
					case !a.manages:
						want = "403 forbidden"
					case route.acts && targetRole.Rank() > a.role.Rank():
						want = "403 insufficient_rank"
					}
					r := e.Do(apitest.Request{Method: route.method, Path: userPath(target.ID, route.suffix), Token: token, Body: route.body})
					msg := fmt.Sprintf("%s: %s a %s", a.name, route.name, targetRole)
					require.Equal(t, want, outcome(r), msg)
					if want == "403 insufficient_rank" {
						p := r.Problem()
						require.Equal(t, string(a.role), p.ActorRole, msg)
						require.Equal(t, string(targetRole), p.TargetRole, msg)
					}
					changed := e.Count("audit_events", "target_user_id = ?", target.ID) > audited
					require.Equal(t, route.acts && r.Status < 400, changed, "%s: a refusal changes nothing, a success is audited", msg)
				}
			}
		}
	})
}

// R5: nobody grants a role above their own, on creation or by an edit.
func TestGrantingRoles(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for _, a := range roleActors {
			token := org.OwnerToken
			if a.role != people.Owner {
				_, token = e.Manager(org, a.role, a.perms...)
			}
			for _, granted := range people.Roles {
				want := "201"
				switch {
				case !a.manages:
					want = "403 forbidden"
				case granted.Rank() > a.role.Rank():
					want = "403 insufficient_rank"
				}
				r := e.Post("/users", token, map[string]any{"email": fmt.Sprintf("%s-%s@example.com", granted, uuid.NewString()[:8]),
					"role": granted, "permissions": []string{"people"}})
				require.Equal(t, want, outcome(r), "%s creates a %s", a.name, granted)
				if r.Status == http.StatusCreated {
					var u api.User
					r.JSON(&u)
					require.Equal(t, string(granted), u.Role)
					require.Equal(t, []string{"people"}, u.Permissions)
				}

				learner := e.User(org, apitest.UserOpts{})
				if want == "201" {
					want = "200"
				}
				r = e.Patch(userPath(learner.ID), token, map[string]any{"role": granted})
				require.Equal(t, want, outcome(r), "%s promotes a learner to %s", a.name, granted)
				wantRole := people.Learner
				if r.Status == http.StatusOK {
					wantRole = granted
				}
				require.Equal(t, string(wantRole), getUser(e, org.OwnerToken, learner.ID).Role)
			}
		}
	})
}

// R5: nobody changes their own role or permissions, or deactivates themselves.
func TestNoActingOnOneself(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		admin, token := e.Manager(org, people.Admin)
		e.Patch(userPath(admin.ID), token, map[string]any{"role": "owner"}).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Patch(userPath(admin.ID), token, map[string]any{"role": "learner"}).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Patch(userPath(admin.ID), token, map[string]any{"permissions": []string{"people"}}).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Post(userPath(admin.ID, "deactivate"), token, nil).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Post(userPath(org.Owner.ID, "deactivate"), org.OwnerToken, nil).ExpectProblem(http.StatusForbidden, "forbidden")
		require.Equal(t, "admin", getUser(e, token, admin.ID).Role)

		// Names are not a matter of rank.
		var u api.User
		e.Patch(userPath(admin.ID), token, map[string]any{"first_name": "Adele", "role": "admin"}).Expect(http.StatusOK).JSON(&u)
		require.Equal(t, "Adele", u.FirstName)
	})
}

// R5 and DESIGN §4: authorization reads the actor's current row, so a
// token minted before a demotion, a lost permission or a deactivation
// carries the old rights no longer, and one minted before a promotion
// carries the new ones at once.
func TestAuthorizationReadsTheCurrentRow(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		hr, hrToken := e.Manager(org, people.HR)
		curator, curatorToken := e.Manager(org, people.Curator, people.PermissionPeople)
		admin, adminToken := e.Manager(org, people.Admin)
		learner, learnerToken := e.Manager(org, people.Learner)
		target := e.User(org, apitest.UserOpts{})
		for _, tok := range []string{hrToken, curatorToken, adminToken} {
			e.Get("/users", tok).Expect(http.StatusOK)
		}
		e.Get("/users", learnerToken).ExpectProblem(http.StatusForbidden, "forbidden")
		// The listing reads the signed-in user with its page; the answers
		// keep their order: who may not list hears so before a bad filter.
		e.Get("/users?cursor=not-a-cursor", learnerToken).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Get("/users?q=ada", learnerToken).ExpectProblem(http.StatusForbidden, "forbidden")

		e.Patch(userPath(hr.ID), org.OwnerToken, map[string]any{"role": "learner"}).Expect(http.StatusOK)
		e.Get("/users", hrToken).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Post(userPath(target.ID, "resend-invite"), hrToken, nil).ExpectProblem(http.StatusForbidden, "forbidden")

		e.Patch(userPath(curator.ID), org.OwnerToken, map[string]any{"permissions": []string{}}).Expect(http.StatusOK)
		e.Get("/users", curatorToken).ExpectProblem(http.StatusForbidden, "forbidden")

		e.Post(userPath(admin.ID, "deactivate"), org.OwnerToken, nil).Expect(http.StatusOK)
		e.Get("/users", adminToken).ExpectProblem(http.StatusUnauthorized, "unauthorized")
		e.Get("/users?cursor=not-a-cursor", adminToken).ExpectProblem(http.StatusUnauthorized, "unauthorized")
		e.Get("/users?q=ada&sort=-last_invited_at", adminToken).ExpectProblem(http.StatusUnauthorized, "unauthorized")
		e.Get("/me", adminToken).ExpectProblem(http.StatusUnauthorized, "unauthorized")
		e.Post(userPath(admin.ID, "reactivate"), org.OwnerToken, nil).Expect(http.StatusOK)
		e.Get("/users", adminToken).Expect(http.StatusOK)
		e.Get("/users?cursor=not-a-cursor", adminToken).ExpectProblem(http.StatusBadRequest, "invalid_request")

		e.Patch(userPath(learner.ID), org.OwnerToken, map[string]any{"role": "admin"}).Expect(http.StatusOK)
		e.Get("/users", learnerToken).Expect(http.StatusOK)
		// The promoted learner's old token acts with the admin's rank.
		e.Post(userPath(hr.ID, "deactivate"), learnerToken, nil).Expect(http.StatusOK)
	})
}

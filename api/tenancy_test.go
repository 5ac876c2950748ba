package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// idRouteBodies are request bodies that would succeed on routes that need
// one; a route with an :id that is missing here gets no body, and if it
// then answers 400 instead of 404 the walker below says so.
var idRouteBodies = map[string]any{
	"PATCH /users/:id":             map[string]any{"first_name": "Mallory"},
	"PUT /users/:id/password":      map[string]any{"generate": true},
	"PATCH /webhook-endpoints/:id": map[string]any{"enabled": false},
}

// R8: every route that takes an id answers an id from another organization
// exactly as it answers an id that does not exist, and changes nothing. The
// routes are read from the router, so a new route is covered as it is added.
func TestForeignIDsAnswerLikeUnknownIDs(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org, other := e.Org(), e.Org()
		// Foreign users in every state, the owner included, so that no rule
		// about state or rank can answer before tenancy does.
		foreign := []people.User{
			other.Owner,
			e.User(other, apitest.UserOpts{}),
			e.User(other, apitest.UserOpts{Role: people.Admin, Status: people.Confirmed}),
			e.User(other, apitest.UserOpts{Status: people.Deactivated}),
		}
		foreignIDs := map[string]string{}
		for _, u := range foreign {
			foreignIDs[string(u.Role)+" "+string(u.Status)] = u.ID.String()
		}
		// And another organization's webhook endpoint with a delivery.
		ep := e.WebhookEndpoint(other)
		var ping api.WebhookDeliveryAccepted
		e.Post("/webhook-endpoints/"+ep.ID.String()+"/test", other.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&ping)
		foreignIDs["webhook endpoint"], foreignIDs["webhook delivery"] = ep.ID.String(), ping.Delivery.ID.String()
		_, hrToken := e.Manager(org, people.HR)
		before := e.DatabaseText()

		walked := 0
		for _, route := range e.Server.Routes() {
			if !strings.Contains(route.Path, ":id") {
				continue
			}
			walked++
			name := route.Method + " " + route.Path
			call := func(token, id string) *apitest.Response {
				// A malformed id breaks the contract's uuid format on purpose.
				_, malformed := uuid.Parse(id)
				return e.Do(apitest.Request{Method: route.Method, Path: strings.Replace(route.Path, ":id", id, 1), Token: token,
					Body: idRouteBodies[name], Invalid: malformed != nil})
			}
			for _, token := range []string{org.OwnerToken, hrToken} {
				unknown := call(token, uuid.NewString())
				// HR may not use the webhook routes at all: refused alike for every id.
				if token == org.OwnerToken || !strings.HasPrefix(route.Path, "/webhook-") {
					unknown.ExpectProblem(http.StatusNotFound, "not_found")
				}
				want := withoutRequestID(t, unknown)
				require.Equal(t, want, withoutRequestID(t, call(token, "not-a-uuid")), "%s: a malformed id", name)
				for what, id := range foreignIDs {
					got := call(token, id)
					require.Equal(t, want, withoutRequestID(t, got), "%s: %s of another organization", name, what)
				}
			}
		}
		require.GreaterOrEqual(t, walked, 15, "the walker found the routes with ids")
		require.Equal(t, before, e.DatabaseText(), "nothing changed anywhere")
	})
}

// R8: listings, counts, search and the audit trail show only the caller's
// organization; emails are unique per organization only.
func TestNoResponseShowsAnotherOrganization(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org, other := e.Org(), e.Org()
		mine := e.User(org, apitest.UserOpts{Email: "shared@example.com"})
		theirs := e.User(other, apitest.UserOpts{Email: "shared@example.com"}) // the same address in another organization is fine
		e.User(other, apitest.UserOpts{Email: "only-theirs@example.com", Status: people.Confirmed})
		e.Post(userPath(theirs.ID, "resend-invite"), other.OwnerToken, nil).Expect(http.StatusAccepted)

		leaks := []string{other.ID.String(), other.Slug, other.Owner.ID.String(), other.Owner.Email, theirs.ID.String(), "only-theirs"}
		for _, path := range []string{"/users", "/users?q=shared", "/users?q=only-theirs", "/users?status=confirmed&sort=email",
			"/users/counts", "/audit-events", "/audit-events?target_user_id=" + theirs.ID.String(),
			"/audit-events?actor_id=" + other.Owner.ID.String(), userPath(mine.ID), userPath(mine.ID, "invites"), "/me",
			"/delivery/domains", "/insights/invitations?group_by=inviter", "/insights/invitations?group_by=domain",
			"/insights/invitations?group_by=job", "/insights/invitations?group_by=week"} {
			r := e.Get(path, org.OwnerToken).Expect(http.StatusOK)
			for _, leak := range leaks {
				require.NotContains(t, string(r.Body), leak, "GET %s", path)
			}
		}
		require.Equal(t, []uuid.UUID{mine.ID}, idsOf(listUsers(e, org.OwnerToken, "q=shared").Data))
		var counts api.UserCounts
		e.Get("/users/counts", org.OwnerToken).Expect(http.StatusOK).JSON(&counts)
		require.Equal(t, api.UserCounts{InvitePending: 1, Confirmed: 1}, counts)
		var domains api.DomainHealthList
		e.Get("/delivery/domains", org.OwnerToken).Expect(http.StatusOK).JSON(&domains)
		require.Len(t, domains.Data, 1)
		require.Equal(t, 1, domains.Data[0].Invitations, "the other organization's invitations to example.com are not counted")
		var f api.InvitationFunnel
		e.Get("/insights/invitations", org.OwnerToken).Expect(http.StatusOK).JSON(&f)
		require.Equal(t, 1, f.Totals.Invited, "only mine")

		// A token whose organization claim does not match the user's is refused.
		forged, _, err := e.Tokens.Mint(auth.Claims{UserID: org.Owner.ID, OrgID: other.ID, Role: "owner"}, 0)
		require.NoError(t, err)
		e.Get("/users", forged).ExpectProblem(http.StatusUnauthorized, "unauthorized")

		// A delivery event naming an invite with another organization's id changes nothing.
		e.DeliveryEvents(sendgridtest.Event{Type: sendgridtest.Bounce, InviteID: mine.Invite.ID.String(), OrganizationID: other.ID.String()})
		require.Equal(t, "queued", getUser(e, org.OwnerToken, mine.ID).Invite.Delivery.Status)
	})
}

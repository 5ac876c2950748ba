package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
)

// Most of a short request's time on PostgreSQL is its round trips
// (BENCHMARKS.md, Four round trips): a change that adds one to these
// requests shows here rather than in the next benchmark run. Each case
// lists its round trips in order; a change that saves one updates it.
func TestRoundTripsPerRequest(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.Postgres, apitest.Options{CountRoundTrips: true})
	org := e.Org()
	u := e.User(org, apitest.UserOpts{})
	v := e.User(org, apitest.UserOpts{})
	// The pool's connections exist before the requests counted: opening
	// one would count its set-up statements too.
	resend(e, org.OwnerToken, u.ID).Expect(http.StatusAccepted)

	for _, tc := range []struct {
		name string
		req  apitest.Request
		// trips, one line each, in order.
		trips []string
	}{
		{"resend", apitest.Request{Method: http.MethodPost, Path: userPath(u.ID, "resend-invite"), Token: org.OwnerToken}, []string{
			"the signed-in user, the organization and whether it has a webhook endpoint",
			"BEGIN and the lock of the user with the latest invitation",
			"the revocation of the open invitations, the new invitation and the user's pointer to it",
			"the email's job, the audit event and COMMIT",
		}},
		{"set password", apitest.Request{Method: http.MethodPut, Path: userPath(v.ID, "password"), Token: org.OwnerToken,
			Body: map[string]any{"password": strongPassword}}, []string{
			"the signed-in user, the organization and whether it has a webhook endpoint",
			"the user with the latest invitation, for the checks before the password's hashing",
			"the organization, whose name and slug the password must not contain",
			"BEGIN and the lock of the user with the latest invitation",
			"the revocation of the open invitations",
			"the end of the user's reminders",
			"the user's new password and status",
			"the user's open sessions, to end (none)",
			"the user with the latest invitation as changed, for the answer",
			"the organization's webhook endpoints, for the event of the change",
			"the audit event and COMMIT",
		}},
		{"first page of users", apitest.Request{Method: http.MethodGet, Path: "/users", Token: org.OwnerToken}, []string{
			"the signed-in user and the page, one batch",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, trips := apitest.CountRoundTrips(t.Context())
			tc.req.Context = ctx
			res := e.Do(tc.req)
			require.Less(t, res.Status, 300, "%s", res.Body)
			require.Equal(t, len(tc.trips), trips(), "round trips; expected these:\n%s", strings.Join(tc.trips, "\n"))
		})
	}
}

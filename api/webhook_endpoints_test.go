package api_test

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/testdb"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

// Owners and admins manage endpoints; the secret is shown once and never
// stored in clear; every change is audited.
func TestWebhookEndpointLifecycle(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		_, adminToken := e.Manager(org, people.Admin)
		_, hrToken := e.Manager(org, people.HR)
		body := map[string]any{"url": "http://127.0.0.1:9/hook?token=receiver-own-token", "events": []string{"invite.accepted", "user.created"},
			"description": "  LMS enrolment  "}
		e.Post("/webhook-endpoints", hrToken, body).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Get("/webhook-endpoints", hrToken).ExpectProblem(http.StatusForbidden, "forbidden")

		var created api.WebhookEndpointSecret
		r := e.Post("/webhook-endpoints", adminToken, body).Expect(http.StatusCreated)
		r.JSON(&created)
		require.Equal(t, "/webhook-endpoints/"+created.Endpoint.ID.String(), r.Header.Get("Location"))
		require.True(t, strings.HasPrefix(created.Secret, "whsec_"))
		require.Equal(t, []string{"invite.accepted", "user.created"}, created.Endpoint.Events)
		require.Equal(t, "LMS enrolment", created.Endpoint.Description)
		require.True(t, created.Endpoint.Enabled)
		require.NotContains(t, e.DatabaseText(), strings.TrimPrefix(created.Secret, "whsec_"), "the secret is stored encrypted")

		path := "/webhook-endpoints/" + created.Endpoint.ID.String()
		got := e.Get(path, org.OwnerToken).Expect(http.StatusOK)
		require.NotContains(t, string(got.Body), "whsec_", "never shown again")
		var list api.WebhookEndpointList
		e.Get("/webhook-endpoints", org.OwnerToken).Expect(http.StatusOK).JSON(&list)
		require.Len(t, list.Data, 1)

		var patched api.WebhookEndpoint
		e.Patch(path, org.OwnerToken, map[string]any{"events": []string{"*"}, "enabled": false}).Expect(http.StatusOK).JSON(&patched)
		require.Equal(t, []string{"*"}, patched.Events)
		require.False(t, patched.Enabled)
		require.Equal(t, "manual", *patched.DisabledReason)

		for _, bad := range []map[string]any{
			{"events": []string{}}, {"events": []string{"*", "user.created"}}, {"events": []string{"user.exploded"}},
			{"url": "ftp://example.com/"}, {"url": "https://user:pw@example.com/"}, {"description": strings.Repeat("d", 501)},
		} {
			e.Do(apitest.Request{Method: http.MethodPatch, Path: path, Token: org.OwnerToken, Body: bad, Invalid: true}).
				ExpectProblem(http.StatusBadRequest, "invalid_request")
		}
		e.Post(path+"/rotate-secret", hrToken, nil).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Do(apitest.Request{Method: http.MethodDelete, Path: path, Token: adminToken}).Expect(http.StatusNoContent)
		e.Get(path, org.OwnerToken).ExpectProblem(http.StatusNotFound, "not_found")

		var audit api.AuditEventList
		e.Get("/audit-events", org.OwnerToken).Expect(http.StatusOK).JSON(&audit)
		var actions []string
		for _, a := range audit.Data {
			if strings.HasPrefix(a.Action, "webhook_endpoint.") {
				actions = append(actions, a.Action)
				raw, err := json.Marshal(a.Metadata)
				require.NoError(t, err)
				require.NotContains(t, string(raw), "receiver-own-token", "the audit trail keeps the host, not the query")
			}
		}
		require.Equal(t, []string{"webhook_endpoint.deleted", "webhook_endpoint.updated", "webhook_endpoint.created"}, actions)

		for range people.MaxWebhookEndpoints {
			e.Post("/webhook-endpoints", org.OwnerToken, map[string]any{"url": "https://hooks.example.com/", "events": []string{"*"}}).
				Expect(http.StatusCreated)
		}
		e.Post("/webhook-endpoints", org.OwnerToken, map[string]any{"url": "https://hooks.example.com/", "events": []string{"*"}}).
			ExpectProblem(http.StatusConflict, "webhook_endpoint_limit_reached")
	})
}

// With the allow-settings unset, an endpoint can point neither at a
// loopback, link-local or metadata address nor at a name that resolves
// to one: refused when saved where the address is literal, and at
// connect time for names, so that DNS cannot get around it.
func TestWebhookEndpointsCannotReachInternalAddresses(t *testing.T) {
	t.Parallel()
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			recv := webhooktest.NewReceiver(t)
			_, port, _ := strings.Cut(recv.Host, ":")
			resolver := webhooktest.NewResolver(t, map[string]string{"hooks.rebind.test": "127.0.0.1"})
			e := apitest.New(t, d, apitest.Options{StrictWebhooks: true, WebhookResolver: resolver})
			org := e.Org()
			for _, url := range []string{
				"http://hooks.example.com/hook", // plain http
				"https://127.0.0.1:" + port + "/hook",
				"https://[::1]:" + port + "/hook",
				"https://169.254.169.254/latest/meta-data/",
				"https://10.0.0.8/hook",
			} {
				p := e.Post("/webhook-endpoints", org.OwnerToken, map[string]any{"url": url, "events": []string{"*"}}).
					ExpectProblem(http.StatusBadRequest, "invalid_request")
				require.Equal(t, "url", p.Errors[0].Field, url)
				require.Equal(t, "not_allowed", p.Errors[0].Code, url)
			}
			var created api.WebhookEndpointSecret
			e.Post("/webhook-endpoints", org.OwnerToken, map[string]any{"url": "https://hooks.rebind.test:" + port + "/hook",
				"events": []string{"user.created"}}).Expect(http.StatusCreated).JSON(&created)
			e.StartWorkers()
			e.User(org, apitest.UserOpts{NoInvite: true})
			ep := apitest.Endpoint{WebhookEndpoint: created.Endpoint}
			d := waitDelivery(t, e, org, ep, "user.created", over)
			require.Equal(t, "failed", d.Status, "a refused address is not retried")
			require.Contains(t, d.LastError, "127.0.0.1")
			require.Contains(t, d.LastError, "not a permitted destination")
			require.Nil(t, d.LastResponseCode)
			require.Empty(t, recv.Accepted())
			require.Empty(t, recv.Rejected(), "no request reached the receiver")
		})
	}
}

// Per endpoint, one user's events arrive in the order they happened, also
// when some attempts fail and are retried; other users' go on meanwhile.
func TestWebhookOrderPerUserUnderRetries(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created", "invite.sent", "invite.resent", "invite.accepted", "user.confirmed")
		// The first attempt at about half of the events fails.
		ep.Receiver.Respond(func(r webhooktest.Received) webhooktest.Answer {
			h := fnv.New32a()
			_, _ = h.Write([]byte(r.ID))
			if r.Attempt == 1 && h.Sum32()%2 == 0 {
				return webhooktest.Status(http.StatusServiceUnavailable)
			}
			return webhooktest.Status(http.StatusOK)
		})
		e.StartWorkers()
		const users = 12
		want := map[uuid.UUID][]string{}
		var ids []uuid.UUID
		for i := range users {
			var u api.User
			e.Post("/users", org.OwnerToken, map[string]any{"email": "order" + string(rune('a'+i)) + "@example.com"}).Expect(http.StatusCreated).JSON(&u)
			ids = append(ids, u.ID)
			want[u.ID] = []string{"user.created", "invite.sent"}
		}
		for i, id := range ids {
			var res api.ResendResult
			e.Post(userPath(id, "resend-invite"), org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
			want[id] = append(want[id], "invite.resent")
			if i%2 == 0 {
				e.Post("/invites/accept", "", map[string]any{"token": e.InviteToken(res.Invite.ID), "password": strongPassword}).Expect(http.StatusOK)
				want[id] = append(want[id], "invite.accepted", "user.confirmed")
			}
		}
		total := 0
		for _, w := range want {
			total += len(w)
		}
		got := map[uuid.UUID][]string{}
		for _, r := range ep.Receiver.WaitFor(t, total, 30*time.Second) {
			got[dataOf(t, r).User.ID] = append(got[dataOf(t, r).User.ID], r.Event.Type)
		}
		require.Equal(t, want, got)
		require.Eventually(t, func() bool { return len(e.Deliveries(org, ep, "status=pending")) == 0 }, 10*time.Second, 10*time.Millisecond)
		retried := 0
		for _, d := range e.Deliveries(org, ep, "limit=200") {
			require.Equal(t, "succeeded", d.Status)
			if d.AttemptCount > 1 {
				retried++
			}
		}
		require.Greater(t, retried, 5, "retries happened")
	})
}

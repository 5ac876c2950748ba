package api_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

// delivery reads a delivery with its attempts through the API.
func delivery(e *apitest.Env, org apitest.Org, id string) api.WebhookDelivery {
	e.T.Helper()
	var d api.WebhookDelivery
	e.Get("/webhook-deliveries/"+id, org.OwnerToken).Expect(http.StatusOK).JSON(&d)
	return d
}

// endpoint reads an endpoint through the API.
func endpoint(e *apitest.Env, org apitest.Org, ep apitest.Endpoint) api.WebhookEndpoint {
	e.T.Helper()
	var v api.WebhookEndpoint
	e.Get("/webhook-endpoints/"+ep.ID.String(), org.OwnerToken).Expect(http.StatusOK).JSON(&v)
	return v
}

// waitDelivery polls the endpoint's only delivery of the event type until cond holds.
func waitDelivery(t *testing.T, e *apitest.Env, org apitest.Org, ep apitest.Endpoint, eventType string, cond func(api.WebhookDelivery) bool) api.WebhookDelivery {
	t.Helper()
	var last api.WebhookDelivery
	require.Eventually(t, func() bool {
		ds := e.Deliveries(org, ep, "event_type="+eventType)
		if len(ds) == 0 {
			return false
		}
		last = ds[0]
		return cond(last)
	}, 20*time.Second, 10*time.Millisecond)
	return delivery(e, org, last.ID.String())
}

func codes(d api.WebhookDelivery) []int {
	out := make([]int, len(d.Attempts))
	for i, a := range d.Attempts {
		if a.StatusCode != nil {
			out[i] = *a.StatusCode
		}
	}
	return out
}

func over(d api.WebhookDelivery) bool { return d.Status != "pending" }

// A receiver answering 500 three times, then 200: delivered once, every
// attempt recorded.
func TestWebhookRetriedUntilAccepted(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created")
		ep.Receiver.Respond(func(r webhooktest.Received) webhooktest.Answer {
			if r.Attempt <= 3 {
				return webhooktest.Answer{Status: http.StatusInternalServerError, Body: "database is down"}
			}
			return webhooktest.Status(http.StatusOK)
		})
		e.StartWorkers()
		e.User(org, apitest.UserOpts{NoInvite: true})
		d := waitDelivery(t, e, org, ep, "user.created", over)
		require.Equal(t, "succeeded", d.Status)
		require.Equal(t, 4, d.AttemptCount)
		require.Equal(t, []int{500, 500, 500, 200}, codes(d))
		require.Equal(t, "database is down", d.Attempts[0].ResponseBody)
		require.Equal(t, 200, *d.LastResponseCode)
		require.Nil(t, d.NextAttemptAt)
		require.Len(t, ep.Receiver.Accepted(), 1, "delivered once")
		for i := 1; i < len(d.Attempts); i++ {
			require.False(t, d.Attempts[i].StartedAt.Before(d.Attempts[i-1].StartedAt))
		}
		require.Nil(t, endpoint(e, org, ep).FailingSince, "a success clears the failure")
	})
}

// A receiver that never answers: the attempt times out and is retried.
func TestWebhookTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created")
		ep.Receiver.Respond(func(r webhooktest.Received) webhooktest.Answer {
			if r.Attempt == 1 {
				return webhooktest.Answer{Status: http.StatusOK, Delay: time.Minute} // hangs
			}
			return webhooktest.Status(http.StatusNoContent)
		})
		e.StartWorkers()
		e.User(org, apitest.UserOpts{NoInvite: true})
		d := waitDelivery(t, e, org, ep, "user.created", over)
		require.Equal(t, "succeeded", d.Status)
		require.Equal(t, []int{0, 204}, codes(d))
		require.Contains(t, d.Attempts[0].Error, "no answer within")
		require.GreaterOrEqual(t, d.Attempts[0].LatencyMS, int64(400), "it waited for the timeout")
	}, apitest.Options{WebhookTimeout: 500 * time.Millisecond})
}

// 429 with Retry-After: the next attempt waits as long as asked.
func TestWebhookRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created")
		ep.Receiver.Respond(func(r webhooktest.Received) webhooktest.Answer {
			if r.Attempt == 1 {
				return webhooktest.RetryAfterSeconds(1)
			}
			return webhooktest.Status(http.StatusOK)
		})
		e.StartWorkers()
		e.User(org, apitest.UserOpts{NoInvite: true})
		d := waitDelivery(t, e, org, ep, "user.created", over)
		require.Equal(t, []int{429, 200}, codes(d))
		require.GreaterOrEqual(t, d.Attempts[1].StartedAt.Sub(d.Attempts[0].StartedAt), time.Second)
	})
}

// 410 disables the endpoint and says why; other 4xx fail the delivery
// without a retry; enabling the endpoint resumes what was pending.
func TestWebhookGoneDisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created", "user.updated")
		var gone atomic.Bool
		gone.Store(true)
		ep.Receiver.Respond(func(r webhooktest.Received) webhooktest.Answer {
			switch {
			case r.Event.Type == "user.updated":
				return webhooktest.Status(http.StatusUnprocessableEntity)
			case gone.Load():
				return webhooktest.Status(http.StatusGone)
			}
			return webhooktest.Status(http.StatusOK)
		})
		e.StartWorkers()
		u := e.User(org, apitest.UserOpts{NoInvite: true})
		require.Eventually(t, func() bool { return !endpoint(e, org, ep).Enabled }, 20*time.Second, 10*time.Millisecond)
		v := endpoint(e, org, ep)
		require.Equal(t, "gone", *v.DisabledReason)
		require.Contains(t, *v.DisabledDetail, "410")
		d := waitDelivery(t, e, org, ep, "user.created", func(api.WebhookDelivery) bool { return true })
		require.Equal(t, "pending", d.Status, "kept for when the endpoint is back")
		require.Equal(t, []int{410}, codes(d))
		var audit api.AuditEventList
		e.Get("/audit-events?action=webhook_endpoint.updated", org.OwnerToken).Expect(http.StatusOK).JSON(&audit)
		require.Len(t, audit.Data, 1)
		require.Nil(t, audit.Data[0].ActorID, "the service disabled it")

		// Disabled: new events are not queued for it; a test is refused.
		e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"first_name": "Later"}).Expect(http.StatusOK)
		require.Empty(t, e.Deliveries(org, ep, "event_type=user.updated"))
		e.Post("/webhook-endpoints/"+ep.ID.String()+"/test", org.OwnerToken, nil).ExpectProblem(http.StatusConflict, "webhook_endpoint_disabled")

		gone.Store(false)
		e.Patch("/webhook-endpoints/"+ep.ID.String(), org.OwnerToken, map[string]any{"enabled": true}).Expect(http.StatusOK)
		d = waitDelivery(t, e, org, ep, "user.created", over)
		require.Equal(t, "succeeded", d.Status)
		require.Equal(t, []int{410, 200}, codes(d))
		v = endpoint(e, org, ep)
		require.True(t, v.Enabled)
		require.Nil(t, v.DisabledReason)

		e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"first_name": "Again"}).Expect(http.StatusOK)
		d = waitDelivery(t, e, org, ep, "user.updated", over)
		require.Equal(t, "failed", d.Status, "a 422 is not retried")
		require.Equal(t, 1, d.AttemptCount)
		require.Equal(t, 422, *d.LastResponseCode)
	})
}

// An endpoint that fails every attempt for 3 days is disabled, and its
// owners see why; deliveries are given up after their retry window.
func TestWebhookFailingForThreeDaysDisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created")
		ep.Receiver.Respond(func(webhooktest.Received) webhooktest.Answer {
			return webhooktest.Status(http.StatusServiceUnavailable)
		})
		e.StartWorkers()
		e.User(org, apitest.UserOpts{NoInvite: true})
		require.Eventually(t, func() bool { return endpoint(e, org, ep).FailingSince != nil }, 20*time.Second, 10*time.Millisecond)
		require.True(t, endpoint(e, org, ep).Enabled, "one failure disables nothing")

		e.Clock.Advance(people.EndpointFailureLimit + time.Hour)
		org.OwnerToken = e.Token(org.Owner)
		require.Eventually(t, func() bool { return !endpoint(e, org, ep).Enabled }, 20*time.Second, 10*time.Millisecond)
		v := endpoint(e, org, ep)
		require.Equal(t, "failing", *v.DisabledReason)
		require.Contains(t, *v.DisabledDetail, "HTTP 503")
		d := waitDelivery(t, e, org, ep, "user.created", over)
		require.Equal(t, "failed", d.Status)
		require.Contains(t, d.LastError, "given up after")
		require.Greater(t, d.AttemptCount, 1)
	})
}

// A replay sends the same event again, with the same webhook id.
func TestWebhookReplay(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created")
		e.StartWorkers()
		e.User(org, apitest.UserOpts{NoInvite: true})
		first := waitDelivery(t, e, org, ep, "user.created", over)
		var replay api.WebhookDeliveryAccepted
		e.Post("/webhook-deliveries/"+first.ID.String()+"/replay", org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&replay)
		require.Equal(t, first.ID, *replay.Delivery.ReplayOf)
		require.Equal(t, first.EventID, replay.Delivery.EventID)
		got := ep.Receiver.WaitFor(t, 2, 10*time.Second)
		require.Equal(t, got[0].ID, got[1].ID)
		require.Equal(t, got[0].Body, got[1].Body)
		require.Eventually(t, func() bool { return delivery(e, org, replay.Delivery.ID.String()).Status == "succeeded" },
			10*time.Second, 10*time.Millisecond)
		require.Len(t, e.Deliveries(org, ep, ""), 2)
	})
}

// During a rotation's 24 hours both secrets sign; then only the new one.
func TestWebhookSecretRotation(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created") // a test pings whatever the endpoint subscribes to
		e.StartWorkers()
		var rotated api.WebhookEndpointSecret
		e.Post("/webhook-endpoints/"+ep.ID.String()+"/rotate-secret", org.OwnerToken, nil).Expect(http.StatusOK).JSON(&rotated)
		require.NotEqual(t, ep.Secret, rotated.Secret)
		require.NotNil(t, rotated.Endpoint.PreviousSecretExpiresAt)
		ep.Receiver.Trust(rotated.Secret) // the receiver knows both: 0 is the old, 1 the new
		ping := func() webhooktest.Received {
			n := len(ep.Receiver.Accepted())
			e.Post("/webhook-endpoints/"+ep.ID.String()+"/test", org.OwnerToken, nil).Expect(http.StatusAccepted)
			return ep.Receiver.WaitFor(t, n+1, 10*time.Second)[n]
		}
		r := ping()
		require.Equal(t, []int{0, 1}, r.VerifiedWith, "both signatures verify")
		require.Equal(t, ep.ID.String(), string(r.Event.Data[len(`{"endpoint_id":"`):len(`{"endpoint_id":"`)+36]))

		e.Clock.Advance(people.SecretOverlap + time.Minute)
		org.OwnerToken = e.Token(org.Owner)
		r = ping()
		require.Equal(t, []int{1}, r.VerifiedWith, "the old secret stopped signing")
		require.Empty(t, ep.Receiver.Rejected())
	})
}

// A bulk resend's events go out in batches of parallel requests.
func TestBulkEventsAreDeliveredInParallel(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ids := seedPending(t, e, org, 40, "parallel")
		ep := e.WebhookEndpoint(org, "invite.sent", "job.finished") // seeded without invitations: their first is "sent"
		var inFlight, most atomic.Int32
		var mu sync.Mutex
		ep.Receiver.Respond(func(webhooktest.Received) webhooktest.Answer {
			mu.Lock()
			n := inFlight.Add(1)
			if n > most.Load() {
				most.Store(n)
			}
			mu.Unlock()
			return webhooktest.Answer{Status: http.StatusOK, Delay: 50 * time.Millisecond}
		})
		ep.Receiver.AfterAnswer(func() { inFlight.Add(-1) })
		e.StartWorkers()
		accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}}))
		got := ep.Receiver.WaitFor(t, len(ids)+1, 30*time.Second)
		require.Len(t, got, len(ids)+1)
		require.Greater(t, most.Load(), int32(4), "requests overlapped")
	})
}

// A receiver that asks to slow down gets the requests already under way,
// not the rest of the round: a round starts none after a Retry-After (or a
// 429, or a wave of failures without a success: TestRoundGate), and the
// endpoint waits as long as asked.
func TestWebhookRetryAfterStopsTheRound(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ids := seedPending(t, e, org, 80, "slow")
		ep := e.WebhookEndpoint(org, "invite.sent")
		var requests atomic.Int32
		ep.Receiver.Respond(func(webhooktest.Received) webhooktest.Answer {
			requests.Add(1)
			return webhooktest.Answer{Status: http.StatusServiceUnavailable, RetryAfter: "3600"}
		})
		e.StartWorkers()
		accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}}))
		// A round's attempts are recorded together, once all its requests ended.
		var sent int
		require.Eventually(t, func() bool {
			sent = int(requests.Load())
			return sent > 0 && e.Count("webhook_deliveries", "endpoint_id = ? AND attempts > 0", ep.ID) == sent
		}, 30*time.Second, 10*time.Millisecond)
		require.LessOrEqual(t, sent, 16, "the requests under way when the first answer came")
		require.Equal(t, len(ids), e.Count("webhook_deliveries", "endpoint_id = ? AND status = 'pending'", ep.ID))
		later := e.Clock.Now().Add(59 * time.Minute)
		for _, d := range e.Deliveries(org, ep, "") {
			require.True(t, d.NextAttemptAt.After(later), "every delivery waits the hour asked for")
		}
	})
}

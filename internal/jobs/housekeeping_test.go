package jobs_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/testdb"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// Housekeeping runs when workers start and forgets expired idempotency keys
// and provider event ids past their retention, and nothing else.
func TestHousekeepingForgetsExpiredRecords(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		now := time.Now().UTC()
		for i, key := range []string{"expired", "current"} {
			expires := now.Add(time.Hour)
			if i == 0 {
				expires = now.Add(-time.Hour)
			}
			e.Exec(`INSERT INTO idempotency_keys (organization_id, actor_id, key, request_hash, status_code, created_at, expires_at)
				VALUES (?, ?, ?, 'h', 200, ?, ?)`, org.ID, org.Owner.ID, key, now, expires)
		}
		for i, id := range []string{"old-event", "recent-event"} {
			received := now.Add(-time.Hour)
			if i == 0 {
				received = now.Add(-jobs.DeliveryEventRetention - time.Hour)
			}
			e.Exec(`INSERT INTO delivery_events (event_id, invite_id, event, occurred_at, received_at) VALUES (?, ?, 'delivered', ?, ?)`,
				id, u.Invite.ID, received, received)
		}

		e.StartWorkers()
		require.Eventually(t, func() bool {
			return e.Count("idempotency_keys", "") == 1 && e.Count("delivery_events", "") == 1
		}, 20*time.Second, 20*time.Millisecond)
		require.Equal(t, 1, e.Count("idempotency_keys", "key = 'current'"))
		require.Equal(t, 1, e.Count("delivery_events", "event_id = 'recent-event'"))
	})
}

// Housekeeping forgets webhook deliveries that ended past their retention,
// and then events no delivery refers to; pending deliveries and recent
// ones stay.
func TestHousekeepingForgetsOldWebhookDeliveries(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created")
		for range 3 {
			e.User(org, apitest.UserOpts{NoInvite: true})
		}
		require.Equal(t, 3, e.Count("webhook_deliveries", ""))
		old := time.Now().UTC().Add(-jobs.WebhookRetention - time.Hour)
		e.Exec(`UPDATE webhook_deliveries SET status = 'succeeded', next_attempt_at = NULL, finished_at = ?
			WHERE seq = (SELECT min(seq) FROM webhook_deliveries)`, old)
		e.Exec(`UPDATE webhook_events SET created_at = ?`, old)
		ep.Receiver.Respond(func(webhooktest.Received) webhooktest.Answer { return webhooktest.Status(503) }) // the rest stay pending
		e.StartWorkers()
		require.Eventually(t, func() bool {
			return e.Count("webhook_deliveries", "") == 2 && e.Count("webhook_events", "") == 2
		}, 20*time.Second, 20*time.Millisecond, "the old delivery and its event went; the pending ones and theirs stay")
	})
}

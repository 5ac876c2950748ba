package jobs_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/testdb"
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

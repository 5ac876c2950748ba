package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
)

// The deliverer's walk over an endpoint's queue starts at a low-water mark
// (migration 00014). A transaction that took its delivery's seq before
// later deliveries went out, and commits after them, is still delivered:
// the mark does not pass a seq whose transaction may still commit. Only
// PostgreSQL has concurrent writers; SQLite's one writer at a time cannot
// commit out of seq order.
func TestWebhookQueueMarkWaitsForLateCommits(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.Postgres)
	org := e.Org()
	ep := e.WebhookEndpoint(org, "user.created")
	e.StartWorkers()

	// The late transaction: its delivery takes its seq now, before its
	// event is written (the deliveries' trigger gives it its transaction
	// id first), and it commits only after the pings below were delivered.
	late := e.DB.Gorm.Begin()
	defer late.Rollback()
	eventID, now := uuid.New(), e.Clock.Now().UTC()
	var lateSeq int64
	require.NoError(t, late.Raw(`INSERT INTO webhook_deliveries (id, organization_id, endpoint_id, event_id, event_type,
		status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'user.created', 'pending', ?, ?) RETURNING seq`,
		uuid.New(), org.ID, ep.ID, eventID, now, now).Row().Scan(&lateSeq))
	body := `{"id":"` + eventID.String() + `","type":"user.created","created_at":"` + now.Format(time.RFC3339Nano) +
		`","organization_id":"` + org.ID.String() + `","data":{}}`
	require.NoError(t, late.Exec(`INSERT INTO webhook_events (id, organization_id, type, payload, created_at)
		VALUES (?, ?, 'user.created', ?, ?)`, eventID, org.ID, []byte(body), now).Error)

	pings := 0
	ping := func() {
		t.Helper()
		var d struct {
			Delivery struct {
				ID string `json:"id"`
			} `json:"delivery"`
		}
		e.Post("/webhook-endpoints/"+ep.ID.String()+"/test", org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&d)
		pings++
		require.Eventually(t, func() bool { return delivery(e, org, d.Delivery.ID).Status == "succeeded" },
			20*time.Second, 10*time.Millisecond)
	}
	ping()
	ping() // the deliverer walked the queue after the first ping's success, and again for the second
	mark := func() int64 {
		var from int64
		require.NoError(t, e.DB.Gorm.Raw(`SELECT queue_from FROM webhook_endpoints WHERE id = ?`, ep.ID).Row().Scan(&from))
		return from
	}
	require.Less(t, mark(), lateSeq, "the mark stays below a seq whose transaction is still running")

	require.NoError(t, late.Commit().Error)
	ping() // queues a run, which finds the late delivery too
	got := ep.Receiver.WaitFor(t, pings+1, 20*time.Second)
	ids := make([]string, len(got))
	for i, r := range got {
		ids[i] = r.ID
	}
	require.Contains(t, ids, eventID.String())

	// With everything ended, the mark moves past all of it. It moves on a
	// walk once every transaction running when the candidate was noted
	// has ended, which other databases' transactions on the server can
	// hold back for a moment: a few more pings give it the walks.
	for range 20 {
		if mark() >= lateSeq {
			break
		}
		ping()
	}
	require.GreaterOrEqual(t, mark(), lateSeq, "the mark moves once nothing below it is pending")
}

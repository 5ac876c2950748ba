package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// A batch's email is retried like a single one when the provider fails for
// a passing reason, and marked failed for every invite when it refuses.
func TestBulkEmailFailures(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ids := seedPending(t, e, org, 3, "flaky")
		e.SendGrid.FailNext(1, http.StatusServiceUnavailable)
		e.StartWorkers()
		job := accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"user_ids": []string{ids[0].String(), ids[1].String()}}))
		waitJob(t, e, org.OwnerToken, job.ID, 20*time.Second)
		for _, id := range ids[:2] {
			require.Eventually(t, func() bool {
				inv := e.LatestInvite(people.User{ID: id, OrganizationID: org.ID})
				return inv.Delivery.Status == people.DeliverySent && inv.Delivery.Attempts == 2
			}, 20*time.Second, 50*time.Millisecond, "sent on the second attempt")
		}
		require.Len(t, e.SendGrid.Messages(), 1)

		e.SendGrid.RejectNext(1, http.StatusBadRequest, "The from address does not match a verified Sender Identity.")
		job = accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"user_ids": []string{ids[2].String(), uuid.NewString()}}))
		done := waitJob(t, e, org.OwnerToken, job.ID, 20*time.Second)
		require.Equal(t, "succeeded", done.State, "the invitation was made; its email is the delivery's story")
		require.Eventually(t, func() bool {
			inv := e.LatestInvite(people.User{ID: ids[2], OrganizationID: org.ID})
			return inv.Delivery.Status == people.DeliveryFailed && inv.Delivery.Reason != ""
		}, 20*time.Second, 50*time.Millisecond)
		require.Len(t, e.SendGrid.Messages(), 1, "a refusal is not retried")
	})
}

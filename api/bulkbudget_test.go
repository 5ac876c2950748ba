package api_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/testdb"
	"github.com/invitedhq/invited/internal/testwait"
)

// shortBatches gives every bulk batch a deadline far shorter than a
// batch of hundreds takes, as a very slow database would, and counts the
// batches. The deadline is stretched under the race detector as the work
// is slowed: unstretched, a batch there has time for a user or two, or on
// SQLite for none, and the job takes minutes or never starts.
type shortBatches struct {
	jobs.JobRunner
	batches atomic.Int32
}

func (s *shortBatches) RunJobBatch(ctx context.Context, jobID uuid.UUID) error {
	s.batches.Add(1)
	ctx, cancel := context.WithTimeout(ctx, testwait.Deadline(200*time.Millisecond))
	defer cancel()
	return s.JobRunner.RunJobBatch(ctx, jobID)
}

// A batch that has used half its time stops taking on users and leaves
// the rest to the next batch: on a slow database a bulk job takes more,
// smaller batches instead of timing its batches out again and again, and
// every user is still resent exactly once.
func TestSlowBatchesGetSmaller(t *testing.T) {
	t.Parallel()
	const users = 600
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			hook := &shortBatches{}
			e := apitest.New(t, d, apitest.Options{WrapJobRunner: func(r jobs.JobRunner) jobs.JobRunner {
				hook.JobRunner = r
				return hook
			}})
			org := e.Org()
			seedPending(t, e, org, users, "slow")
			job := accepted(t, e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}}))
			e.StartWorkers()
			done := waitJob(t, e, org.OwnerToken, job.ID, time.Minute)
			require.Equal(t, "succeeded", done.State)
			require.Equal(t, users, done.Succeeded)
			require.Greater(t, int(hook.batches.Load()), 1, "the users were split over several batches")
			byEmail(t, e.SendGrid.WaitForRecipients(t, users, wait))
		})
	}
}

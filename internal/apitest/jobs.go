package apitest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/testwait"
)

// TestBackoff is the retry schedule of test environments: the production
// schedule's shape in milliseconds, so that a test sees several retries
// without waiting for them.
var TestBackoff = jobs.Backoff{Base: 5 * time.Millisecond, Max: 100 * time.Millisecond}

// InviteJob is an invitation email job as the queue holds it.
type InviteJob struct {
	*rivertype.JobRow
	InviteID uuid.UUID
}

// Snoozes is how many times the job waited without using up an attempt,
// as River counts them in its metadata.
func (j InviteJob) Snoozes() int {
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(j.Metadata, &meta)
	return meta.Snoozes
}

// InviteJobs returns every invitation email job, oldest first.
func (e *Env) InviteJobs() []InviteJob {
	e.T.Helper()
	res, err := e.Queue.Client().JobList(context.Background(), river.NewJobListParams().
		Kinds(jobs.InviteEmailArgs{}.Kind()).OrderBy(river.JobListOrderByID, river.SortOrderAsc).First(10_000))
	must(e.T, err)
	out := make([]InviteJob, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		var args jobs.InviteEmailArgs
		must(e.T, json.Unmarshal(j.EncodedArgs, &args))
		out = append(out, InviteJob{JobRow: j, InviteID: args.InviteID})
	}
	return out
}

// InviteJob returns the email job of one invite; the test fails when there
// is not exactly one.
func (e *Env) InviteJob(inviteID uuid.UUID) InviteJob {
	e.T.Helper()
	var found []InviteJob
	for _, j := range e.InviteJobs() {
		if j.InviteID == inviteID {
			found = append(found, j)
		}
	}
	if len(found) != 1 {
		e.T.Fatalf("invite %s has %d email jobs, want 1", inviteID, len(found))
	}
	return found[0]
}

// finished reports whether a job will never run again.
func finished(s rivertype.JobState) bool {
	switch s {
	case rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
		return true
	case rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled:
		return false
	}
	return false
}

// WaitForInviteJobs waits until every invitation email job has finished
// (completed, cancelled or discarded) and returns them; the test fails if
// that takes longer than timeout.
func (e *Env) WaitForInviteJobs(timeout time.Duration) []InviteJob {
	e.T.Helper()
	return e.WaitForInviteJobsWhere(timeout, "every invitation email job finished", func(js []InviteJob) bool {
		for _, j := range js {
			if !finished(j.State) {
				return false
			}
		}
		return true
	})
}

// WaitForInviteJobsWhere polls the invitation email jobs until cond holds
// and returns them; the test fails, naming what, after timeout.
func (e *Env) WaitForInviteJobsWhere(timeout time.Duration, what string, cond func([]InviteJob) bool) []InviteJob {
	e.T.Helper()
	return waitFor(e.T, timeout, what, func() ([]InviteJob, bool) {
		js := e.InviteJobs()
		return js, cond(js)
	})
}

// waitFor polls check every 10 ms until it reports done.
func waitFor[T any](t testing.TB, timeout time.Duration, what string, check func() (T, bool)) T {
	t.Helper()
	timeout = testwait.Deadline(timeout)
	deadline := time.Now().Add(timeout)
	for {
		v, done := check()
		if done {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for: %s; last seen %+v", timeout, what, v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

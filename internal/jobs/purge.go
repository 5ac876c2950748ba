package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// purgeArgs is the daily job that forgets expired idempotency keys.
type purgeArgs struct{}

func (purgeArgs) Kind() string { return "purge_idempotency_keys" }

type purgeWorker struct {
	river.WorkerDefaults[purgeArgs]
	maint Maintainer
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[purgeArgs]) error {
	_, err := w.maint.PurgeIdempotencyKeys(ctx, time.Now().UTC())
	return err
}

func purgePeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return purgeArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

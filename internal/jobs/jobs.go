// Package jobs runs the service's durable background work on River: the
// invitation emails, single or batched, and the batches of bulk jobs. Jobs are inserted in the same database
// transaction as the rows they concern, so none is lost and none exists for
// a change that rolled back.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/invitedhq/invited/internal/database"
)

// QueueEmail is the queue of invitation emails.
const QueueEmail = "email"

// Timeouts of one attempt at a job. A replica that dies leaves its jobs
// running in the queue's table; another replica takes them over once they
// have run for longer than their timeout and RescueAfter, and River's
// rescuer next looks (every 30 s): within about a minute of the crash.
const (
	// EmailTimeout bounds an attempt at an email job: waiting for a
	// provider call to take it, and that call (the provider's own timeout
	// is 10 s).
	EmailTimeout = 20 * time.Second
	// BatchTimeout bounds one batch of a bulk job: a thousand resends or
	// imported rows take one to two seconds.
	BatchTimeout = 20 * time.Second
	// RescueAfter is how long a job may have been running before it is
	// taken for a dead replica's and run again. It exceeds every job's
	// timeout, so that no job still running is ever run twice.
	RescueAfter = 25 * time.Second
)

// Options tune the queue; zero values pick production defaults.
type Options struct {
	// Workers is the number of email jobs worked at once per replica. An
	// email job mostly waits for a provider call it shares with others,
	// so it can be many. Default 200.
	Workers int
	// BulkWorkers is the number of bulk job batches worked at once per
	// replica; each holds a database connection for its transaction.
	// Default 2.
	BulkWorkers int
	Logger      *slog.Logger
	// PollInterval is how often idle workers look for new jobs.
	PollInterval time.Duration
	// Backoff is the retry schedule of failed emails; the zero value is
	// DefaultBackoff. Tests shorten it so that retries take milliseconds.
	Backoff Backoff
}

// InviteDeliverer sends invitation emails.
type InviteDeliverer interface {
	// DeliverInvite sends one invitation's email.
	DeliverInvite(ctx context.Context, inviteID uuid.UUID) error
	// DeliverInviteBatch sends the emails of invitations created together.
	DeliverInviteBatch(ctx context.Context, inviteIDs []uuid.UUID) error
}

// JobRunner works through bulk jobs, one batch at a time.
type JobRunner interface {
	RunJobBatch(ctx context.Context, jobID uuid.UUID) error
}

// Maintainer does the periodic housekeeping.
type Maintainer interface {
	PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error)
	// PurgeDeliveryEvents forgets the ids of provider events received
	// before the time; they only guard against redelivery, which SendGrid
	// stops after a day.
	PurgeDeliveryEvents(ctx context.Context, before time.Time) (int64, error)
}

// Queue is the River client with the service's workers.
type Queue struct {
	client    *river.Client[*sql.Tx]
	deliverer atomic.Pointer[InviteDeliverer]
	runner    atomic.Pointer[JobRunner]
	log       *slog.Logger
	backoff   Backoff
}

// New builds the queue over db's pool. Workers start with Start; the
// deliverer must be set before.
func New(db *database.DB, maint Maintainer, opts Options) (*Queue, error) {
	if opts.Workers <= 0 {
		opts.Workers = 200
	}
	if opts.BulkWorkers <= 0 {
		opts.BulkWorkers = 2
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 200 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	q := &Queue{log: opts.Logger, backoff: opts.Backoff.orDefault()}
	workers := river.NewWorkers()
	river.AddWorker(workers, &inviteEmailWorker{q: q})
	river.AddWorker(workers, &inviteBatchEmailWorker{q: q})
	river.AddWorker(workers, &jobBatchWorker{q: q})
	river.AddWorker(workers, &housekeepingWorker{maint: maint})

	client, err := river.NewClient(database.RiverDriver(db), &river.Config{
		Logger:  opts.Logger.With("component", "jobs"),
		Workers: workers,
		Queues: map[string]river.QueueConfig{QueueEmail: {MaxWorkers: opts.Workers}, QueueBulk: {MaxWorkers: opts.BulkWorkers},
			river.QueueDefault: {MaxWorkers: 2}},
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     min(opts.PollInterval, 100*time.Millisecond),
		// database/sql has no LISTEN: workers poll, which costs one cheap query per interval.
		PollOnly:   true,
		JobTimeout: EmailTimeout,
		// A job left running by a replica that died is handed to another
		// after this long; River's default of an hour would leave its
		// emails unsent and its invites showing sending meanwhile.
		RescueStuckJobsAfter: RescueAfter,
		PeriodicJobs:         []*river.PeriodicJob{housekeepingJob()},
	})
	if err != nil {
		return nil, fmt.Errorf("create job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// SetInviteDeliverer names who sends invitation emails.
func (q *Queue) SetInviteDeliverer(d InviteDeliverer) { q.deliverer.Store(&d) }

// SetJobRunner names who works through bulk jobs.
func (q *Queue) SetJobRunner(r JobRunner) { q.runner.Store(&r) }

// Start runs the workers until Stop.
func (q *Queue) Start(ctx context.Context) error {
	if q.deliverer.Load() == nil {
		return errors.New("jobs: no invite deliverer set")
	}
	if q.runner.Load() == nil {
		return errors.New("jobs: no bulk job runner set")
	}
	return q.client.Start(ctx)
}

// Stop lets running jobs finish until ctx ends, then cancels them; a
// cancelled job is retried later, by this replica or another.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return q.client.StopAndCancel(cctx)
	}
	return err
}

// Client exposes the River client for tests and tools.
func (q *Queue) Client() *river.Client[*sql.Tx] { return q.client }

// EnqueueInviteEmail queues an invitation's email in tx. The job carries
// only the invite id: the link is rebuilt when it runs, so no secret ever
// sits in the queue.
func (q *Queue) EnqueueInviteEmail(ctx context.Context, tx *sql.Tx, inviteID uuid.UUID) error {
	_, err := q.client.InsertTx(ctx, tx, InviteEmailArgs{InviteID: inviteID}, nil)
	return err
}

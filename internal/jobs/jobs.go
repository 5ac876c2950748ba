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
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/logging"
	"github.com/invitedhq/invited/internal/metrics"
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
	// Metrics counts the email jobs' attempts; nil counts nothing.
	Metrics *metrics.Metrics
	// WebhookWorkers is how many endpoints a replica delivers to at once;
	// each sends a batch of parallel requests.
	WebhookWorkers int
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
	// PurgeWebhookHistory forgets webhook deliveries that ended before the
	// time, with their attempts, and the events no delivery refers to.
	PurgeWebhookHistory(ctx context.Context, before time.Time) (int64, error)
}

// Workers are the collaborators the queue's workers call.
type Workers struct {
	Deliverer  InviteDeliverer
	Runner     JobRunner
	Maintainer Maintainer
	Webhooks   WebhookDeliverer
	Reminders  ReminderSender
}

// Queue is the River client that works the service's jobs. It does not
// insert them: that is the Inserter's part (see there for why they are two).
type Queue struct {
	client  *river.Client[*sql.Tx]
	work    Workers
	log     *slog.Logger
	backoff Backoff
	metrics *metrics.Metrics
}

// New builds the queue over db's pool, with every worker's collaborator
// given up front. Workers start with Start.
func New(db *database.DB, w Workers, opts Options) (*Queue, error) {
	if w.Deliverer == nil || w.Runner == nil || w.Maintainer == nil || w.Webhooks == nil || w.Reminders == nil {
		return nil, errors.New("jobs: a queue needs a deliverer, a bulk job runner, a maintainer, a webhook deliverer and a reminder sender")
	}
	if opts.WebhookWorkers <= 0 {
		opts.WebhookWorkers = 8
	}
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
	q := &Queue{work: w, log: opts.Logger, backoff: opts.Backoff.orDefault(), metrics: opts.Metrics}
	workers := river.NewWorkers()
	river.AddWorker(workers, &inviteEmailWorker{q: q})
	river.AddWorker(workers, &inviteBatchEmailWorker{q: q})
	river.AddWorker(workers, &jobBatchWorker{q: q})
	river.AddWorker(workers, &housekeepingWorker{maint: w.Maintainer})
	river.AddWorker(workers, &webhookDeliveryWorker{q: q})
	river.AddWorker(workers, &webhookSweepWorker{q: q})
	river.AddWorker(workers, &reminderSweepWorker{q: q})
	river.AddWorker(workers, &reminderRescheduleWorker{q: q})

	client, err := river.NewClient(database.RiverDriver(db), &river.Config{
		Logger:  opts.Logger.With("component", "jobs"),
		Workers: workers,
		Queues: map[string]river.QueueConfig{QueueEmail: {MaxWorkers: opts.Workers}, QueueBulk: {MaxWorkers: opts.BulkWorkers},
			QueueWebhooks: {MaxWorkers: opts.WebhookWorkers}, river.QueueDefault: {MaxWorkers: 2}},
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     min(opts.PollInterval, 100*time.Millisecond),
		// database/sql has no LISTEN: workers poll, which costs one cheap query per interval.
		PollOnly:   true,
		JobTimeout: EmailTimeout,
		// A job left running by a replica that died is handed to another
		// after this long; River's default of an hour would leave its
		// emails unsent and its invites showing sending meanwhile.
		RescueStuckJobsAfter: RescueAfter,
		PeriodicJobs:         []*river.PeriodicJob{housekeepingJob(), webhookSweepJob(), reminderSweepJob()},
	})
	if err != nil {
		return nil, fmt.Errorf("create job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// Start runs the workers until Stop.
func (q *Queue) Start(ctx context.Context) error {
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

// Inserter puts jobs in the queue inside the caller's transaction, so a
// job exists exactly when the rows it is about do.
//
// It is apart from Queue, which works the jobs, because the two sit at the
// opposite ends of the dependency chain: the store needs to insert an
// invite's email job in the invite's own transaction, and the workers need
// the service, which needs the store. An insert-only River client (no
// workers, never started) breaks that cycle without setting anything after
// construction: the inserter is built first, the store and the service on
// it, and the queue last, with its workers' collaborators in hand.
type Inserter struct {
	client  *river.Client[*sql.Tx]
	metrics *metrics.Metrics
}

// NewInserter builds the insert-only client over db's pool; m counts the
// emails it queues (nil counts nothing).
func NewInserter(db *database.DB, log *slog.Logger, m *metrics.Metrics) (*Inserter, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	client, err := river.NewClient(database.RiverDriver(db), &river.Config{Logger: log.With("component", "jobs"), PollOnly: true,
		// River sends a NOTIFY with an insert at most once per fetch
		// cooldown and queue, for clients that LISTEN. None does: the
		// workers poll (database/sql cannot LISTEN). An insert-only client
		// never fetches, so a long cooldown costs nothing and keeps the
		// NOTIFY, and the lock it takes at every commit, out of the inserts.
		FetchCooldown: 24 * time.Hour, FetchPollInterval: 24 * time.Hour})
	if err != nil {
		return nil, fmt.Errorf("create job inserter: %w", err)
	}
	return &Inserter{client: client, metrics: m}, nil
}

// Client exposes the River client for tests and tools that read the queue.
func (i *Inserter) Client() *river.Client[*sql.Tx] { return i.client }

// EnqueueInviteEmail queues an invitation's email in tx. The job carries
// only the invite id: the link is rebuilt when it runs, so no secret ever
// sits in the queue.
func (i *Inserter) EnqueueInviteEmail(ctx context.Context, tx *sql.Tx, inviteID uuid.UUID) error {
	if err := i.insert(ctx, tx, InviteEmailArgs{InviteID: inviteID, RequestID: logging.RequestID(ctx)}); err != nil {
		return err
	}
	// Counted when queued in the transaction: one that rolls back after
	// this is counted although its email never goes; rare, and a counter
	// cannot wait for a commit it does not see.
	i.metrics.EmailQueued(InviteEmailArgs{}.Kind(), 1)
	return nil
}

// EnqueueInviteBatch queues one email job for invites created in tx.
func (i *Inserter) EnqueueInviteBatch(ctx context.Context, tx *sql.Tx, inviteIDs []uuid.UUID) error {
	if err := i.insert(ctx, tx, InviteBatchEmailArgs{InviteIDs: inviteIDs, RequestID: logging.RequestID(ctx)}); err != nil {
		return err
	}
	i.metrics.EmailQueued(InviteBatchEmailArgs{}.Kind(), len(inviteIDs))
	return nil
}

// EnqueueJobBatch queues the next batch of a bulk job in tx.
func (i *Inserter) EnqueueJobBatch(ctx context.Context, tx *sql.Tx, jobID uuid.UUID) error {
	return i.insert(ctx, tx, JobBatchArgs{JobID: jobID, RequestID: logging.RequestID(ctx)})
}

// insert puts one job in the queue in tx. It uses River's insert without
// RETURNING: nothing here reads the inserted row back, and scanning it
// through database/sql (every column, arrays as text) cost more than the
// insert itself.
func (i *Inserter) insert(ctx context.Context, tx *sql.Tx, args river.JobArgs) error {
	_, err := i.client.InsertManyFastTx(ctx, tx, []river.InsertManyParams{{Args: args}})
	return err
}

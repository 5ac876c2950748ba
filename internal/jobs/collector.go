package jobs

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
)

// QueueCollector reports the job queue's depth and the age of its oldest
// job ready to run, read from river_job when Prometheus scrapes: two
// grouped counts over River's own (state, queue, …) index, so a scrape
// costs one index range per state however many jobs are done.
type QueueCollector struct {
	db      *database.DB
	log     *slog.Logger
	jobs    *prometheus.Desc
	age     *prometheus.Desc
	timeout time.Duration
}

// NewQueueCollector reads the queue of db; a failed read is logged and
// leaves the queue's metrics out of that scrape.
func NewQueueCollector(db *database.DB, log *slog.Logger) *QueueCollector {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &QueueCollector{db: db, log: log, timeout: 5 * time.Second,
		jobs: prometheus.NewDesc("invited_queue_jobs",
			"Jobs in the queue not finished, by queue (email, bulk, webhooks, default) and state (available: ready to run; running; scheduled: waiting for their time, snoozed included; retryable: failed, waiting for a retry).",
			[]string{"queue", "state"}, nil),
		age: prometheus.NewDesc("invited_queue_oldest_available_job_age_seconds",
			"How long the oldest job ready to run has waited for a worker, by queue; 0 when none waits.",
			[]string{"queue"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.age
}

// queues are the queues the service uses: each is reported, at zero when
// it is empty, so that a dashboard's series never vanish.
var queues = []string{QueueEmail, QueueBulk, QueueWebhooks, river.QueueDefault}

// Collect implements prometheus.Collector.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	counts, ages, err := c.read(ctx)
	if err != nil {
		c.log.Warn("metrics: read the job queue", "error", err)
		return
	}
	for _, q := range queues {
		for _, state := range []string{"available", "running", "scheduled", "retryable"} {
			ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(counts[q][state]), q, state)
		}
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, max(ages[q], 0), q)
	}
}

func (c *QueueCollector) read(ctx context.Context) (map[string]map[string]int64, map[string]float64, error) {
	counts := map[string]map[string]int64{}
	for _, q := range queues {
		counts[q] = map[string]int64{}
	}
	rows, err := c.db.SQL.QueryContext(ctx, `SELECT queue, state, count(*) FROM river_job
		WHERE state IN ('available', 'running', 'scheduled', 'retryable') GROUP BY queue, state`)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = rows.Close() }()
	if err := scan(rows, func() error {
		var q, state string
		var n int64
		if err := rows.Scan(&q, &state, &n); err != nil {
			return err
		}
		if counts[q] != nil {
			counts[q][state] = n
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// The database's clock on both sides of the difference, so that the
	// age does not depend on this replica's.
	age := `EXTRACT(EPOCH FROM now() - min(scheduled_at))::float8`
	if c.db.Dialect == config.SQLite {
		age = `(julianday('now') - julianday(min(scheduled_at))) * 86400.0`
	}
	ageRows, err := c.db.SQL.QueryContext(ctx, `SELECT queue, `+age+` FROM river_job WHERE state = 'available' GROUP BY queue`)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = ageRows.Close() }()
	ages := map[string]float64{}
	err = scan(ageRows, func() error {
		var q string
		var seconds sql.NullFloat64
		if err := ageRows.Scan(&q, &seconds); err != nil {
			return err
		}
		ages[q] = seconds.Float64
		return nil
	})
	return counts, ages, err
}

// scan calls each for every row, then says whether the rows ended well.
func scan(rows *sql.Rows, each func() error) error {
	for rows.Next() {
		if err := each(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Package metrics holds the counters of what the service does, for
// operators: email jobs, provider events, outbound webhooks and bulk job
// items. The gauges read at scrape time (the queue, the connection pool,
// the password hasher) are collectors registered beside them. docs/operations.md
// lists every metric.
//
// Every method is safe on a nil *Metrics, which counts nothing, so code
// and tests that need no metrics pass none.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of an email job's attempt.
const (
	// EmailSent: the provider accepted the email.
	EmailSent = "sent"
	// EmailRetried: a passing failure (a 5xx, a timeout): retried with backoff.
	EmailRetried = "retried"
	// EmailRateLimited: the provider asked to wait; retried when it said.
	EmailRateLimited = "rate_limited"
	// EmailRefused: refused for good (a 4xx): the job ends, the invitation failed.
	EmailRefused = "refused"
	// EmailPutBack: waited its turn for a provider call too long; back in the queue.
	EmailPutBack = "put_back"
)

// Metrics are the service's counters.
type Metrics struct {
	emailQueued    *prometheus.CounterVec
	emailAttempts  *prometheus.CounterVec
	eventsReceived prometheus.Counter
	eventsApplied  prometheus.Counter
	webhookTries   *prometheus.CounterVec
	bulkItems      *prometheus.CounterVec
}

// New registers the counters on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		emailQueued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invited_email_jobs_queued_total",
			Help: "Invitation emails queued, by job kind (invite_email: one email; invite_email_batch: a bulk job's batch, counted per email).",
		}, []string{"kind"}),
		emailAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invited_email_job_attempts_total",
			Help: "Attempts of invitation email jobs, by job kind and outcome: sent, retried, rate_limited, refused, put_back.",
		}, []string{"kind", "outcome"}),
		eventsReceived: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "invited_delivery_events_received_total",
			Help: "SendGrid events received on POST /webhooks/sendgrid with a valid signature.",
		}),
		eventsApplied: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "invited_delivery_events_applied_total",
			Help: "SendGrid events that changed an invitation's delivery status (the others were repeats, older news or for no known invitation).",
		}),
		webhookTries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invited_webhook_delivery_attempts_total",
			Help: "Attempts to deliver outbound webhooks, by outcome: succeeded, retried, failed, gone.",
		}, []string{"outcome"}),
		bulkItems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invited_bulk_job_items_total",
			Help: "Items of bulk jobs processed, by job kind (resend, import) and outcome (succeeded, skipped, failed).",
		}, []string{"kind", "outcome"}),
	}
	reg.MustRegister(m.emailQueued, m.emailAttempts, m.eventsReceived, m.eventsApplied, m.webhookTries, m.bulkItems)
	return m
}

// EmailQueued counts n emails queued in jobs of kind.
func (m *Metrics) EmailQueued(kind string, n int) {
	if m != nil {
		m.emailQueued.WithLabelValues(kind).Add(float64(n))
	}
}

// EmailAttempt counts one attempt of an email job of kind.
func (m *Metrics) EmailAttempt(kind, outcome string) {
	if m != nil {
		m.emailAttempts.WithLabelValues(kind, outcome).Inc()
	}
}

// DeliveryEvents counts a batch of provider events and how many applied.
func (m *Metrics) DeliveryEvents(received, applied int) {
	if m != nil {
		m.eventsReceived.Add(float64(received))
		m.eventsApplied.Add(float64(applied))
	}
}

// WebhookAttempt counts one outbound webhook attempt.
func (m *Metrics) WebhookAttempt(outcome string) {
	if m != nil {
		m.webhookTries.WithLabelValues(outcome).Inc()
	}
}

// BulkItems counts n items of a bulk job of kind that ended with outcome.
func (m *Metrics) BulkItems(kind, outcome string, n int) {
	if m != nil && n > 0 {
		m.bulkItems.WithLabelValues(kind, outcome).Add(float64(n))
	}
}

// RegisterHasher registers the password hasher's gauges: hashes being
// computed and hashes waiting for a slot.
func RegisterHasher(reg prometheus.Registerer, inFlight, waiting func() int) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "invited_password_hashes_in_flight",
			Help: "argon2id hashes being computed now (sign-ins, accepted invitations, set passwords)."},
			func() float64 { return float64(inFlight()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "invited_password_hashes_waiting",
			Help: "argon2id hashes waiting for a free slot now."},
			func() float64 { return float64(waiting()) }),
	)
}

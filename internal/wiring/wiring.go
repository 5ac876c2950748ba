// Package wiring assembles invited from its parts: the store, the service, the
// job queue and the HTTP API, in the one order their dependencies allow.
// The binary and the test environment both build through Build, so what the
// tests run is what ships.
package wiring

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	invited "github.com/invitedhq/invited"
	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/metrics"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/store"
	"github.com/invitedhq/invited/internal/webhooks"
)

// Parts are what differs between a deployment and a test: the database,
// the keys, the mailer, the clock and the settings.
type Parts struct {
	DB     *database.DB
	Tokens *auth.Tokens
	Signer *auth.InviteSigner
	Hasher *auth.Hasher
	Mailer mail.Sender
	// Webhook verifies SendGrid's signed event webhook; nil disables the route.
	Webhook *mail.WebhookVerifier
	// AppBaseURL is the frontend; links are AppBaseURL/activate?token=….
	AppBaseURL string
	// RefreshTTL is how long a session lasts; zero is the service's default.
	RefreshTTL time.Duration
	// MailDomains checks new addresses for a mail server; nil checks nothing.
	MailDomains people.DomainChecker
	// Now is the clock; nil is time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	Jobs   jobs.Options
	// Delivery tunes how emails are grouped into provider calls.
	Delivery people.DeliveryOptions
	// WrapJobRunner, when set, stands between the queue and the service's
	// bulk job runner (tests stop a job in the middle with it).
	WrapJobRunner func(jobs.JobRunner) jobs.JobRunner
	HTTP          HTTP
	Webhooks      Webhooks
}

// Webhooks are the outbound webhooks' settings.
type Webhooks struct {
	// Keys encrypt endpoints' signing secrets, current first; none leaves
	// webhooks unavailable.
	Keys   []webhooks.Key
	Policy webhooks.Policy
	// Client tunes the HTTP client (tests: a resolver, a shorter timeout);
	// its Policy is Policy.
	Client webhooks.ClientOptions
	// Backoff is the retry schedule; zero is jobs.DefaultWebhookBackoff.
	Backoff jobs.Backoff
}

// HTTP are the API's settings.
type HTTP struct {
	// Metrics receives every metric; nil uses a private registry.
	Metrics *prometheus.Registry
	// MetricsElsewhere leaves /metrics out of the API (METRICS_ADDR).
	MetricsElsewhere   bool
	CORSAllowedOrigins []string
	TrustedProxies     []*net.IPNet
	// PublicRateLimit is requests per minute per client IP on public routes.
	PublicRateLimit int
	// Console is the built web app served at / and /activate; nil serves the API alone.
	Console fs.FS
}

// App is invited assembled. Nothing in it runs until the caller starts the
// queue and serves the API.
type App struct {
	Store    *store.Store
	Inserter *jobs.Inserter
	Service  *people.Service
	Queue    *jobs.Queue
	Server   *api.Server
	// Metrics is the registry of every metric, which /metrics serves.
	Metrics *prometheus.Registry
}

// Build wires the parts. The order is the dependency order: the job
// inserter, the store that enqueues through it, the service over the store,
// then the queue whose workers call the service, and the API over all of it.
func Build(p Parts) (*App, error) {
	reg := p.HTTP.Metrics
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	counters := metrics.New(reg)
	reg.MustRegister(jobs.NewQueueCollector(p.DB, p.Logger), collectors.NewDBStatsCollector(p.DB.SQL, "invited"))
	if p.Hasher != nil {
		metrics.RegisterHasher(reg, p.Hasher.InFlight, p.Hasher.Waiting)
	}
	ins, err := jobs.NewInserter(p.DB, p.Logger, counters)
	if err != nil {
		return nil, err
	}
	a := &App{Inserter: ins, Store: store.New(p.DB, ins), Metrics: reg}
	hooks, err := webhookDeps(p.Webhooks)
	if err != nil {
		return nil, err
	}
	a.Service = people.NewService(people.Deps{Store: a.Store, Hasher: p.Hasher, Tokens: p.Tokens, Signer: p.Signer,
		Mailer: p.Mailer, AppBaseURL: p.AppBaseURL, RefreshTTL: p.RefreshTTL, Now: p.Now, Logger: p.Logger,
		MailDomains: p.MailDomains, Webhooks: hooks, Delivery: p.Delivery, Metrics: counters})
	var runner jobs.JobRunner = a.Service
	if p.WrapJobRunner != nil {
		runner = p.WrapJobRunner(runner)
	}
	opts := p.Jobs
	if opts.Logger == nil {
		opts.Logger = p.Logger
	}
	opts.Metrics = counters
	if a.Queue, err = jobs.New(p.DB, jobs.Workers{Deliverer: a.Service, Runner: runner, Maintainer: a.Store,
		Webhooks: webhookWorker{a.Service}, Reminders: a.Service}, opts); err != nil {
		return nil, err
	}
	a.Server = api.NewServer(api.Deps{
		Service: a.Service, Tokens: p.Tokens, Webhook: p.Webhook, Logger: p.Logger, Metrics: reg, Counters: counters,
		MetricsElsewhere:   p.HTTP.MetricsElsewhere,
		Ready:              func(ctx context.Context) error { return database.Ready(ctx, p.DB) },
		CORSAllowedOrigins: p.HTTP.CORSAllowedOrigins, TrustedProxies: p.HTTP.TrustedProxies,
		PublicRateLimit: p.HTTP.PublicRateLimit, OpenAPI: invited.OpenAPI, Console: p.HTTP.Console,
	})
	return a, nil
}

func webhookDeps(w Webhooks) (people.WebhookDeps, error) {
	opts := w.Client
	opts.Policy = w.Policy
	backoff := w.Backoff
	if backoff.Base <= 0 {
		backoff = jobs.DefaultWebhookBackoff
	}
	d := people.WebhookDeps{Sender: webhooks.NewClient(opts), Policy: w.Policy, Backoff: backoff}
	if len(w.Keys) == 0 {
		return d, nil
	}
	box, err := webhooks.NewSecretBox(w.Keys)
	if err != nil {
		return d, fmt.Errorf("WEBHOOK_SECRET_KEYS: %w", err)
	}
	d.Secrets, d.Views = box, api.EventViews{}
	return d, nil
}

// webhookWorker is the service as the queue's webhook worker sees it.
type webhookWorker struct{ *people.Service }

func (w webhookWorker) DeliverWebhooks(ctx context.Context, endpointID uuid.UUID) (jobs.WebhookRun, error) {
	run, err := w.Service.DeliverWebhooks(ctx, endpointID)
	return jobs.WebhookRun{Again: run.Again, Pending: run.Pending, Next: run.Next}, err
}

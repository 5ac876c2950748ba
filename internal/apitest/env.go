// Package apitest builds a complete invited for tests: the real Echo router
// served through httptest, a real database of either dialect, the real
// SendGrid client talking HTTP to a fake SendGrid, and a clock tests can
// move. Factories create organizations and users through the service, so
// fixtures obey the same rules as the product. Every request and answer is
// checked against openapi.yaml (see Contract), so the whole suite proves the
// published contract.
package apitest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/logging"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/maildomain"
	"github.com/invitedhq/invited/internal/maildomain/dnstest"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/store"
	"github.com/invitedhq/invited/internal/testdb"
	"github.com/invitedhq/invited/internal/webhooks"
	"github.com/invitedhq/invited/internal/wiring"
	"github.com/invitedhq/invited/web"
)

// AppBaseURL is the frontend base URL of every test environment.
const AppBaseURL = "https://app.test"

// Env is one running invited.
type Env struct {
	T       testing.TB
	Dialect config.Dialect
	DB      *database.DB
	Store   *store.Store
	// Inserter is the queue's insert side; its client lists the jobs.
	Inserter *jobs.Inserter
	Queue    *jobs.Queue
	Service  *people.Service
	Server   *api.Server
	// Handler is what requests go through: the server, wrapped by the
	// contract check, which fails the test on any request or response that
	// departs from openapi.yaml.
	Handler  http.Handler
	SendGrid *sendgridtest.Server
	// WebhookKey signs SendGrid event batches the server accepts.
	WebhookKey *ecdsa.PrivateKey
	Tokens     *auth.Tokens
	Signer     *auth.InviteSigner
	// Hasher is the service's password hasher; its Computations count
	// shows how much hashing a request did.
	Hasher *auth.Hasher
	Clock  *Clock
	// DNS is the resolver the deliverability check of new addresses asks:
	// a local server where every domain has an MX unless a test says otherwise.
	DNS *dnstest.Server
	// Logs holds everything the service logged.
	Logs *LogBuffer

	workersOnce sync.Once
	// idp signs the tokens of an ExternalIdP environment.
	idp ed25519.PrivateKey
}

// Options adjust an environment.
type Options struct {
	// WarnLogs logs at warn instead of debug, as the benchmarked server
	// does, so that a benchmark's allocations are the request's.
	WarnLogs bool
	// PublicRateLimit is requests per minute per IP on public routes; default high enough never to trigger.
	PublicRateLimit int
	// CORSAllowedOrigins enables CORS for these origins.
	CORSAllowedOrigins []string
	// DatabaseURL reuses an existing database instead of a fresh one.
	DatabaseURL string
	// SendGridTimeout bounds one request to the fake SendGrid; default 2 s.
	SendGridTimeout time.Duration
	// Delivery tunes how emails are grouped into provider calls; the
	// zero value is the production default.
	Delivery people.DeliveryOptions
	// DNSTimeout bounds the deliverability check of an address; default 2 s.
	DNSTimeout time.Duration
	// ExternalIdP makes the environment a deployment that verifies the
	// tokens of another identity provider (JWT_PUBLIC_KEY_FILE) and mints
	// none of its own; Env.Token signs as that provider.
	ExternalIdP bool
	// WrapJobRunner stands between the queue and the service's bulk job
	// runner, to watch or interrupt bulk jobs.
	WrapJobRunner func(jobs.JobRunner) jobs.JobRunner
	// StrictWebhooks keeps production's webhook policy (https, public
	// addresses only); by default endpoints may be local receivers over http.
	StrictWebhooks bool
	// WebhookResolver resolves endpoint host names (a webhooktest DNS server).
	WebhookResolver *net.Resolver
	// WebhookTimeout bounds one webhook request; default 2 s.
	WebhookTimeout time.Duration
	// Console serves the built web app, as CONSOLE=on does.
	Console bool
	// CountRoundTrips counts the round trips to PostgreSQL made under a
	// context of CountRoundTrips.
	CountRoundTrips bool
}

// LocalWebhooks is the webhook policy of test environments: plain http to
// loopback, where the test receivers listen.
var LocalWebhooks = webhooks.Policy{AllowHTTPHosts: []string{"127.0.0.1", "localhost"},
	AllowPrivateNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}

// TestWebhookBackoff retries webhooks within milliseconds.
var TestWebhookBackoff = jobs.Backoff{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}

// TestSecret is the HS256 secret of test environments.
var TestSecret = []byte("test-secret-test-secret-test-secret-0123456789")

// New starts an environment on a fresh database of the dialect.
func New(t testing.TB, dialect config.Dialect, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.PublicRateLimit == 0 {
		o.PublicRateLimit = 1_000_000
	}
	if o.SendGridTimeout == 0 {
		o.SendGridTimeout = 2 * time.Second
	}
	ctx := context.Background()
	e := &Env{T: t, Dialect: dialect, Clock: &Clock{}, Logs: &LogBuffer{}}
	level := slog.LevelDebug
	if o.WarnLogs {
		level = slog.LevelWarn
	}
	logger := logging.New(e.Logs, "json", level)

	dbOpts := database.Options{Logger: logger}
	if o.CountRoundTrips {
		dbOpts.Tracer = roundTrips{}
		if o.DatabaseURL == "" {
			o.DatabaseURL = testdb.NewURL(t, dialect)
		}
	}
	var err error
	if o.DatabaseURL != "" {
		e.DB, err = database.Open(ctx, o.DatabaseURL, dbOpts)
		must(t, err)
		t.Cleanup(func() { _ = e.DB.Close() })
		must(t, database.Migrate(ctx, e.DB, logger))
	} else {
		e.DB = testdb.New(t, dialect)
	}
	tc := auth.TokenConfig{Secret: TestSecret, Issuer: "invited", Audience: "invited", TTL: 15 * time.Minute, Now: e.Clock.Now}
	if o.ExternalIdP {
		var pemKey []byte
		e.idp, pemKey = newIdPKey(t)
		tc.Secret, tc.PublicKeyPEM = nil, pemKey
	}
	e.Tokens, err = auth.NewTokens(tc)
	must(t, err)
	e.Signer, err = auth.NewInviteSigner([]auth.SigningKey{auth.DeriveSigningKey("t1", TestSecret)})
	must(t, err)

	e.SendGrid = sendgridtest.NewServer(t)
	sender, err := mail.NewSendGrid(mail.SendGridConfig{APIKey: e.SendGrid.APIKey, BaseURL: e.SendGrid.URL,
		From: mail.Address{Email: "invites@invited.test", Name: "Invited"}, Timeout: o.SendGridTimeout})
	must(t, err)

	e.DNS = dnstest.NewServer(t, dnstest.HasMX)
	domains, err := maildomain.New(maildomain.Config{Servers: []string{e.DNS.Addr}, Timeout: o.DNSTimeout})
	must(t, err)

	// Cheap hashing keeps tests fast; the parameters are a property of the hasher, not of the rules under test.
	e.Hasher = auth.NewHasherWithParams(4, auth.Params{Memory: 1024, Time: 1, Threads: 1})

	priv, pub := sendgridtest.NewWebhookKey(t)
	e.WebhookKey = priv
	hook, err := mail.NewWebhookVerifier(pub, 0, e.Clock.Now)
	must(t, err)

	hooks := wiring.Webhooks{Keys: []webhooks.Key{webhooks.DeriveKey("w1", TestSecret)}, Policy: LocalWebhooks,
		Backoff: TestWebhookBackoff, Client: webhooks.ClientOptions{Resolver: o.WebhookResolver, Timeout: o.WebhookTimeout}}
	if o.StrictWebhooks {
		hooks.Policy = webhooks.Policy{}
	}
	if hooks.Client.Timeout == 0 {
		hooks.Client.Timeout = 2 * time.Second
	}
	a, err := wiring.Build(wiring.Parts{
		DB: e.DB, Tokens: e.Tokens, Signer: e.Signer, Hasher: e.Hasher, Mailer: sender, Webhook: hook,
		AppBaseURL: AppBaseURL, Now: e.Clock.Now, Logger: logger, WrapJobRunner: o.WrapJobRunner, MailDomains: domains,
		Jobs: jobs.Options{Workers: 50, PollInterval: 20 * time.Millisecond, Backoff: TestBackoff}, Delivery: o.Delivery,
		HTTP:     wiring.HTTP{PublicRateLimit: o.PublicRateLimit, CORSAllowedOrigins: o.CORSAllowedOrigins, Console: web.Console(o.Console)},
		Webhooks: hooks,
	})
	must(t, err)
	e.Store, e.Inserter, e.Service, e.Queue, e.Server = a.Store, a.Inserter, a.Service, a.Queue, a.Server
	e.Handler = checkedHandler(t, e.Server)
	return e
}

// ForEachDialect runs fn as a parallel subtest per dialect, each with its own environment.
func ForEachDialect(t *testing.T, fn func(t *testing.T, e *Env), opts ...Options) {
	t.Helper()
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, New(t, d, opts...))
		})
	}
}

// StartWorkers runs the background workers (email delivery) until the test ends.
func (e *Env) StartWorkers() {
	e.workersOnce.Do(func() {
		must(e.T, e.Queue.Start(context.Background()))
		e.T.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = e.Queue.Stop(ctx)
		})
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Clock is the environment's time: real time plus an offset tests move,
// or, once frozen, a time that moves only when a test moves it.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	frozen bool
	at     time.Time
}

// Now is the environment's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at
	}
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = c.at.Add(d)
		return
	}
	c.offset += d
}

// Set moves the clock to t, from where it runs on with real time (or
// stays, when frozen).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = t
		return
	}
	c.offset = time.Until(t)
}

// Freeze stops the clock at t: from then on only Advance and Set move it.
// A test whose output shows the service's times uses it, so that what it
// shows does not depend on how long the machine took to get there.
func (c *Clock) Freeze(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen, c.at = true, t
}

// LogBuffer collects log output, safe for concurrent writers.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

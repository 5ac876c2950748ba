package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/maildomain"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/webhooks"
	"github.com/invitedhq/invited/internal/wiring"
	"github.com/invitedhq/invited/web"
)

// app is the service assembled from its configuration.
type app struct {
	*wiring.App
	cfg    config.Config
	log    *slog.Logger
	db     *database.DB
	tokens *auth.Tokens
	signer *auth.InviteSigner
	hasher *auth.Hasher
}

// open connects to the database, migrates it when asked, and wires the
// service. Without migrate, the schema must be current already: a command
// that only reads says so rather than work on an empty database (or, on
// SQLite, create one). Close releases what it opened.
func open(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool) (*app, error) {
	if !migrate && cfg.Dialect == config.SQLite {
		if _, err := os.Stat(cfg.SQLitePath); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("DATABASE_URL: the SQLite database %s does not exist: run `invited migrate` (or `invited serve`) first", cfg.SQLitePath)
		}
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{Logger: log, MaxOpenConns: cfg.DatabaseMaxConns})
	if err != nil {
		return nil, err
	}
	if !migrate {
		if err := database.Ready(ctx, db); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("DATABASE_URL: the database is not migrated (%w): run `invited migrate` (or `invited serve`) first", err)
		}
	}
	a := &app{cfg: cfg, log: log, db: db}
	if err := a.wire(ctx, migrate); err != nil {
		_ = db.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) wire(ctx context.Context, migrate bool) error {
	if migrate {
		if err := database.Migrate(ctx, a.db, a.log); err != nil {
			return err
		}
	}
	secret, err := jwtSecret(a.cfg, a.log)
	if err != nil {
		return err
	}
	var pub, hmacSecret []byte
	if a.cfg.JWTPublicKeyFile != "" {
		if pub, err = os.ReadFile(a.cfg.JWTPublicKeyFile); err != nil {
			return fmt.Errorf("JWT_PUBLIC_KEY_FILE: %w", err)
		}
	} else {
		hmacSecret = secret
	}
	if a.tokens, err = auth.NewTokens(auth.TokenConfig{Secret: hmacSecret, PublicKeyPEM: pub, Issuer: a.cfg.JWTIssuer,
		Audience: a.cfg.JWTAudience, TTL: a.cfg.AccessTokenTTL}); err != nil {
		return fmt.Errorf("access tokens: %w", err)
	}
	keys := make([]auth.SigningKey, 0, len(a.cfg.InviteTokenKeys))
	for _, k := range a.cfg.InviteTokenKeys {
		keys = append(keys, auth.SigningKey{ID: k.ID, Secret: k.Secret})
	}
	if len(keys) == 0 { // config guarantees a secret here when no keys are given
		keys = append(keys, auth.DeriveSigningKey("k1", secret))
	}
	if a.signer, err = auth.NewInviteSigner(keys); err != nil {
		return fmt.Errorf("INVITE_TOKEN_KEYS: %w", err)
	}
	mailer, err := newMailer(a.cfg, a.log)
	if err != nil {
		return err
	}
	var hook *mail.WebhookVerifier
	if a.cfg.SendGridWebhookPublicKey != "" {
		if hook, err = mail.NewWebhookVerifier(a.cfg.SendGridWebhookPublicKey, 0, nil); err != nil {
			return fmt.Errorf("SENDGRID_WEBHOOK_PUBLIC_KEY: %w", err)
		}
	}
	domains, err := newDomainChecker(a.cfg, a.log)
	if err != nil {
		return err
	}
	a.hasher = auth.NewHasher(0)
	hooks := wiring.Webhooks{Policy: webhooks.Policy{AllowHTTPHosts: a.cfg.WebhookAllowHTTPHosts,
		AllowPrivateNetworks: a.cfg.WebhookAllowPrivateNetworks}}
	for _, k := range a.cfg.WebhookSecretKeys {
		hooks.Keys = append(hooks.Keys, webhooks.Key{ID: k.ID, Secret: k.Secret})
	}
	if len(hooks.Keys) == 0 && len(secret) > 0 {
		hooks.Keys = append(hooks.Keys, webhooks.DeriveKey("k1", secret))
	}
	if len(hooks.Keys) == 0 {
		a.log.Info("neither WEBHOOK_SECRET_KEYS nor JWT_SECRET is set: webhook endpoints are unavailable")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.App, err = wiring.Build(wiring.Parts{
		DB: a.db, Tokens: a.tokens, Signer: a.signer, Hasher: a.hasher, Mailer: mailer, Webhook: hook,
		AppBaseURL: a.cfg.AppBaseURL, RefreshTTL: a.cfg.RefreshTokenTTL, Logger: a.log, MailDomains: domains, Jobs: a.queueOptions(), Delivery: a.deliveryOptions(),
		HTTP: wiring.HTTP{Metrics: reg, MetricsElsewhere: a.cfg.MetricsAddr != "", CORSAllowedOrigins: a.cfg.CORSAllowedOrigins, TrustedProxies: a.cfg.TrustedProxies,
			PublicRateLimit: a.cfg.PublicRateLimit, Console: web.Console(a.cfg.Console)},
		Webhooks: hooks,
	})
	return err
}

// poolSize is the database connections one replica has.
func (a *app) poolSize() int {
	if a.cfg.Dialect == config.SQLite {
		return 1
	}
	return a.cfg.DatabaseMaxConns
}

// queueOptions sizes the job queue from the connection pool: email jobs
// mostly wait for a provider call they share, so there are many; bulk
// batches hold a connection for a whole transaction, so there are few.
func (a *app) queueOptions() jobs.Options {
	workers := a.cfg.JobWorkers
	if workers == 0 {
		workers = 10 * a.poolSize()
	}
	return jobs.Options{Workers: workers, BulkWorkers: max(1, a.poolSize()/10), Logger: a.log}
}

// deliveryOptions bound the provider calls: MAIL_BATCH_SIZE recipients
// unconfirmed at once, and a fifth of the pool's connections for their
// records.
func (a *app) deliveryOptions() people.DeliveryOptions {
	return people.DeliveryOptions{MaxUnconfirmed: a.cfg.MailBatchSize, MaxCalls: max(2, a.poolSize()/5),
		MinTimeLeft: mail.DefaultSendGridTimeout + 2*time.Second}
}

func newMailer(cfg config.Config, log *slog.Logger) (mail.Sender, error) {
	if !cfg.UsesSendGrid() {
		log.Warn("SENDGRID_API_KEY is not set: invitation emails are printed to this log, links included (development only)")
		return mail.NewLogSender(log), nil
	}
	sg, err := mail.NewSendGrid(mail.SendGridConfig{APIKey: cfg.SendGridAPIKey, BaseURL: cfg.SendGridAPIURL,
		From: mail.Address{Email: cfg.MailFrom.Address, Name: cfg.MailFrom.Name}, TemplateID: cfg.SendGridTemplateID})
	if err != nil {
		return nil, fmt.Errorf("SendGrid: %w", err)
	}
	return sg, nil
}

// newDomainChecker is the deliverability check of DNS_RESOLVER, or nil when it is off.
func newDomainChecker(cfg config.Config, log *slog.Logger) (people.DomainChecker, error) {
	servers := cfg.DNSServers
	switch cfg.DNSResolver {
	case config.DNSOff:
		log.Info("DNS_RESOLVER is off: new addresses are not checked for a mail server")
		return nil, nil
	case config.DNSSystem:
		var err error
		if servers, err = maildomain.SystemServers("/etc/resolv.conf"); err != nil {
			return nil, fmt.Errorf("DNS_RESOLVER=system: %w (set DNS_RESOLVER to resolver addresses, or off)", err)
		}
	}
	c, err := maildomain.New(maildomain.Config{Servers: servers})
	if err != nil {
		return nil, fmt.Errorf("DNS_RESOLVER: %w", err)
	}
	return c, nil
}

func (a *app) close() { _ = a.db.Close() }

// jwtSecret is JWT_SECRET, or on the embedded SQLite database a development
// secret kept beside the database file, created on first use.
func jwtSecret(cfg config.Config, log *slog.Logger) ([]byte, error) {
	if len(cfg.JWTSecret) > 0 || cfg.Dialect != config.SQLite {
		return cfg.JWTSecret, nil
	}
	path := cfg.SQLitePath + ".secret"
	if b, err := os.ReadFile(path); err == nil { //nolint:gosec // the path is derived from the operator's DATABASE_URL
		secret, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(secret) < 32 {
			return nil, fmt.Errorf("development secret %s is corrupt; delete it to make a new one", path)
		}
		return secret, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read development secret: %w", err)
	}
	secret := make([]byte, 48)
	_, _ = rand.Read(secret)
	if err := os.WriteFile(path, []byte(base64.RawURLEncoding.EncodeToString(secret)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write development secret: %w", err)
	}
	log.Warn("JWT_SECRET is not set: generated a development secret beside the SQLite database; set JWT_SECRET in production",
		"file", path)
	return secret, nil
}

package people

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/logging"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/metrics"
)

// Service carries out the product's use cases. Its methods take the acting
// user (when there is one) and enforce the rules; callers only translate.
type Service struct {
	store   Store
	hasher  *auth.Hasher
	tokens  *auth.Tokens
	signer  *auth.InviteSigner
	mailer  mail.Sender
	baseURL string
	now     func() time.Time
	log     *slog.Logger
	// refreshTTL is a session's absolute lifetime.
	refreshTTL time.Duration
	throttle   *throttle
	dispatch   *dispatcher
	domains    DomainChecker
	// domainHealth keeps recent tallies of recipient domains.
	domainHealth *domainHealthCache
	webhooks     WebhookDeps
	metrics      *metrics.Metrics
}

// Deps are the Service's collaborators.
type Deps struct {
	Store  Store
	Hasher *auth.Hasher
	Tokens *auth.Tokens
	Signer *auth.InviteSigner
	Mailer mail.Sender
	// AppBaseURL is the frontend; links are AppBaseURL/activate?token=….
	AppBaseURL string
	// RefreshTTL is a session's absolute lifetime; default DefaultRefreshTTL.
	RefreshTTL time.Duration
	// Now is the clock; default time.Now. Times are stored in UTC at
	// microsecond precision.
	Now    func() time.Time
	Logger *slog.Logger
	// Delivery tunes how emails are handed to the provider.
	Delivery DeliveryOptions
	// MailDomains checks the domains of new addresses; nil checks nothing.
	MailDomains DomainChecker
	// Webhooks are the outbound webhooks' collaborators; without Views no
	// event is recorded.
	Webhooks WebhookDeps
	// Metrics counts bulk job items and webhook attempts; nil counts nothing.
	Metrics *metrics.Metrics
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{hasher: d.Hasher, tokens: d.Tokens, signer: d.Signer, mailer: d.Mailer,
		baseURL: d.AppBaseURL, log: log, refreshTTL: d.RefreshTTL, domains: d.MailDomains, webhooks: d.Webhooks.withDefaults(),
		metrics: d.Metrics}
	s.store = eventingStore{Store: d.Store, s: s}
	if s.refreshTTL <= 0 {
		s.refreshTTL = DefaultRefreshTTL
	}
	s.now = func() time.Time { return now().UTC().Truncate(time.Microsecond) }
	s.throttle = newThrottle(s.now)
	s.dispatch = newDispatcher(s, d.Delivery)
	s.domainHealth = newDomainHealthCache(s.now)
	return s
}

// Now is the service's clock. Callers that show time-dependent state, such
// as whether an invite is live or expired, read it here so that what they
// show agrees with what the rules decide.
func (s *Service) Now() time.Time { return s.now() }

// InviteLink is the activation URL carrying token.
func (s *Service) InviteLink(token string) string {
	return s.baseURL + "/activate?token=" + url.QueryEscape(token)
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// RequestMeta describes the request an action came from, for the audit trail.
type RequestMeta struct {
	RequestID string
	ClientIP  string
}

type requestMetaKey struct{}

// WithRequestMeta returns a context carrying the request's id and client
// IP. The id also goes with the jobs the request queues (logging.RequestID).
func WithRequestMeta(ctx context.Context, m RequestMeta) context.Context {
	return context.WithValue(logging.WithRequestID(ctx, m.RequestID), requestMetaKey{}, m)
}

func requestMeta(ctx context.Context) RequestMeta {
	m, _ := ctx.Value(requestMetaKey{}).(RequestMeta)
	return m
}

// audit appends an event for the current request to the audit trail and
// names the webhook events the action causes: every change passes here.
func (s *Service) audit(ctx context.Context, org uuid.UUID, actor, target *uuid.UUID, action string, meta map[string]any) error {
	m := requestMeta(ctx)
	if meta == nil {
		meta = map[string]any{}
	}
	err := s.store.AddAuditEvent(ctx, &AuditEvent{
		ID: newID(), OrganizationID: org, ActorID: actor, TargetUserID: target, Action: action,
		RequestID: m.RequestID, ClientIP: m.ClientIP, Metadata: meta, CreatedAt: s.now(),
	})
	if err != nil {
		return err
	}
	return s.emitFor(ctx, org, target, action, meta)
}

package people

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/webhooks"
)

// EventType names what happened, as the type of a webhook.
type EventType string

// The events a webhook endpoint can subscribe to, and ping, which only the
// test of an endpoint sends.
const (
	EventUserCreated           EventType = "user.created"
	EventUserUpdated           EventType = "user.updated"
	EventUserConfirmed         EventType = "user.confirmed"
	EventUserDeactivated       EventType = "user.deactivated"
	EventUserReactivated       EventType = "user.reactivated"
	EventUserPasswordSet       EventType = "user.password_set"
	EventInviteSent            EventType = "invite.sent"
	EventInviteResent          EventType = "invite.resent"
	EventInviteRevoked         EventType = "invite.revoked"
	EventInviteAccepted        EventType = "invite.accepted"
	EventInviteExpired         EventType = "invite.expired"
	EventInviteReminded        EventType = "invite.reminded"
	EventInviteDeliveryUpdated EventType = "invite.delivery_updated"
	EventJobFinished           EventType = "job.finished"
	EventPing                  EventType = "ping"
)

// EventTypes lists the events endpoints subscribe to, in documentation order.
var EventTypes = []EventType{EventUserCreated, EventUserUpdated, EventUserConfirmed, EventUserDeactivated,
	EventUserReactivated, EventUserPasswordSet, EventInviteSent, EventInviteResent, EventInviteRevoked,
	EventInviteAccepted, EventInviteExpired, EventInviteReminded, EventInviteDeliveryUpdated, EventJobFinished}

// AllEvents subscribes an endpoint to every event type, present and future.
const AllEvents = "*"

// DisabledReason says why an endpoint stopped receiving webhooks.
type DisabledReason string

// Why endpoints are disabled.
const (
	// DisabledManual: an owner or admin disabled it.
	DisabledManual DisabledReason = "manual"
	// DisabledGone: it answered 410 Gone, asking for no more webhooks.
	DisabledGone DisabledReason = "gone"
	// DisabledFailing: every attempt failed for EndpointFailureLimit.
	DisabledFailing DisabledReason = "failing"
)

// Limits of webhook endpoints and their deliveries.
const (
	// MaxWebhookEndpoints bounds the endpoints of one organization.
	MaxWebhookEndpoints = 20
	// EndpointFailureLimit is how long an endpoint may fail every attempt
	// before it is disabled.
	EndpointFailureLimit = 72 * time.Hour
	// DeliveryRetryWindow is how long a delivery is retried after its
	// event before it is given up: the same three days, well over the
	// day receivers can count on.
	DeliveryRetryWindow = 72 * time.Hour
	// SecretOverlap is how long the previous secret still signs after a rotation.
	SecretOverlap = 24 * time.Hour
)

// WebhookEndpoint is where an organization receives its events.
type WebhookEndpoint struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	URL            string
	Description    string
	// Events are the subscribed types, or [AllEvents].
	Events         []string
	Enabled        bool
	DisabledReason DisabledReason
	DisabledDetail string
	DisabledAt     *time.Time
	// Secret and PreviousSecret are sealed by the service's SecretBox.
	Secret            string
	PreviousSecret    string
	PreviousExpiresAt *time.Time
	// FailingSince is the first failed attempt since the last success.
	FailingSince *time.Time
	CreatedBy    *uuid.UUID
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Wants reports whether the endpoint subscribes to events of type t.
func (e WebhookEndpoint) Wants(t EventType) bool {
	return slices.Contains(e.Events, AllEvents) || slices.Contains(e.Events, string(t))
}

// DeliveryStatus of a webhook: pending until it succeeds or is given up.
type WebhookDeliveryStatus string

// Webhook delivery statuses.
const (
	WebhookPending   WebhookDeliveryStatus = "pending"
	WebhookSucceeded WebhookDeliveryStatus = "succeeded"
	WebhookFailed    WebhookDeliveryStatus = "failed"
)

// WebhookDeliveryStatuses lists every status, for filters.
var WebhookDeliveryStatuses = []WebhookDeliveryStatus{WebhookPending, WebhookSucceeded, WebhookFailed}

// WebhookEvent is a recorded event: the body every subscribed endpoint receives.
type WebhookEvent struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	Type           EventType
	Payload        []byte
	CreatedAt      time.Time
}

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	EndpointID     uuid.UUID
	EventID        uuid.UUID
	EventType      EventType
	// OrderingKey is the user the event is about: an endpoint receives one
	// user's events in the order they happened. Nil needs no order.
	OrderingKey   *uuid.UUID
	Status        WebhookDeliveryStatus
	Attempts      int
	NextAttemptAt *time.Time
	LastAttemptAt *time.Time
	// LastStatus is the last answer's HTTP status; 0 when there was none.
	LastStatus  int
	LastError   string
	LastLatency time.Duration
	// ReplayOf is the delivery this one replays.
	ReplayOf   *uuid.UUID
	CreatedAt  time.Time
	FinishedAt *time.Time
	// Payload is the event's body, loaded for sending.
	Payload []byte
}

// WebhookQueue is what a look at an endpoint's queue found.
type WebhookQueue struct {
	// Due are the deliveries to send now, in order.
	Due []WebhookDelivery
	// Next is the earliest next attempt of a pending delivery that is
	// first in line for its user but not due yet; nil when there is none.
	// A delivery waiting behind an earlier one for its user cannot go
	// before that one's attempt, so it does not count. Next is complete
	// only when Due came back shorter than asked for: then the look saw
	// the whole queue.
	Next *time.Time
}

// WebhookAttempt is one try at a delivery.
type WebhookAttempt struct {
	DeliveryID uuid.UUID
	Number     int
	StartedAt  time.Time
	// StatusCode is the answer's status; 0 when there was none.
	StatusCode int
	Error      string
	Latency    time.Duration
	// ResponseBody is the start of the answer.
	ResponseBody string
}

// DeliveryFilter pages an endpoint's deliveries, newest first.
type DeliveryFilter struct {
	Status    WebhookDeliveryStatus
	EventType EventType
	Limit     int
	After     *timeCursor
}

// WebhookStore keeps endpoints, the event outbox and deliveries.
type WebhookStore interface {
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// UpdateWebhookEndpoint writes every column of e but its id,
	// organization, creator and creation time.
	UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// SetWebhookEndpointHealth writes only what deliveries learn about an
	// endpoint: failing_since and whether it is disabled, and why.
	SetWebhookEndpointHealth(ctx context.Context, e *WebhookEndpoint) error
	// WebhookEndpoint returns an endpoint of the organization.
	WebhookEndpoint(ctx context.Context, orgID, id uuid.UUID) (WebhookEndpoint, error)
	// LockWebhookEndpoint is WebhookEndpoint that also locks the row until
	// the transaction ends.
	LockWebhookEndpoint(ctx context.Context, orgID, id uuid.UUID) (WebhookEndpoint, error)
	// ListWebhookEndpoints returns the organization's endpoints, oldest first.
	ListWebhookEndpoints(ctx context.Context, orgID uuid.UUID) ([]WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, orgID, id uuid.UUID) error

	// AddWebhookEvents inserts events and their deliveries, deliveries in
	// the order given: that order is the order they go out in.
	AddWebhookEvents(ctx context.Context, events []WebhookEvent, deliveries []WebhookDelivery) error
	// EnqueueWebhookDeliveries queues, in the caller's transaction, a job
	// that delivers to each endpoint.
	EnqueueWebhookDeliveries(ctx context.Context, endpointIDs []uuid.UUID) error

	// AcquireWebhookLease makes token the endpoint's one deliverer until
	// the time, unless another holds an unexpired lease or the endpoint is
	// disabled or gone (ok false). It also renews a lease token holds.
	AcquireWebhookLease(ctx context.Context, endpointID uuid.UUID, token string, until, now time.Time) (WebhookEndpoint, bool, error)
	ReleaseWebhookLease(ctx context.Context, endpointID uuid.UUID, token string) error
	// DueWebhookDeliveries returns up to limit pending deliveries of the
	// endpoint that are due and first in line for their ordering key, in
	// order, with their payloads, and when the next of the others is due.
	DueWebhookDeliveries(ctx context.Context, endpointID uuid.UUID, now time.Time, limit int) (WebhookQueue, error)
	// RecordWebhookAttempts stores attempts and the deliveries as they
	// stand after them (status, counters, next attempt).
	RecordWebhookAttempts(ctx context.Context, attempts []WebhookAttempt, deliveries []WebhookDelivery) error
	// DeferWebhookDeliveries moves every pending delivery of the endpoint
	// due before the time to the time.
	DeferWebhookDeliveries(ctx context.Context, endpointID uuid.UUID, until time.Time) error
	// WebhookDelivery returns a delivery of the organization.
	WebhookDelivery(ctx context.Context, orgID, id uuid.UUID) (WebhookDelivery, error)
	ListWebhookDeliveries(ctx context.Context, orgID, endpointID uuid.UUID, f DeliveryFilter) ([]WebhookDelivery, error)
	// WebhookAttempts returns a delivery's attempts, oldest first.
	WebhookAttempts(ctx context.Context, deliveryID uuid.UUID) ([]WebhookAttempt, error)
	// EndpointsWithDueDeliveries lists enabled endpoints that have a
	// delivery due before the time.
	EndpointsWithDueDeliveries(ctx context.Context, before time.Time) ([]uuid.UUID, error)

	// ExpiredInvites returns up to limit invites that expired after the
	// sweep's mark and by now, in expiry order, locking the mark; the
	// caller moves it with MarkExpirySwept in the same transaction.
	ExpiredInvites(ctx context.Context, now time.Time, limit int) ([]Invite, error)
	MarkExpirySwept(ctx context.Context, last Invite) error
}

// WebhookSender sends one webhook; *webhooks.Client is the real one.
type WebhookSender interface {
	Send(ctx context.Context, url string, m webhooks.Message) webhooks.Result
}

// EventViews encodes what an event carries exactly as the API shows it:
// the HTTP API's User, Invite and Job views stay the one source of truth
// for that JSON, and a webhook's data is what a GET of the same record
// returns. The api package implements it.
type EventViews interface {
	AppendUser(b []byte, u User, now time.Time) []byte
	AppendInvite(b []byte, inv Invite, now time.Time) []byte
	AppendJob(b []byte, j Job) []byte
}

// Backoff is a retry schedule: the wait before retry number attempt (1-based).
type Backoff interface {
	Delay(attempt int) time.Duration
}

// WebhookDeps are the collaborators of outbound webhooks.
type WebhookDeps struct {
	Views   EventViews
	Secrets *webhooks.SecretBox
	Sender  WebhookSender
	Policy  webhooks.Policy
	// Backoff is the retry schedule (jobs.DefaultWebhookBackoff in production).
	Backoff Backoff
	// Parallel is how many requests go to one endpoint at once; default 16.
	Parallel int
	// Lease is how long a deliverer owns an endpoint without renewing;
	// default a minute.
	Lease time.Duration
}

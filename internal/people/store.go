package people

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store keeps the product's state. Every method is scoped by organization
// where the data belongs to one, returns apperr codes for expected
// failures (not_found, email_taken) and never (zero, nil) for a missing row.
//
// A transaction travels in the context: methods called with the ctx given to
// InTx's fn run inside that transaction, and InTx within InTx nests.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	CreateOrganization(ctx context.Context, org *Organization) error
	OrganizationByID(ctx context.Context, id uuid.UUID) (Organization, error)
	OrganizationBySlug(ctx context.Context, slug string) (Organization, error)
	// LockOrganization is OrganizationByID that also locks the row until
	// the transaction ends, serializing changes to its settings.
	LockOrganization(ctx context.Context, id uuid.UUID) (Organization, error)
	// UpdateOrganization writes the organization's settings and updated_at.
	UpdateOrganization(ctx context.Context, org *Organization) error

	// CreateUser inserts u; email_taken when the email is in use in its organization.
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser writes every column of u except id, organization and creation time.
	UpdateUser(ctx context.Context, u *User) error
	// User returns a user of the organization with its latest invite.
	User(ctx context.Context, orgID, id uuid.UUID) (User, error)
	// SignedInUser is User without the latest invite, for authorizing a
	// request: it runs on every one.
	SignedInUser(ctx context.Context, orgID, id uuid.UUID) (User, error)
	// SignedInActor is SignedInUser with the user's organization and
	// whether it has any webhook endpoint, read in the same statement.
	SignedInActor(ctx context.Context, orgID, id uuid.UUID) (SignedIn, error)
	// LockUser is User that also locks the row until the transaction ends,
	// serializing concurrent changes to one user (resends, password sets).
	LockUser(ctx context.Context, orgID, id uuid.UUID) (User, error)
	UserByEmail(ctx context.Context, orgID uuid.UUID, email string) (User, error)
	// ListUsers returns up to f.Limit users matching f, each with its latest invite.
	ListUsers(ctx context.Context, orgID uuid.UUID, f UserFilter) ([]User, error)
	// ListUsersAs is SignedInUser(orgID, actorID) and ListUsers(orgID, f)
	// in one round trip where the database allows: the page is read
	// before the caller has judged the actor, who must drop it unseen if
	// the actor may not list. A failed actor lookup is actorErr; err is the
	// page's.
	ListUsersAs(ctx context.Context, orgID, actorID uuid.UUID, f UserFilter) (actor User, actorErr error, users []User, err error)
	CountUsers(ctx context.Context, orgID uuid.UUID) (map[Status]int, error)

	// AddInvite makes inv its user's newest invitation: it revokes the
	// user's open invites as superseded at inv.CreatedAt (R3), inserts inv
	// numbered one after the user's highest sequence (setting
	// inv.Sequence), points the user's latest_invite_id and
	// last_invited_at at it, and returns how many invites it revoked. The
	// user must be locked.
	AddInvite(ctx context.Context, inv *Invite) (revoked int, err error)
	// RevokeOpenInvites revokes every invite of the user that is neither
	// revoked nor accepted, and returns how many it revoked.
	RevokeOpenInvites(ctx context.Context, userID uuid.UUID, reason RevokeReason, at time.Time) (int, error)
	// Invite finds an invite by id in any organization: activation links
	// arrive without one.
	Invite(ctx context.Context, id uuid.UUID) (Invite, error)
	MarkInviteAccepted(ctx context.Context, id uuid.UUID, at time.Time) error
	// UserInvites returns the user's invites, newest first.
	UserInvites(ctx context.Context, orgID, userID uuid.UUID) ([]Invite, error)
	// RecordSendAttempt stores the provider's answer to one attempt to hand
	// an invite's email to it.
	RecordSendAttempt(ctx context.Context, inviteID uuid.UUID, a SendAttempt) error
	// ApplyDeliveryEvent records a provider event once (by its id) and
	// applies it to the invite unless a newer event already did; it
	// returns the invite it changed, nil when it changed none.
	ApplyDeliveryEvent(ctx context.Context, e DeliveryEvent) (changed *Invite, err error)

	// EnqueueInviteEmail queues the email of inv in the caller's transaction,
	// so the job exists exactly when the invite does.
	EnqueueInviteEmail(ctx context.Context, inv Invite) error

	// DomainTallies counts the organization's invitations mailed since a
	// time per recipient domain and delivery status; only those to domain
	// when it is not empty.
	DomainTallies(ctx context.Context, orgID uuid.UUID, since time.Time, domain string) ([]DomainTally, error)
	// DomainsWithoutMailServer is the set of domains of the organization's
	// addresses that carry WarningNoMailServer.
	DomainsWithoutMailServer(ctx context.Context, orgID uuid.UUID) (map[string]bool, error)

	// Funnel counts the people first invited in the query's period, per
	// group and in total (the row marked Total).
	Funnel(ctx context.Context, orgID uuid.UUID, q FunnelQuery) ([]FunnelRow, error)

	AddAuditEvent(ctx context.Context, e *AuditEvent) error
	ListAuditEvents(ctx context.Context, orgID uuid.UUID, f AuditFilter) ([]AuditEvent, error)

	BulkStore
	ReminderStore
	WebhookStore
	SessionStore
	IdempotencyStore
}

// BulkStore keeps bulk jobs and the batch reads and writes they need.
type BulkStore interface {
	// UsersByID returns the organization's users among ids, each with its
	// latest invite; ids of no user of the organization are left out.
	UsersByID(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]User, error)
	// LockUsers is UsersByID that also locks the rows, in id order so that
	// two batches over overlapping users cannot deadlock.
	LockUsers(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]User, error)
	// CountUsersByRole counts the users matching f per role.
	CountUsersByRole(ctx context.Context, orgID uuid.UUID, f UserFilter) (map[Role]int, error)
	// UserStatusesByEmail maps the normalized emails among emails that
	// belong to a user of the organization to that user's status.
	UserStatusesByEmail(ctx context.Context, orgID uuid.UUID, emails []string) (map[string]Status, error)
	// InvitesByID returns the invites among ids, in any organization.
	InvitesByID(ctx context.Context, ids []uuid.UUID) ([]Invite, error)
	// DeliveryRecipients returns the users of the invites among ids, in any
	// organization, each with their latest invite (User.Invite): an invite
	// of ids that is no user's latest is in none of them.
	DeliveryRecipients(ctx context.Context, inviteIDs []uuid.UUID) ([]User, error)
	// StartSendAttempts records, before a provider call, that the invites'
	// emails are being handed to the provider: they count one more attempt
	// and show sending until RecordSendAttempts stores the answer. It must
	// be committed before the call, so that a crash during the call leaves
	// the attempt on record.
	StartSendAttempts(ctx context.Context, inviteIDs []uuid.UUID, at time.Time) error
	// RecordSendAttempts is RecordSendAttempt for every invite of one
	// provider call: they share its outcome and message id.
	RecordSendAttempts(ctx context.Context, inviteIDs []uuid.UUID, a SendAttempt) error

	CreateJob(ctx context.Context, j *Job) error
	// UpdateJob writes the job's state, counters and timestamps.
	UpdateJob(ctx context.Context, j *Job) error
	// Job returns a job of the organization.
	Job(ctx context.Context, orgID, id uuid.UUID) (Job, error)
	// LockJob returns a job of any organization and locks it until the
	// transaction ends: batches of one job, and its cancellation, run one
	// at a time.
	LockJob(ctx context.Context, id uuid.UUID) (Job, error)
	ListJobs(ctx context.Context, orgID uuid.UUID, f JobFilter) ([]Job, error)
	// AddJobItems inserts items with multi-row inserts.
	AddJobItems(ctx context.Context, items []JobItem) error
	// AddUserItems inserts one pending item per user matching f, oldest
	// user first, at positions 1…n, and returns n. The selection happens
	// inside the database: it costs no memory per user.
	AddUserItems(ctx context.Context, j Job, f UserFilter) (int, error)
	// JobItems pages a job's items in position order.
	JobItems(ctx context.Context, jobID uuid.UUID, f ItemFilter) ([]JobItem, error)
	// UpdateJobItems writes the outcome of processed items.
	UpdateJobItems(ctx context.Context, items []JobItem) error
	// FinishPendingItems gives every pending item of the job the outcome
	// and code, and returns how many it changed.
	FinishPendingItems(ctx context.Context, jobID uuid.UUID, o ItemOutcome, code, message string, at time.Time) (int, error)

	// EnqueueInviteBatch queues one email job for invites created in the
	// caller's transaction.
	EnqueueInviteBatch(ctx context.Context, inviteIDs []uuid.UUID) error
	// EnqueueJobBatch queues the next batch of a bulk job in the caller's transaction.
	EnqueueJobBatch(ctx context.Context, jobID uuid.UUID) error
}

// SendAttempt is the outcome of one try at handing an email to the provider.
type SendAttempt struct {
	At time.Time
	// Sent is true when the provider accepted the message.
	Sent      bool
	MessageID string
	// Failed is true when the provider refused it for good.
	Failed bool
	Reason string
}

// DeliveryEvent is a provider's report about a message.
type DeliveryEvent struct {
	EventID        string
	InviteID       *uuid.UUID
	OrganizationID *uuid.UUID
	MessageID      string
	// Email is the recipient's address as the provider reports it; it
	// tells apart the recipients of a batch that share one message id.
	Email string
	Event string
	// Status is empty for events that don't change the delivery status.
	Status     DeliveryStatus
	Reason     string
	OccurredAt time.Time
	ReceivedAt time.Time
}

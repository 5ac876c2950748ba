// Package people is the product: organizations, their users and the
// invitations that turn an invited user into an active one, with the rules
// of the product design (R1–R13). It knows nothing of HTTP or SQL; storage
// and delivery come in through the interfaces declared here.
package people

import (
	"cmp"
	"time"

	"github.com/google/uuid"
)

// Status is where a user is on the way from invited to active.
type Status string

// User statuses.
const (
	InvitePending Status = "invite_pending"
	Confirmed     Status = "confirmed"
	Deactivated   Status = "deactivated"
)

// Statuses lists every status in display order.
var Statuses = []Status{InvitePending, Confirmed, Deactivated}

// Role is a user's role in their organization.
type Role string

// Roles, highest rank first.
const (
	Owner   Role = "owner"
	Admin   Role = "admin"
	HR      Role = "hr"
	Curator Role = "curator"
	Learner Role = "learner"
)

// Roles lists every role, highest rank first.
var Roles = []Role{Owner, Admin, HR, Curator, Learner}

// Rank orders roles: owner 4 > admin 3 > hr 2 > curator 1 > learner 0.
func (r Role) Rank() int {
	switch r {
	case Owner:
		return 4
	case Admin:
		return 3
	case HR:
		return 2
	case Curator:
		return 1
	default:
		return 0
	}
}

// Permission is an extra right granted to a user beyond their role.
type Permission string

// PermissionPeople lets a curator manage people.
const PermissionPeople Permission = "people"

// Permissions lists every permission.
var Permissions = []Permission{PermissionPeople}

// Organization is a tenant.
type Organization struct {
	ID        uuid.UUID
	Slug      string
	Name      string
	InviteTTL time.Duration
	// DefaultLocale is the language (BCP 47) of users created without
	// one, and the fallback of users whose language has no email templates.
	DefaultLocale string
	// TimeZone is the IANA time zone in which emails show dates.
	TimeZone string
	// Reminders is the policy of automatic reminders.
	Reminders ReminderPolicy
	CreatedAt time.Time
	UpdatedAt time.Time
}

// timeZone is the organization's IANA time zone, UTC when unset.
func (o Organization) timeZone() string { return cmp.Or(o.TimeZone, "UTC") }

// User is a person of an organization.
type User struct {
	ID                 uuid.UUID
	OrganizationID     uuid.UUID
	Email              string
	FirstName          string
	LastName           string
	Role               Role
	Permissions        []Permission
	Status             Status
	PasswordHash       string
	MustChangePassword bool
	// EmailSuggestion is a likely correction of a mistyped email domain.
	EmailSuggestion string
	// EmailWarnings are the EmailWarnings codes found when the address was
	// given; empty when none was found or the check could not tell.
	EmailWarnings []string
	// Locale is the user's language (BCP 47), the language of their emails.
	Locale         string
	LatestInviteID *uuid.UUID
	LastInvitedAt  *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ConfirmedAt    *time.Time
	DeactivatedAt  *time.Time
	// Reminders is the user's place in their series of automatic reminders.
	Reminders ReminderSchedule

	// Invite is the latest invitation, when loaded.
	Invite *Invite
}

// Has reports whether the user holds permission p.
func (u User) Has(p Permission) bool {
	for _, q := range u.Permissions {
		if q == p {
			return true
		}
	}
	return false
}

// FullName is the user's name for greetings, possibly empty.
func (u User) FullName() string {
	switch {
	case u.FirstName == "":
		return u.LastName
	case u.LastName == "":
		return u.FirstName
	default:
		return u.FirstName + " " + u.LastName
	}
}

// DisplayName is the user's full name, or their email when they have no name.
func (u User) DisplayName() string {
	if n := u.FullName(); n != "" {
		return n
	}
	return u.Email
}

// RevokeReason says why an invitation stopped working before it was used.
type RevokeReason string

// Revoke reasons.
const (
	RevokedSuperseded   RevokeReason = "superseded"
	RevokedPasswordSet  RevokeReason = "password_set"
	RevokedEmailChanged RevokeReason = "email_changed"
	RevokedDeactivated  RevokeReason = "deactivated"
	// RevokedByManager: a people manager revoked the invitation itself,
	// without deactivating the person.
	RevokedByManager RevokeReason = "revoked"
)

// RevokeReasons lists every revoke reason.
var RevokeReasons = []RevokeReason{RevokedSuperseded, RevokedPasswordSet, RevokedEmailChanged, RevokedDeactivated, RevokedByManager}

// InviteState is an invitation's state as seen now.
type InviteState string

// Invite states.
const (
	InviteLive     InviteState = "live"
	InviteExpired  InviteState = "expired"
	InviteRevoked  InviteState = "revoked"
	InviteAccepted InviteState = "accepted"
)

// DeliveryStatus is what became of an invitation's email.
type DeliveryStatus string

// Delivery statuses: queued until a worker hands it to the provider,
// sending while the provider's answer is awaited (and after a crash until
// another worker takes the email over), sent once the provider accepted
// it, then whatever the provider's events report.
const (
	DeliveryQueued     DeliveryStatus = "queued"
	DeliverySending    DeliveryStatus = "sending"
	DeliverySent       DeliveryStatus = "sent"
	DeliveryDelivered  DeliveryStatus = "delivered"
	DeliveryDeferred   DeliveryStatus = "deferred"
	DeliveryBounced    DeliveryStatus = "bounced"
	DeliveryBlocked    DeliveryStatus = "blocked"
	DeliveryDropped    DeliveryStatus = "dropped"
	DeliverySpamReport DeliveryStatus = "spam_report"
	DeliveryFailed     DeliveryStatus = "failed"
	// DeliveryByHand: no email; a people manager took the link to hand it
	// over themselves (invite-link).
	DeliveryByHand DeliveryStatus = "by_hand"
)

// DeliveryStatuses lists every delivery status.
var DeliveryStatuses = []DeliveryStatus{DeliveryQueued, DeliverySending, DeliverySent, DeliveryDelivered, DeliveryDeferred,
	DeliveryBounced, DeliveryBlocked, DeliveryDropped, DeliverySpamReport, DeliveryFailed, DeliveryByHand}

// Invite is one activation link sent to one user.
type Invite struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	UserID         uuid.UUID
	CreatedBy      *uuid.UUID
	// CreatedByName is the name of the people manager who sent it (their
	// email when they have no name), when loaded with its user.
	CreatedByName string
	// Sequence counts the user's invitations: 1 for the first, 2 after one resend…
	Sequence     int
	KeyID        string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	RevokedAt    *time.Time
	RevokeReason RevokeReason
	AcceptedAt   *time.Time
	Delivery     Delivery
	// RecipientDomain is the domain of the address it was mailed to.
	RecipientDomain string
	// LastEmailedAt is when its email was last queued.
	LastEmailedAt time.Time
	// JobID is the bulk job that created it, if one did.
	JobID *uuid.UUID
}

// Delivery is the email provider's view of an invitation's message.
type Delivery struct {
	Status    DeliveryStatus
	Reason    string
	UpdatedAt time.Time
	// EventAt is the provider's time of the event that set Status; a
	// webhook event older than it never overwrites it.
	EventAt   *time.Time
	MessageID string
	SentAt    *time.Time
	Attempts  int
}

// State tells whether the invitation works now, and if not, why.
func (i Invite) State(now time.Time) InviteState {
	switch {
	case i.AcceptedAt != nil:
		return InviteAccepted
	case i.RevokedAt != nil:
		return InviteRevoked
	case !now.Before(i.ExpiresAt):
		return InviteExpired
	default:
		return InviteLive
	}
}

// AuditEvent is an append-only record of a state change.
type AuditEvent struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	ActorID        *uuid.UUID
	TargetUserID   *uuid.UUID
	Action         string
	RequestID      string
	ClientIP       string
	Metadata       map[string]any
	CreatedAt      time.Time
}

// Audit actions.
const (
	ActionUserCreated      = "user.created"
	ActionUserUpdated      = "user.updated"
	ActionInviteSent       = "invite.sent"
	ActionInviteResent     = "invite.resent"
	ActionInviteRenewed    = "invite.renewed"
	ActionInviteAccepted   = "invite.accepted"
	ActionInviteRevoked    = "invite.revoked"
	ActionInviteExpired    = "invite.expired"
	ActionPasswordSet      = "user.password_set"
	ActionPasswordChanged  = "user.password_changed"
	ActionEmailChanged     = "user.email_changed"
	ActionRoleChanged      = "user.role_changed"
	ActionUserDeactivated  = "user.deactivated"
	ActionUserReactivated  = "user.reactivated"
	ActionInviteLinkIssued = "invite.link_issued"
	// ActionInviteReminded is an automatic reminder: the current link
	// mailed again, or a fresh invitation in its place.
	ActionInviteReminded      = "invite.reminded"
	ActionOrganizationCreated = "organization.created"
	ActionOrganizationUpdated = "organization.updated"
	ActionBulkResendStarted   = "bulk.resend_started"
	ActionImportStarted       = "import.started"
	ActionJobCancelled        = "job.cancelled"
	// ActionRefreshReuseDetected records a used refresh token presented
	// again: its session was ended.
	ActionRefreshReuseDetected = "auth.refresh_reuse_detected"
	ActionEndpointCreated      = "webhook_endpoint.created"
	ActionEndpointUpdated      = "webhook_endpoint.updated"
	ActionEndpointDeleted      = "webhook_endpoint.deleted"
)

// AuditActions lists the actions GET /audit-events can filter on.
var AuditActions = []string{ActionUserCreated, ActionUserUpdated, ActionInviteSent, ActionInviteResent,
	ActionInviteRenewed, ActionInviteAccepted, ActionInviteRevoked, ActionInviteExpired, ActionInviteLinkIssued, ActionInviteReminded, ActionPasswordSet,
	ActionPasswordChanged, ActionEmailChanged, ActionRoleChanged, ActionUserDeactivated, ActionUserReactivated,
	ActionOrganizationCreated, ActionOrganizationUpdated, ActionBulkResendStarted, ActionImportStarted, ActionJobCancelled,
	ActionRefreshReuseDetected, ActionEndpointCreated, ActionEndpointUpdated, ActionEndpointDeleted}

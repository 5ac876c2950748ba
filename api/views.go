package api

import (
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/people"
)

// User is a person of the organization as the management screens show them.
type User struct {
	ID          uuid.UUID `json:"id" format:"uuid" example:"01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b"`
	Email       string    `json:"email" format:"email" example:"ada.lovelace@gmial.com"`
	FirstName   string    `json:"first_name" example:"Ada"`
	LastName    string    `json:"last_name" example:"Lovelace"`
	Role        string    `json:"role" enums:"owner,admin,hr,curator,learner" example:"learner"`
	Permissions []string  `json:"permissions" enums:"people"`
	Status      string    `json:"status" enums:"invite_pending,confirmed,deactivated" example:"invite_pending"`
	// Locale is the user's language (BCP 47), the language of their invitation emails.
	Locale string `json:"locale" example:"de"`
	// MustChangePassword is true after an administrator set a temporary password.
	MustChangePassword bool       `json:"must_change_password" example:"false"`
	CreatedAt          time.Time  `json:"created_at" format:"date-time" example:"2026-11-20T09:30:00Z"`
	UpdatedAt          time.Time  `json:"updated_at" format:"date-time" example:"2026-11-24T16:05:12Z"`
	ConfirmedAt        *time.Time `json:"confirmed_at" format:"date-time" extensions:"x-nullable"`
	DeactivatedAt      *time.Time `json:"deactivated_at" format:"date-time" extensions:"x-nullable"`
	// EmailSuggestion is a likely correction when the email's domain looks mistyped.
	EmailSuggestion string `json:"email_suggestion,omitempty" format:"email" example:"ada.lovelace@gmail.com"`
	// InvitedBy is the people manager who sent the latest invitation; null
	// when the user was never invited, or the latest invitation was a
	// renewal the user asked for or came from an operator's tool.
	InvitedBy *Inviter `json:"invited_by" extensions:"x-nullable"`
	// EmailWarnings are what the deliverability check found when the address was given: domain_has_no_mail_server when its domain has no MX record and no address (RFC 5321), or does not exist. Advice only: the address is kept, and invitations are sent.
	EmailWarnings []string `json:"email_warnings" enums:"domain_has_no_mail_server"`
	// DomainHealth names the verdict on the domain of the user's address when it is not healthy (see GET /delivery/domains). Only GET /users/{id} tells it; listings leave it out, and mark their rows from GET /delivery/domains instead.
	DomainHealth *UserDomainHealth `json:"domain_health,omitempty"`
	// Invite is the latest invitation, or null if the user was never invited.
	Invite *Invite `json:"invite" extensions:"x-nullable"`
	// RemindersSent counts the automatic reminders sent since the last invitation a person sent (see GET /organization/reminders).
	RemindersSent int `json:"reminders_sent" example:"1"`
	// NextReminderAt is when the next automatic reminder is due; null when none is.
	NextReminderAt *time.Time `json:"next_reminder_at" format:"date-time" extensions:"x-nullable" example:"2026-11-27T16:05:12Z"`
	// RemindersStopped names the delivery outcome that stopped the reminders (the policy's skip_when_undeliverable); absent when none did. A resend starts them again.
	RemindersStopped string `json:"reminders_stopped,omitempty" enums:"bounced,blocked,dropped,spam_report" example:"bounced"`
}

// Inviter names the people manager who sent an invitation.
type Inviter struct {
	ID uuid.UUID `json:"id" format:"uuid" example:"01a21560-7b2c-7d3e-8f40-5a6b7c8d9e0f"`
	// Name is the inviter's full name, or their email when they have no name.
	Name string `json:"name" example:"Ada Lovelace"`
}

// Invite is one activation link sent to a user.
type Invite struct {
	ID uuid.UUID `json:"id" format:"uuid" example:"01a21568-0f1e-7a2b-8c3d-4e5f6a7b8c9d"`
	// SentCount is how many invitations the user has been sent, this one included.
	SentCount int `json:"sent_count" example:"2"`
	// CreatedBy is the administrator who sent it; null for renewals and operator tools.
	CreatedBy *uuid.UUID `json:"created_by" format:"uuid" extensions:"x-nullable" example:"01a21560-7b2c-7d3e-8f40-5a6b7c8d9e0f"`
	CreatedAt time.Time  `json:"created_at" format:"date-time" example:"2026-11-24T16:05:12Z"`
	// LastSentAt is when the email provider accepted the message; null while queued.
	LastSentAt *time.Time `json:"last_sent_at" format:"date-time" extensions:"x-nullable" example:"2026-11-24T16:05:13Z"`
	ExpiresAt  time.Time  `json:"expires_at" format:"date-time" example:"2026-12-01T16:05:12Z"`
	// State says whether the link works now.
	State     string     `json:"state" enums:"live,expired,revoked,accepted" example:"live"`
	RevokedAt *time.Time `json:"revoked_at" format:"date-time" extensions:"x-nullable"`
	// RevokeReason says why a revoked link stopped working: a newer
	// invitation, a password set by an administrator, an email change, a
	// deactivation, or revoked by a people manager (revoke-invite).
	RevokeReason string     `json:"revoke_reason,omitempty" enums:"superseded,password_set,email_changed,deactivated,revoked"`
	AcceptedAt   *time.Time `json:"accepted_at" format:"date-time" extensions:"x-nullable"`
	Delivery     Delivery   `json:"delivery"`
}

// Delivery is what became of an invitation's email, as the provider reports it.
type Delivery struct {
	// Status is queued until a worker hands the email to the provider,
	// sending while the provider's answer is awaited (and, after a crash,
	// until another worker takes the email over: the provider may have it
	// already), sent once the provider accepted it, then what its events
	// report; by_hand when no email was meant to go.
	Status string `json:"status" enums:"queued,sending,sent,delivered,deferred,bounced,blocked,dropped,spam_report,failed,by_hand" example:"bounced"`
	// Reason is the provider's explanation of a bounce, block, drop, deferral or failure.
	Reason    string    `json:"reason,omitempty" example:"550 5.1.1 The email account that you tried to reach does not exist"`
	UpdatedAt time.Time `json:"updated_at" format:"date-time" example:"2026-11-24T16:05:14Z"`
	// Attempts counts the tries at handing the message to the provider.
	Attempts int `json:"attempts" example:"1"`
}

func userView(u people.User, now time.Time) User {
	var v User
	var inv *Invite
	var by *Inviter
	if u.Invite != nil {
		inv, by = new(Invite), new(Inviter)
	}
	fillUserView(&v, inv, by, u, now)
	return v
}

// fillUserView sets v to the view of u, with its invitation in inv and
// their inviter in by (unused without an invitation), overwriting what
// they held: a page reuses one of each for all its rows (userPage).
func fillUserView(v *User, inv *Invite, by *Inviter, u people.User, now time.Time) {
	perms := v.Permissions[:0]
	if perms == nil {
		perms = []string{}
	}
	for _, p := range u.Permissions {
		perms = append(perms, string(p))
	}
	*v = User{
		ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Role: string(u.Role),
		Permissions: perms, Status: string(u.Status), Locale: u.Locale, MustChangePassword: u.MustChangePassword,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), ConfirmedAt: utc(u.ConfirmedAt),
		DeactivatedAt: utc(u.DeactivatedAt), EmailSuggestion: u.EmailSuggestion, EmailWarnings: []string{},
		RemindersSent: u.Reminders.Sent, NextReminderAt: utc(u.Reminders.NextAt), RemindersStopped: string(u.Reminders.Stopped),
	}
	if len(u.EmailWarnings) > 0 {
		v.EmailWarnings = u.EmailWarnings
	}
	if u.Invite != nil {
		*inv = inviteView(*u.Invite, now)
		v.Invite = inv
		if id := u.Invite.CreatedBy; id != nil && u.Invite.CreatedByName != "" {
			*by = Inviter{ID: *id, Name: u.Invite.CreatedByName}
			v.InvitedBy = by
		}
	}
}

func inviteView(i people.Invite, now time.Time) Invite {
	return Invite{
		ID: i.ID, SentCount: i.Sequence, CreatedBy: i.CreatedBy, CreatedAt: i.CreatedAt.UTC(),
		LastSentAt: utc(i.Delivery.SentAt), ExpiresAt: i.ExpiresAt.UTC(), State: string(i.State(now)),
		RevokedAt: utc(i.RevokedAt), RevokeReason: string(i.RevokeReason), AcceptedAt: utc(i.AcceptedAt),
		Delivery: Delivery{Status: string(i.Delivery.Status), Reason: i.Delivery.Reason,
			UpdatedAt: i.Delivery.UpdatedAt.UTC(), Attempts: i.Delivery.Attempts},
	}
}

// utc is t in UTC; the store's times already are, and are shared as they are.
func utc(t *time.Time) *time.Time {
	if t == nil || t.Location() == time.UTC {
		return t
	}
	u := t.UTC()
	return &u
}

// UserList is a page of users.
type UserList struct {
	Data []User `json:"data"`
	// NextCursor continues the listing; null on the last page.
	NextCursor *string `json:"next_cursor" extensions:"x-nullable" example:"eyJjIjoiMjAyNi0xMS0yMFQwOTozMDowMFoiLCJpIjoiMDE5M2I0YTIifQ"`
	HasMore    bool    `json:"has_more" example:"true"`
}

// InviteList is a user's invitation history, newest first. It has the
// envelope of every list, so clients page all lists alike; the whole
// history is one page, so next_cursor is always null and has_more false.
type InviteList struct {
	Data       []Invite `json:"data"`
	NextCursor *string  `json:"next_cursor" extensions:"x-nullable"`
	HasMore    bool     `json:"has_more" example:"false"`
}

// UserCounts counts the organization's users per status, for filter tabs.
type UserCounts struct {
	InvitePending int `json:"invite_pending" example:"42"`
	Confirmed     int `json:"confirmed" example:"310"`
	Deactivated   int `json:"deactivated" example:"7"`
}

// Warning is advice that comes with a successful action.
type Warning struct {
	Code    string `json:"code" enums:"previous_delivery_bounced,previous_delivery_dropped,previous_delivery_blocked,previous_delivery_spam_report,previous_delivery_failed,email_suggestion,domain_blocking,domain_invalid,domain_degraded" example:"previous_delivery_bounced"`
	Message string `json:"message" example:"The previous invitation to ada.lovelace@gmial.com was bounced (550 5.1.1 The email account that you tried to reach does not exist). Check the address for typos, or set a password for the user instead."`
}

// ResendResult is the invitation a resend created, with advice.
type ResendResult struct {
	Invite   Invite    `json:"invite"`
	Warnings []Warning `json:"warnings"`
}

// SetPasswordResult is the user after a password was set.
type SetPasswordResult struct {
	User User `json:"user"`
	// Password is present only when the service generated it; it is shown this once.
	Password string `json:"password,omitempty" example:"vK7#qm2Rx9-Lp4tW8zNe"`
}

// AuditEvent is one entry of the audit trail.
type AuditEvent struct {
	ID           uuid.UUID      `json:"id" format:"uuid" example:"01a21568-2a1b-7c3d-8e4f-5a6b7c8d9e0f"`
	Action       string         `json:"action" enums:"user.created,user.updated,invite.sent,invite.resent,invite.renewed,invite.accepted,invite.revoked,invite.expired,invite.link_issued,invite.reminded,user.password_set,user.password_changed,user.email_changed,user.role_changed,user.deactivated,user.reactivated,organization.created,organization.updated,bulk.resend_started,import.started,job.cancelled,auth.refresh_reuse_detected,webhook_endpoint.created,webhook_endpoint.updated,webhook_endpoint.deleted" example:"invite.resent"`
	ActorID      *uuid.UUID     `json:"actor_id" format:"uuid" extensions:"x-nullable" example:"01a21560-7b2c-7d3e-8f40-5a6b7c8d9e0f"`
	TargetUserID *uuid.UUID     `json:"target_user_id" format:"uuid" extensions:"x-nullable" example:"01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b"`
	RequestID    string         `json:"request_id" example:"01a21568-2a1b-7c3d-8e4f-000000000001"`
	ClientIP     string         `json:"client_ip" example:"203.0.113.7"`
	Metadata     map[string]any `json:"metadata"`
	CreatedAt    time.Time      `json:"created_at" format:"date-time" example:"2026-11-24T16:05:12Z"`
}

// AuditEventList is a page of audit events, newest first.
type AuditEventList struct {
	Data       []AuditEvent `json:"data"`
	NextCursor *string      `json:"next_cursor" extensions:"x-nullable"`
	HasMore    bool         `json:"has_more" example:"false"`
}

func auditView(e people.AuditEvent) AuditEvent {
	meta := e.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	return AuditEvent{ID: e.ID, Action: e.Action, ActorID: e.ActorID, TargetUserID: e.TargetUserID,
		RequestID: e.RequestID, ClientIP: e.ClientIP, Metadata: meta, CreatedAt: e.CreatedAt.UTC()}
}

func cursorPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

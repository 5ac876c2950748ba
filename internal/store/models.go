package store

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/people"
)

// The row types mirror the tables of the migrations. Timestamps are set by
// the service's clock, never by GORM.

type organizationRow struct {
	ID               uuid.UUID `gorm:"primaryKey"`
	Slug             string
	Name             string
	InviteTTLSeconds int
	DefaultLocale    string
	TimeZone         string
	ReminderPolicy   string
	CreatedAt        time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt        time.Time `gorm:"autoUpdateTime:false"`
}

func (organizationRow) TableName() string { return "organizations" }

func (r organizationRow) domain() people.Organization {
	return people.Organization{ID: r.ID, Slug: r.Slug, Name: r.Name,
		InviteTTL: time.Duration(r.InviteTTLSeconds) * time.Second, DefaultLocale: r.DefaultLocale, TimeZone: r.TimeZone,
		Reminders: decodePolicy(r.ReminderPolicy), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func organizationRowOf(org *people.Organization) organizationRow {
	return organizationRow{ID: org.ID, Slug: org.Slug, Name: org.Name, InviteTTLSeconds: int(org.InviteTTL.Seconds()),
		DefaultLocale: org.DefaultLocale, TimeZone: org.TimeZone, ReminderPolicy: encodePolicy(org.Reminders),
		CreatedAt: org.CreatedAt, UpdatedAt: org.UpdatedAt}
}

type userRow struct {
	ID                 uuid.UUID `gorm:"primaryKey"`
	OrganizationID     uuid.UUID
	Email              string
	FirstName          string
	LastName           string
	Role               string
	Permissions        string
	Status             string
	PasswordHash       *string
	MustChangePassword bool
	EmailSuggestion    *string
	LatestInviteID     *uuid.UUID
	LastInvitedAt      *time.Time
	CreatedAt          time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt          time.Time `gorm:"autoUpdateTime:false"`
	ConfirmedAt        *time.Time
	DeactivatedAt      *time.Time
	Locale             string
	EmailWarnings      string
	RemindersSent      int
	ReminderAnchorAt   *time.Time
	LastRemindedAt     *time.Time
	NextReminderAt     *time.Time
	RemindersStopped   string
}

func (userRow) TableName() string { return "users" }

func userRowOf(u *people.User) userRow {
	return userRow{
		ID: u.ID, OrganizationID: u.OrganizationID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Role: string(u.Role), Permissions: joinPermissions(u.Permissions), Status: string(u.Status),
		PasswordHash: nonEmpty(u.PasswordHash), MustChangePassword: u.MustChangePassword,
		EmailSuggestion: nonEmpty(u.EmailSuggestion), LatestInviteID: u.LatestInviteID, LastInvitedAt: u.LastInvitedAt,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, ConfirmedAt: u.ConfirmedAt, DeactivatedAt: u.DeactivatedAt,
		Locale:        u.Locale,
		EmailWarnings: strings.Join(u.EmailWarnings, ","),
		RemindersSent: u.Reminders.Sent, ReminderAnchorAt: u.Reminders.AnchorAt, LastRemindedAt: u.Reminders.LastAt,
		NextReminderAt: u.Reminders.NextAt, RemindersStopped: string(u.Reminders.Stopped),
	}
}

type inviteRow struct {
	ID                uuid.UUID `gorm:"primaryKey"`
	OrganizationID    uuid.UUID
	UserID            uuid.UUID
	CreatedBy         *uuid.UUID
	Sequence          int
	KeyID             string
	CreatedAt         time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt         time.Time
	RevokedAt         *time.Time
	RevokeReason      *string
	AcceptedAt        *time.Time
	DeliveryStatus    string
	DeliveryReason    *string
	DeliveryUpdatedAt time.Time
	DeliveryEventAt   *time.Time
	ProviderMessageID *string
	SentAt            *time.Time
	SendAttempts      int
	RecipientDomain   string
	LastEmailedAt     time.Time
	JobID             *uuid.UUID
}

func (inviteRow) TableName() string { return "invites" }

func inviteRowOf(i *people.Invite) inviteRow {
	var reason *string
	if i.RevokeReason != "" {
		reason = new(string(i.RevokeReason))
	}
	return inviteRow{
		ID: i.ID, OrganizationID: i.OrganizationID, UserID: i.UserID, CreatedBy: i.CreatedBy, Sequence: i.Sequence,
		KeyID: i.KeyID, CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt, RevokedAt: i.RevokedAt, RevokeReason: reason,
		AcceptedAt: i.AcceptedAt, DeliveryStatus: string(i.Delivery.Status), DeliveryReason: nonEmpty(i.Delivery.Reason),
		DeliveryUpdatedAt: i.Delivery.UpdatedAt, DeliveryEventAt: i.Delivery.EventAt,
		ProviderMessageID: nonEmpty(i.Delivery.MessageID), SentAt: i.Delivery.SentAt, SendAttempts: i.Delivery.Attempts,
		RecipientDomain: i.RecipientDomain, LastEmailedAt: i.LastEmailedAt, JobID: i.JobID,
	}
}

type auditRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	OrganizationID uuid.UUID
	ActorID        *uuid.UUID
	TargetUserID   *uuid.UUID
	Action         string
	RequestID      string
	ClientIP       string `gorm:"column:client_ip"`
	Metadata       string
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
}

func (auditRow) TableName() string { return "audit_events" }

func (r auditRow) domain() people.AuditEvent {
	meta := map[string]any{}
	_ = json.Unmarshal([]byte(r.Metadata), &meta)
	return people.AuditEvent{ID: r.ID, OrganizationID: r.OrganizationID, ActorID: r.ActorID, TargetUserID: r.TargetUserID,
		Action: r.Action, RequestID: r.RequestID, ClientIP: r.ClientIP, Metadata: meta, CreatedAt: r.CreatedAt.UTC()}
}

// Permissions are stored comma-separated; the schema allows only known ones.
func joinPermissions(ps []people.Permission) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}

// splitList reads a comma-separated column.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func splitPermissions(s string) []people.Permission {
	if s == "" {
		return nil
	}
	var out []people.Permission
	for _, p := range strings.Split(s, ",") {
		out = append(out, people.Permission(p))
	}
	return out
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// storedPolicy is a reminder policy as organizations.reminder_policy keeps
// it, in JSON: one column the organization's reads already carry, and no
// statement more on the paths that read the organization anyway.
type storedPolicy struct {
	Enabled           bool   `json:"enabled"`
	AfterDays         []int  `json:"after_days"`
	BeforeExpiryHours int    `json:"before_expiry_hours"`
	MaxReminders      int    `json:"max_reminders"`
	QuietStart        *int   `json:"quiet_start,omitempty"`
	QuietEnd          *int   `json:"quiet_end,omitempty"`
	SkipUndeliverable bool   `json:"skip_when_undeliverable"`
	Version           string `json:"v,omitempty"`
	// Revision counts the changes of the policy; ChangedAt is the last one's time.
	Revision  int        `json:"rev,omitempty"`
	ChangedAt *time.Time `json:"changed_at,omitempty"`
}

// encodePolicy writes p; the default policy is stored as "".
func encodePolicy(p people.ReminderPolicy) string {
	sp := storedPolicy{Enabled: p.Enabled, AfterDays: p.AfterDays, BeforeExpiryHours: p.BeforeExpiryHours,
		MaxReminders: p.MaxReminders, SkipUndeliverable: p.SkipWhenUndeliverable, Revision: p.Revision}
	if !p.ChangedAt.IsZero() {
		at := p.ChangedAt.UTC()
		sp.ChangedAt = &at
	}
	if p.Quiet != nil {
		sp.QuietStart, sp.QuietEnd = &p.Quiet.Start, &p.Quiet.End
	}
	b, _ := json.Marshal(sp) // plain values: cannot fail
	return string(b)
}

// decodePolicy reads a stored policy; "" (never set) is the default.
func decodePolicy(s string) people.ReminderPolicy {
	p := people.DefaultReminderPolicy()
	var sp storedPolicy
	if s == "" || json.Unmarshal([]byte(s), &sp) != nil {
		return p
	}
	p = people.ReminderPolicy{Enabled: sp.Enabled, AfterDays: sp.AfterDays, BeforeExpiryHours: sp.BeforeExpiryHours,
		MaxReminders: sp.MaxReminders, SkipWhenUndeliverable: sp.SkipUndeliverable, Revision: sp.Revision}
	if sp.ChangedAt != nil {
		p.ChangedAt = *sp.ChangedAt
	}
	if sp.QuietStart != nil && sp.QuietEnd != nil {
		p.Quiet = &people.QuietHours{Start: *sp.QuietStart, End: *sp.QuietEnd}
	}
	return p
}

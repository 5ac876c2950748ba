package people

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/mail"
)

// MaxSlugLength bounds an organization's slug, in characters.
const MaxSlugLength = 63

var slugPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Invitation lifetimes, in one place: an organization's default, and the
// bounds of both that default (and INVITE_TTL) and a single invitation's
// expires_in.
const (
	DefaultInviteTTL = 7 * 24 * time.Hour
	MinInviteTTL     = 24 * time.Hour
	MaxInviteTTL     = 30 * 24 * time.Hour
)

// Defaults of a new organization's language and time zone.
const (
	DefaultOrganizationLocale = mail.DefaultLocale
	DefaultTimeZone           = "UTC"
)

// NewOrganization is a tenant to create with its first owner.
type NewOrganization struct {
	Slug      string
	Name      string
	InviteTTL time.Duration
	// DefaultLocale and TimeZone default to DefaultOrganizationLocale and DefaultTimeZone.
	DefaultLocale string
	TimeZone      string
	OwnerEmail    string
	// OwnerPassword confirms the owner at once; empty invites them by email.
	OwnerPassword string
	OwnerFirst    string
	OwnerLast     string
}

// CreateOrganization creates a tenant and its owner, for operators.
func (s *Service) CreateOrganization(ctx context.Context, n NewOrganization) (Organization, User, error) {
	var errs []apperr.FieldError
	n.Slug = strings.TrimSpace(n.Slug)
	if !slugPattern.MatchString(n.Slug) {
		errs = append(errs, apperr.Field("slug", "invalid", "slug must be 1-63 lower-case letters, digits or inner hyphens, got %q", n.Slug))
	}
	n.Name = strings.TrimSpace(n.Name)
	if fe := validOrgName(n.Name); fe != nil {
		errs = append(errs, *fe)
	}
	if n.InviteTTL == 0 {
		n.InviteTTL = DefaultInviteTTL
	}
	if fe := validInviteTTL("invite_ttl", n.InviteTTL); fe != nil {
		errs = append(errs, *fe)
	}
	if n.DefaultLocale == "" {
		n.DefaultLocale = DefaultOrganizationLocale
	}
	var fe *apperr.FieldError
	if n.DefaultLocale, fe = normalizeDefaultLocale("default_locale", n.DefaultLocale); fe != nil {
		errs = append(errs, *fe)
	}
	if n.TimeZone == "" {
		n.TimeZone = DefaultTimeZone
	}
	if fe := validTimeZone("time_zone", n.TimeZone); fe != nil {
		errs = append(errs, *fe)
	}
	owner := NewUser{Email: n.OwnerEmail, FirstName: n.OwnerFirst, LastName: n.OwnerLast, Role: Owner, NoInvite: n.OwnerPassword != ""}
	errs = append(errs, owner.validate()...)
	if len(errs) > 0 {
		return Organization{}, User{}, apperr.Invalid(errs...)
	}
	owner.emailWarnings = s.emailWarnings(ctx, owner.Email)[owner.Email]
	now := s.now()
	org := Organization{ID: newID(), Slug: n.Slug, Name: n.Name, InviteTTL: n.InviteTTL,
		DefaultLocale: n.DefaultLocale, TimeZone: n.TimeZone, Reminders: DefaultReminderPolicy(), CreatedAt: now, UpdatedAt: now}
	var hash string
	if n.OwnerPassword != "" {
		u := User{Email: owner.Email, FirstName: owner.FirstName, LastName: owner.LastName}
		var err error
		if hash, err = s.hashNewPassword(ctx, "owner_password", n.OwnerPassword, u, org); err != nil {
			return Organization{}, User{}, err
		}
	}
	var u User
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateOrganization(ctx, &org); err != nil {
			return err
		}
		if err := s.audit(ctx, org.ID, nil, nil, ActionOrganizationCreated, map[string]any{"slug": org.Slug}); err != nil {
			return err
		}
		var err error
		if u, err = s.createUser(ctx, org, nil, owner, nil); err != nil {
			return err
		}
		if hash == "" {
			return nil
		}
		u.PasswordHash, u.Status, u.ConfirmedAt = hash, Confirmed, &now
		return s.store.UpdateUser(ctx, &u)
	})
	return org, u, err
}

// GetOrganization returns the actor's organization and its settings.
func (s *Service) GetOrganization(ctx context.Context, actor Actor) (Organization, error) {
	if err := actor.RequireManager(); err != nil {
		return Organization{}, err
	}
	return s.store.OrganizationByID(ctx, actor.OrganizationID)
}

// OrganizationPatch changes some of an organization's settings; nil leaves
// a setting alone.
type OrganizationPatch struct {
	Name          *string
	InviteTTL     *time.Duration
	DefaultLocale *string
	TimeZone      *string
}

// UpdateOrganization changes the actor's organization's settings: only
// owners and admins may. The change is audited with every setting's old and
// new value; a patch that changes nothing writes nothing.
func (s *Service) UpdateOrganization(ctx context.Context, actor Actor, p OrganizationPatch) (Organization, error) {
	if err := actor.RequireManager(); err != nil {
		return Organization{}, err
	}
	if actor.Role != Owner && actor.Role != Admin {
		return Organization{}, apperr.New(apperr.Forbidden, "Only owners and admins may change the organization's settings.")
	}
	var errs []apperr.FieldError
	if p.Name != nil {
		*p.Name = strings.TrimSpace(*p.Name)
		if fe := validOrgName(*p.Name); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if p.InviteTTL != nil {
		if fe := validInviteTTL("invite_ttl", *p.InviteTTL); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if p.DefaultLocale != nil {
		var fe *apperr.FieldError
		if *p.DefaultLocale, fe = normalizeDefaultLocale("default_locale", *p.DefaultLocale); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if p.TimeZone != nil {
		if fe := validTimeZone("time_zone", *p.TimeZone); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		return Organization{}, apperr.Invalid(errs...)
	}
	var org Organization
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if org, err = s.store.LockOrganization(ctx, actor.OrganizationID); err != nil {
			return err
		}
		from, to := map[string]any{}, map[string]any{}
		var fields []string
		change := func(field string, old, new any, apply func()) {
			if old != new {
				fields = append(fields, field)
				from[field], to[field] = old, new
				apply()
			}
		}
		if p.Name != nil {
			change("name", org.Name, *p.Name, func() { org.Name = *p.Name })
		}
		if p.InviteTTL != nil {
			change("invite_ttl", hours(org.InviteTTL), hours(*p.InviteTTL), func() { org.InviteTTL = *p.InviteTTL })
		}
		if p.DefaultLocale != nil {
			change("default_locale", org.DefaultLocale, *p.DefaultLocale, func() { org.DefaultLocale = *p.DefaultLocale })
		}
		if p.TimeZone != nil {
			change("time_zone", org.TimeZone, *p.TimeZone, func() { org.TimeZone = *p.TimeZone })
		}
		if len(fields) == 0 {
			return nil
		}
		org.UpdatedAt = s.now()
		if err := s.store.UpdateOrganization(ctx, &org); err != nil {
			return err
		}
		return s.audit(ctx, org.ID, &actor.ID, nil, ActionOrganizationUpdated, map[string]any{"fields": fields, "from": from, "to": to})
	})
	return org, err
}

// hours is a lifetime in whole hours, the unit of the API.
func hours(d time.Duration) int { return int(d / time.Hour) }

func validOrgName(name string) *apperr.FieldError {
	if name == "" || len([]rune(name)) > 200 {
		fe := apperr.Field("name", "invalid", "name must be 1-200 characters")
		return &fe
	}
	return nil
}

// validInviteTTL checks an invitation lifetime: whole hours from MinInviteTTL to MaxInviteTTL.
func validInviteTTL(field string, d time.Duration) *apperr.FieldError {
	if d < MinInviteTTL || d > MaxInviteTTL || d%time.Hour != 0 {
		fe := apperr.Field(field, "out_of_range", "%s must be a whole number of hours from %d to %d (1 to 30 days)",
			field, hours(MinInviteTTL), hours(MaxInviteTTL))
		return &fe
	}
	return nil
}

// normalizeDefaultLocale reads an organization's default language: one
// that has an email, since it is where every other language falls back.
func normalizeDefaultLocale(field, raw string) (string, *apperr.FieldError) {
	locale, fe := normalizeLocale(field, raw)
	if fe == nil && !slices.Contains(mail.Locales(), locale) {
		e := apperr.Field(field, "unsupported", "%s must be a language with invitation emails: one of %s, got %q",
			field, strings.Join(mail.Locales(), ", "), raw)
		return "", &e
	}
	return locale, fe
}

func validTimeZone(field, zone string) *apperr.FieldError {
	if !mail.ValidTimeZone(zone) {
		fe := apperr.Field(field, "invalid", "%s must be an IANA time zone such as UTC, Europe/Berlin or America/Sao_Paulo, got %q", field, zone)
		return &fe
	}
	return nil
}

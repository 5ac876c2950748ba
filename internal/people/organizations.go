package people

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/invitedhq/invited/internal/apperr"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// DefaultInviteTTL is how long invitation links live unless configured.
const DefaultInviteTTL = 7 * 24 * time.Hour

// NewOrganization is a tenant to create with its first owner.
type NewOrganization struct {
	Slug       string
	Name       string
	InviteTTL  time.Duration
	OwnerEmail string
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
	if n.Name == "" || len([]rune(n.Name)) > 200 {
		errs = append(errs, apperr.Field("name", "invalid", "name must be 1-200 characters"))
	}
	if n.InviteTTL == 0 {
		n.InviteTTL = DefaultInviteTTL
	}
	if n.InviteTTL < 24*time.Hour || n.InviteTTL > 30*24*time.Hour {
		errs = append(errs, apperr.Field("invite_ttl", "invalid", "invite_ttl must be between 1 and 30 days"))
	}
	owner := NewUser{Email: n.OwnerEmail, FirstName: n.OwnerFirst, LastName: n.OwnerLast, Role: Owner, SendInvite: n.OwnerPassword == ""}
	errs = append(errs, owner.validate()...)
	if len(errs) > 0 {
		return Organization{}, User{}, apperr.Invalid(errs...)
	}
	owner.emailWarnings = s.emailWarnings(ctx, owner.Email)[owner.Email]
	now := s.now()
	org := Organization{ID: newID(), Slug: n.Slug, Name: n.Name, InviteTTL: n.InviteTTL, CreatedAt: now, UpdatedAt: now}
	var hash string
	if n.OwnerPassword != "" {
		u := User{Email: owner.Email, FirstName: owner.FirstName, LastName: owner.LastName}
		if err := checkPassword("owner_password", n.OwnerPassword, u, org); err != nil {
			return Organization{}, User{}, err
		}
		var err error
		if hash, err = s.hasher.Hash(ctx, n.OwnerPassword); err != nil {
			return Organization{}, User{}, apperr.Internal(err)
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

package store

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

// CreateOrganization implements people.Store.
func (s *Store) CreateOrganization(ctx context.Context, org *people.Organization) error {
	row := organizationRowOf(org)
	err := s.conn(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return apperr.Invalid(apperr.Field("slug", "taken", "an organization with slug %q already exists", org.Slug))
	}
	return translate(err, "Organization")
}

// OrganizationByID implements people.Store. Resends and password sets
// read it on every request: plain SQL, not GORM's reflection.
func (s *Store) OrganizationByID(ctx context.Context, id uuid.UUID) (people.Organization, error) {
	return s.organization(ctx, "id = ?", id)
}

// OrganizationBySlug implements people.Store.
func (s *Store) OrganizationBySlug(ctx context.Context, slug string) (people.Organization, error) {
	return s.organization(ctx, "slug = ?", slug)
}

// LockOrganization implements people.Store.
func (s *Store) LockOrganization(ctx context.Context, id uuid.UUID) (people.Organization, error) {
	where := "id = ?"
	if s.postgres() {
		where += " FOR UPDATE" // SQLite's immediate transactions already serialize
	}
	return s.organization(ctx, where, id)
}

// UpdateOrganization implements people.Store.
func (s *Store) UpdateOrganization(ctx context.Context, org *people.Organization) error {
	r := organizationRowOf(org)
	res := s.conn(ctx).Exec(`UPDATE organizations SET name = ?, invite_ttl_seconds = ?, default_locale = ?, time_zone = ?, updated_at = ?
		WHERE id = ?`, r.Name, r.InviteTTLSeconds, r.DefaultLocale, r.TimeZone, r.UpdatedAt, r.ID)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "Organization not found.")
	}
	return translate(res.Error, "Organization")
}

// organizationColumns are the columns of an organization o, in
// organizationRow's order.
const organizationColumns = `o.id, o.slug, o.name, o.invite_ttl_seconds, o.default_locale, o.time_zone, o.reminder_policy,
	o.created_at, o.updated_at`

func (s *Store) organization(ctx context.Context, where string, arg any) (people.Organization, error) {
	var r organizationRow
	err := s.conn(ctx).Raw(`SELECT `+organizationColumns+` FROM organizations o WHERE `+where, arg).
		Row().Scan(&r.ID, &r.Slug, &r.Name, &r.InviteTTLSeconds, &r.DefaultLocale, &r.TimeZone, &r.ReminderPolicy, &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return people.Organization{}, translate(err, "Organization")
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r.domain(), nil
}

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
	row := organizationRow{ID: org.ID, Slug: org.Slug, Name: org.Name, InviteTTLSeconds: int(org.InviteTTL.Seconds()),
		CreatedAt: org.CreatedAt, UpdatedAt: org.UpdatedAt}
	err := s.conn(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return apperr.Invalid(apperr.Field("slug", "taken", "an organization with slug %q already exists", org.Slug))
	}
	return translate(err, "Organization")
}

// OrganizationByID implements people.Store.
func (s *Store) OrganizationByID(ctx context.Context, id uuid.UUID) (people.Organization, error) {
	var row organizationRow
	err := s.conn(ctx).Where("id = ?", id).Take(&row).Error
	return row.domain(), translate(err, "Organization")
}

// OrganizationBySlug implements people.Store.
func (s *Store) OrganizationBySlug(ctx context.Context, slug string) (people.Organization, error) {
	var row organizationRow
	err := s.conn(ctx).Where("slug = ?", slug).Take(&row).Error
	return row.domain(), translate(err, "Organization")
}

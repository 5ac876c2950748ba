package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/people"
)

type refreshTokenRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	FamilyID       uuid.UUID
	OrganizationID uuid.UUID
	UserID         uuid.UUID
	TokenHash      []byte
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt      time.Time
	UsedAt         *time.Time
	RevokedAt      *time.Time
	RevokeReason   *string
}

func (refreshTokenRow) TableName() string { return "refresh_tokens" }

func (r refreshTokenRow) domain() people.RefreshToken {
	t := people.RefreshToken{ID: r.ID, FamilyID: r.FamilyID, OrganizationID: r.OrganizationID, UserID: r.UserID,
		Hash: r.TokenHash, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, UsedAt: r.UsedAt, RevokedAt: r.RevokedAt}
	if r.RevokeReason != nil {
		t.RevokeReason = people.SessionEnd(*r.RevokeReason)
	}
	return t
}

// AddRefreshToken implements people.SessionStore.
func (s *Store) AddRefreshToken(ctx context.Context, t *people.RefreshToken) error {
	row := refreshTokenRow{ID: t.ID, FamilyID: t.FamilyID, OrganizationID: t.OrganizationID, UserID: t.UserID,
		TokenHash: t.Hash, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
	return translate(s.conn(ctx).Create(&row).Error, "Refresh token")
}

// LockRefreshToken implements people.SessionStore. SQLite has one writer
// at a time, so its transactions need no row lock.
func (s *Store) LockRefreshToken(ctx context.Context, id uuid.UUID) (people.RefreshToken, error) {
	q := `SELECT id, family_id, organization_id, user_id, token_hash, created_at, expires_at, used_at, revoked_at, revoke_reason
		FROM refresh_tokens WHERE id = ?`
	if s.postgres() {
		q += " FOR UPDATE"
	}
	var row refreshTokenRow
	res := s.conn(ctx).Raw(q, id).Scan(&row)
	if res.Error == nil && res.RowsAffected == 0 {
		return people.RefreshToken{}, translate(sql.ErrNoRows, "Refresh token")
	}
	return row.domain(), translate(res.Error, "Refresh token")
}

// MarkRefreshTokenUsed implements people.SessionStore.
func (s *Store) MarkRefreshTokenUsed(ctx context.Context, id uuid.UUID, at time.Time) error {
	return translate(s.conn(ctx).Exec(`UPDATE refresh_tokens SET used_at = ? WHERE id = ?`, at, id).Error, "Refresh token")
}

// RevokeRefreshFamily implements people.SessionStore.
func (s *Store) RevokeRefreshFamily(ctx context.Context, familyID uuid.UUID, reason people.SessionEnd, at time.Time) (int, error) {
	res := s.conn(ctx).Exec(`UPDATE refresh_tokens SET revoked_at = ?, revoke_reason = ? WHERE family_id = ? AND revoked_at IS NULL`,
		at, string(reason), familyID)
	return int(res.RowsAffected), translate(res.Error, "Refresh token")
}

// RevokeUserRefreshTokens implements people.SessionStore. It counts the
// sessions it ended, not their used-up tokens.
func (s *Store) RevokeUserRefreshTokens(ctx context.Context, userID uuid.UUID, reason people.SessionEnd, at time.Time) (int, error) {
	var sessions int64
	err := s.conn(ctx).Raw(`SELECT COUNT(DISTINCT family_id) FROM refresh_tokens WHERE user_id = ? AND revoked_at IS NULL`, userID).
		Scan(&sessions).Error
	if err != nil {
		return 0, translate(err, "Refresh token")
	}
	if sessions == 0 {
		return 0, nil
	}
	err = s.conn(ctx).Exec(`UPDATE refresh_tokens SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL`,
		at, string(reason), userID).Error
	return int(sessions), translate(err, "Refresh token")
}

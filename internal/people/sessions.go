package people

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/auth"
)

// DefaultRefreshTTL is a session's absolute lifetime when none is configured.
const DefaultRefreshTTL = 30 * 24 * time.Hour

// RefreshToken is one link of a session: a sign-in starts a family, every
// refresh uses up the presented token and adds its successor. Only the
// hash of the token's secret is kept.
type RefreshToken struct {
	ID             uuid.UUID
	FamilyID       uuid.UUID
	OrganizationID uuid.UUID
	UserID         uuid.UUID
	Hash           []byte
	CreatedAt      time.Time
	// ExpiresAt is the family's absolute end, inherited by every successor.
	ExpiresAt    time.Time
	UsedAt       *time.Time
	RevokedAt    *time.Time
	RevokeReason SessionEnd
}

// SessionEnd says why a session's refresh tokens were revoked.
type SessionEnd string

// Why sessions end before their time.
const (
	SessionSignedOut       SessionEnd = "signed_out"
	SessionReuseDetected   SessionEnd = "reuse_detected"
	SessionPasswordChanged SessionEnd = "password_changed"
	SessionPasswordSet     SessionEnd = "password_set"
	SessionDeactivated     SessionEnd = "deactivated"
)

// SessionStore keeps refresh tokens.
type SessionStore interface {
	AddRefreshToken(ctx context.Context, t *RefreshToken) error
	// LockRefreshToken returns a refresh token and locks it until the
	// transaction ends, so that one token is used at most once.
	LockRefreshToken(ctx context.Context, id uuid.UUID) (RefreshToken, error)
	MarkRefreshTokenUsed(ctx context.Context, id uuid.UUID, at time.Time) error
	// RevokeRefreshFamily revokes every unrevoked token of a family and
	// returns how many it revoked.
	RevokeRefreshFamily(ctx context.Context, familyID uuid.UUID, reason SessionEnd, at time.Time) (int, error)
	// RevokeUserRefreshTokens revokes every unrevoked token of a user.
	RevokeUserRefreshTokens(ctx context.Context, userID uuid.UUID, reason SessionEnd, at time.Time) (int, error)
}

// Session is what a sign-in answers: a short-lived access token and the
// refresh token that renews it.
type Session struct {
	AccessToken
	RefreshToken string
	// RefreshExpiresAt is the session's absolute end.
	RefreshExpiresAt time.Time
}

// startSession mints an access token for u and starts a refresh family.
func (s *Service) startSession(ctx context.Context, u User) (Session, error) {
	access, err := s.mint(u, 0)
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	t := RefreshToken{ID: newID(), OrganizationID: u.OrganizationID, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.refreshTTL)}
	t.FamilyID = t.ID
	token, hash := auth.NewRefreshToken(t.ID)
	t.Hash = hash
	if err := s.store.AddRefreshToken(ctx, &t); err != nil {
		return Session{}, err
	}
	return Session{AccessToken: access, RefreshToken: token, RefreshExpiresAt: t.ExpiresAt}, nil
}

func invalidRefreshToken(why string) error {
	return apperr.New(apperr.InvalidRefreshToken, "The refresh token %s. Sign in again.", why)
}

// Refresh exchanges a refresh token for a new access token and the
// token's successor. A token works once: presenting one that was already
// used means a copy of it is in someone else's hands, so the whole family
// is revoked, the event is audited, and both holders must sign in again.
func (s *Service) Refresh(ctx context.Context, token string) (Session, error) {
	id, hash, ok := auth.ParseRefreshToken(token)
	if !ok {
		return Session{}, invalidRefreshToken("is not valid")
	}
	var (
		sess    Session
		refused error // refusals that must commit what they changed
	)
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.LockRefreshToken(ctx, id)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !auth.RefreshTokenMatches(t.Hash, hash)) {
			return invalidRefreshToken("is not valid")
		}
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case t.RevokedAt != nil:
			return invalidRefreshToken("was revoked")
		case t.UsedAt != nil:
			n, err := s.store.RevokeRefreshFamily(ctx, t.FamilyID, SessionReuseDetected, now)
			if err != nil {
				return err
			}
			refused = apperr.New(apperr.RefreshTokenReused,
				"This refresh token was already used, so a copy of it may be in someone else's hands: the session is ended. Sign in again.")
			return s.audit(ctx, t.OrganizationID, nil, &t.UserID, ActionRefreshReuseDetected,
				map[string]any{"session_id": t.FamilyID, "tokens_revoked": n})
		case !now.Before(t.ExpiresAt):
			return invalidRefreshToken("has expired")
		}
		u, err := s.store.SignedInUser(ctx, t.OrganizationID, t.UserID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && u.Status != Confirmed) {
			return invalidRefreshToken("belongs to an account that is no longer active")
		}
		if err != nil {
			return err
		}
		if err := s.store.MarkRefreshTokenUsed(ctx, t.ID, now); err != nil {
			return err
		}
		next := RefreshToken{ID: newID(), FamilyID: t.FamilyID, OrganizationID: t.OrganizationID, UserID: t.UserID,
			CreatedAt: now, ExpiresAt: t.ExpiresAt}
		sess.RefreshToken, next.Hash = auth.NewRefreshToken(next.ID)
		if err := s.store.AddRefreshToken(ctx, &next); err != nil {
			return err
		}
		sess.RefreshExpiresAt = next.ExpiresAt
		sess.AccessToken, err = s.mint(u, 0)
		return err
	})
	if err != nil {
		return Session{}, err
	}
	if refused != nil {
		return Session{}, refused
	}
	return sess, nil
}

// SignOut ends the session a refresh token belongs to. An unknown, used or
// revoked token signs nothing out and is not an error: signing out is
// safe to repeat.
func (s *Service) SignOut(ctx context.Context, token string) error {
	id, hash, ok := auth.ParseRefreshToken(token)
	if !ok {
		return nil
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.LockRefreshToken(ctx, id)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !auth.RefreshTokenMatches(t.Hash, hash)) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = s.store.RevokeRefreshFamily(ctx, t.FamilyID, SessionSignedOut, s.now())
		return err
	})
}

// endSessions revokes every session of a user inside the caller's
// transaction, for password changes and deactivation.
func (s *Service) endSessions(ctx context.Context, userID uuid.UUID, why SessionEnd) (int, error) {
	return s.store.RevokeUserRefreshTokens(ctx, userID, why, s.now())
}

package people

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/auth"
)

// checkPassword applies the password policy (DESIGN §5) and lists every
// rule the password breaks.
func checkPassword(field, password string, u User, org Organization) error {
	violations := auth.CheckPassword(password, policyInputs(u, org))
	if len(violations) == 0 {
		return nil
	}
	fields := make([]apperr.FieldError, len(violations))
	for i, v := range violations {
		fields[i] = apperr.FieldError{Field: field, Code: v.Code, Message: v.Message}
	}
	e := apperr.New(apperr.WeakPassword, "The password does not meet the password policy.")
	e.Fields = fields
	return e
}

func policyInputs(u User, org Organization) auth.PolicyInputs {
	return auth.PolicyInputs{Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, OrganizationName: org.Name}
}

// NewPassword is an administrator's choice of password for a user.
type NewPassword struct {
	Password string
	// Generate asks the service to pick a strong password and return it once.
	Generate bool
	// Permanent spares the user changing it at their next sign-in. The zero
	// value makes it temporary: that is the product's default (R6).
	Permanent bool
}

// SetPassword is the seed's "Alternative": an administrator sets a user's
// password when email does not get through. An invite-pending user becomes
// confirmed and their links stop working (R6).
func (s *Service) SetPassword(ctx context.Context, actor Actor, id uuid.UUID, p NewPassword) (User, string, error) {
	if err := actor.RequireManager(); err != nil {
		return User{}, "", err
	}
	switch {
	case p.Generate && p.Password != "":
		return User{}, "", apperr.Invalid(apperr.Field("password", "conflict", "send either password or generate: true, not both"))
	case !p.Generate && p.Password == "":
		return User{}, "", apperr.Invalid(apperr.Field("password", "required", "password is required unless generate is true"))
	}
	u, err := s.store.User(ctx, actor.OrganizationID, id)
	if err != nil {
		return User{}, "", err
	}
	if err := s.checkSettable(actor, u); err != nil {
		return User{}, "", err
	}
	org, err := s.store.OrganizationByID(ctx, actor.OrganizationID)
	if err != nil {
		return User{}, "", err
	}
	generated := ""
	if p.Generate {
		generated = auth.GeneratePasswordFor(policyInputs(u, org))
		p.Password = generated
	} else if err := checkPassword("password", p.Password, u, org); err != nil {
		return User{}, "", err
	}
	hash, err := s.hasher.Hash(ctx, p.Password) // slow: outside the transaction
	if err != nil {
		return User{}, "", apperr.Internal("people.SetPassword: hash password", err)
	}
	u, err = s.withTarget(ctx, actor, id, func(ctx context.Context, locked *User) error {
		// Checked again under the lock: the user may have changed since.
		if err := s.checkSettable(actor, *locked); err != nil {
			return err
		}
		now := s.now()
		n, err := s.store.RevokeOpenInvites(ctx, locked.ID, RevokedPasswordSet, now)
		if err != nil {
			return err
		}
		previous := locked.Status
		locked.PasswordHash, locked.MustChangePassword, locked.UpdatedAt = hash, !p.Permanent, now
		if locked.Status == InvitePending {
			locked.Status, locked.ConfirmedAt = Confirmed, &now
		}
		if err := s.store.UpdateUser(ctx, locked); err != nil {
			return err
		}
		ended, err := s.endSessions(ctx, locked.ID, SessionPasswordSet)
		if err != nil {
			return err
		}
		return s.audit(ctx, locked.OrganizationID, &actor.ID, &locked.ID, ActionPasswordSet, map[string]any{
			"temporary": !p.Permanent, "generated": p.Generate, "previous_status": previous, "invites_revoked": n,
			"sessions_ended": ended,
		})
	})
	if err != nil {
		return User{}, "", err
	}
	return u, generated, nil
}

func (s *Service) checkSettable(actor Actor, u User) error {
	if err := actor.requireOutranked(u); err != nil {
		return err
	}
	if u.Status == Deactivated {
		return apperr.New(apperr.UserDeactivated, "A deactivated user's password cannot be set; reactivate them first.").
			WithUserStatus(string(u.Status))
	}
	return nil
}

// AccessToken is a signed bearer token for the API.
type AccessToken struct {
	Token                  string
	ExpiresIn              time.Duration
	PasswordChangeRequired bool
}

func (s *Service) mint(u User, ttl time.Duration) (AccessToken, error) {
	perms := permissionStrings(u.Permissions)
	tok, exp, err := s.tokens.Mint(auth.Claims{UserID: u.ID, OrgID: u.OrganizationID, Role: string(u.Role), Perms: perms}, ttl)
	if err != nil {
		if errors.Is(err, auth.ErrMintingDisabled) {
			return AccessToken{}, apperr.New(apperr.NotImplemented,
				"This deployment verifies tokens of another identity provider and does not mint its own.")
		}
		return AccessToken{}, apperr.Internal("people.mint", err)
	}
	// Expiry is in whole seconds; round the remainder up so a 15-minute token says 900.
	left := (exp.Sub(s.now()) + time.Second - 1).Truncate(time.Second)
	return AccessToken{Token: tok, ExpiresIn: left, PasswordChangeRequired: u.MustChangePassword}, nil
}

// SignIn exchanges an organization, email and password for a session: an
// access token and a refresh token. Unknown emails, wrong passwords and
// accounts without a password get the same answer after the same work, so
// sign-in reveals no accounts.
func (s *Service) SignIn(ctx context.Context, orgSlug, email, password string) (Session, error) {
	key := "signin|" + orgSlug + "|" + normalizeForKey(email)
	if wait := s.throttle.wait(key); wait > 0 {
		return Session{}, rateLimited(wait)
	}
	u, ok, err := s.findSignInUser(ctx, orgSlug, email)
	if err != nil {
		return Session{}, err
	}
	if !ok || u.PasswordHash == "" {
		s.hasher.VerifyDummy(ctx, password)
		return Session{}, s.signInFailed(key)
	}
	match, err := s.hasher.Verify(ctx, u.PasswordHash, password)
	if err != nil {
		return Session{}, apperr.Internal("people.SignIn: verify password", err)
	}
	if !match {
		return Session{}, s.signInFailed(key)
	}
	s.throttle.reset(key)
	if u.Status == Deactivated {
		return Session{}, apperr.New(apperr.UserDeactivated, "This account is deactivated. Contact your administrator.")
	}
	return s.startSession(ctx, u)
}

func (s *Service) findSignInUser(ctx context.Context, orgSlug, email string) (User, bool, error) {
	org, err := s.store.OrganizationBySlug(ctx, orgSlug)
	if apperr.Is(err, apperr.NotFound) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, err
	}
	u, err := s.store.UserByEmail(ctx, org.ID, normalizeForKey(email))
	if apperr.Is(err, apperr.NotFound) {
		return User{}, false, nil
	}
	return u, err == nil, err
}

func (s *Service) signInFailed(key string) error {
	s.throttle.fail(key)
	return apperr.New(apperr.InvalidCredentials, "The organization, email or password is incorrect.")
}

func rateLimited(wait time.Duration) error {
	return &apperr.Error{Code: apperr.RateLimited, RetryAfter: wait,
		Message: "Too many failed attempts for this account. Try again later."}
}

// IssueToken mints a token for a confirmed user, for operators' scripts.
func (s *Service) IssueToken(ctx context.Context, orgSlug, email string, ttl time.Duration) (AccessToken, error) {
	u, ok, err := s.findSignInUser(ctx, orgSlug, email)
	if err != nil {
		return AccessToken{}, err
	}
	if !ok {
		return AccessToken{}, apperr.New(apperr.NotFound, "No user %s in organization %q.", email, orgSlug)
	}
	if u.Status != Confirmed {
		return AccessToken{}, apperr.New(apperr.UserDeactivated, "User %s is %s; only confirmed users get tokens.", u.Email, u.Status)
	}
	return s.mint(u, ttl)
}

// Me returns the signed-in user.
func (s *Service) Me(ctx context.Context, actor Actor) (User, error) {
	return s.store.User(ctx, actor.OrganizationID, actor.ID)
}

// ChangeOwnPassword replaces the signed-in user's password, clears
// must_change_password and ends every session of the user: whoever holds
// a refresh token signs in again with the new password.
func (s *Service) ChangeOwnPassword(ctx context.Context, actor Actor, current, next string) error {
	key := "password|" + actor.ID.String()
	if wait := s.throttle.wait(key); wait > 0 {
		return rateLimited(wait)
	}
	match, err := s.hasher.Verify(ctx, actor.PasswordHash, current)
	if err != nil {
		return apperr.Internal("people.ChangeOwnPassword: verify password", err)
	}
	if !match {
		s.throttle.fail(key)
		return apperr.Invalid(apperr.Field("current_password", "incorrect", "current_password is incorrect"))
	}
	s.throttle.reset(key)
	if next == current {
		return apperr.Invalid(apperr.Field("new_password", "unchanged", "new_password must differ from the current password"))
	}
	org, err := s.store.OrganizationByID(ctx, actor.OrganizationID)
	if err != nil {
		return err
	}
	if err := checkPassword("new_password", next, actor.User, org); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return apperr.Internal("people.ChangeOwnPassword: hash password", err)
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		u, err := s.store.LockUser(ctx, actor.OrganizationID, actor.ID)
		if err != nil {
			return err
		}
		u.PasswordHash, u.MustChangePassword, u.UpdatedAt = hash, false, s.now()
		if err := s.store.UpdateUser(ctx, &u); err != nil {
			return err
		}
		ended, err := s.endSessions(ctx, u.ID, SessionPasswordChanged)
		if err != nil {
			return err
		}
		return s.audit(ctx, u.OrganizationID, &u.ID, &u.ID, ActionPasswordChanged, map[string]any{"sessions_ended": ended})
	})
}

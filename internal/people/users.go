package people

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/auth"
)

// ListUsers pages the actor's organization's users (rule R1).
func (s *Service) ListUsers(ctx context.Context, actor Actor, q UserQuery) (UserPage, error) {
	if err := actor.RequireManager(); err != nil {
		return UserPage{}, err
	}
	f, err := q.Filter()
	if err != nil {
		return UserPage{}, err
	}
	return s.listUsers(ctx, actor.OrganizationID, f)
}

// ListUsersSignedIn is Authenticate then ListUsers for the token's user,
// with the signed-in user's row and the page read in one round trip
// (Store.ListUsersAs). The answers are those of the two calls in turn: an
// unknown or inactive user is unauthorized, one who may not manage people
// is forbidden, and a bad filter is refused after both; a page read for an
// actor who is refused is dropped.
func (s *Service) ListUsersSignedIn(ctx context.Context, c auth.Claims, q UserQuery) (Actor, UserPage, error) {
	f, err := q.Filter()
	if err != nil {
		// Nothing to read beside the actor: the errors keep their order.
		actor, aerr := s.Authenticate(ctx, c)
		if aerr != nil {
			return Actor{}, UserPage{}, aerr
		}
		if aerr := actor.RequireManager(); aerr != nil {
			return Actor{}, UserPage{}, aerr
		}
		return Actor{}, UserPage{}, err
	}
	limit := f.Limit
	f.Limit++
	u, aerr, users, err := s.store.ListUsersAs(ctx, c.OrgID, c.UserID, f)
	actor, aerr := signedInActor(u, aerr)
	if aerr != nil {
		return Actor{}, UserPage{}, aerr
	}
	if aerr := actor.RequireManager(); aerr != nil {
		return Actor{}, UserPage{}, aerr
	}
	if err != nil {
		return Actor{}, UserPage{}, err
	}
	return actor, pageOf(users, f, limit), nil
}

func (s *Service) listUsers(ctx context.Context, orgID uuid.UUID, f UserFilter) (UserPage, error) {
	limit := f.Limit
	f.Limit++ // one more row tells whether another page exists, without counting
	users, err := s.store.ListUsers(ctx, orgID, f)
	if err != nil {
		return UserPage{}, err
	}
	return pageOf(users, f, limit), nil
}

// pageOf is the page of limit users of a read of limit+1.
func pageOf(users []User, f UserFilter, limit int) UserPage {
	page := UserPage{Users: users}
	if len(users) > limit {
		page.Users, page.HasMore = users[:limit], true
		page.NextCursor = f.cursorAfter(page.Users[limit-1])
	}
	return page
}

// CountUsers counts the organization's users per status, for filter tabs.
func (s *Service) CountUsers(ctx context.Context, actor Actor) (map[Status]int, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	return s.store.CountUsers(ctx, actor.OrganizationID)
}

// GetUser returns one user of the actor's organization.
func (s *Service) GetUser(ctx context.Context, actor Actor, id uuid.UUID) (User, error) {
	if err := actor.RequireManager(); err != nil {
		return User{}, err
	}
	return s.store.User(ctx, actor.OrganizationID, id)
}

// NewUser is a user to create.
type NewUser struct {
	Email       string
	FirstName   string
	LastName    string
	Role        Role
	Permissions []Permission
	// Locale is the user's language (BCP 47); empty is the organization's default.
	Locale string
	// NoInvite creates the user without emailing the first invitation. The
	// zero value sends it: that is the product's default.
	NoInvite bool
	// Invite are the options of that first invitation.
	Invite InviteOptions

	// emailWarnings are what the deliverability check found about Email.
	emailWarnings []string
}

// validate normalizes the new user's fields and lists every problem.
func (n *NewUser) validate() []apperr.FieldError {
	var errs []apperr.FieldError
	var fe *apperr.FieldError
	if n.Email, fe = NormalizeEmail("email", n.Email); fe != nil {
		errs = append(errs, *fe)
	}
	if n.FirstName, fe = normalizeName("first_name", n.FirstName); fe != nil {
		errs = append(errs, *fe)
	}
	if n.LastName, fe = normalizeName("last_name", n.LastName); fe != nil {
		errs = append(errs, *fe)
	}
	if n.Role == "" {
		n.Role = Learner
	}
	if !slices.Contains(Roles, n.Role) {
		errs = append(errs, apperr.Field("role", "invalid", "role must be one of %s, got %q", joinValues(Roles), n.Role))
	}
	if fe := validatePermissions(n.Permissions); fe != nil {
		errs = append(errs, *fe)
	}
	n.Permissions = dedupe(n.Permissions)
	if n.Locale != "" {
		if n.Locale, fe = normalizeLocale("locale", n.Locale); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if fe := n.Invite.validate(); fe != nil {
		errs = append(errs, *fe)
	} else if n.Invite.ExpiresIn != nil && n.NoInvite {
		errs = append(errs, apperr.Field("expires_in", "without_invite", "expires_in applies only when send_invite is true"))
	}
	return errs
}

func validatePermissions(ps []Permission) *apperr.FieldError {
	for _, p := range ps {
		if !slices.Contains(Permissions, p) {
			fe := apperr.Field("permissions", "invalid", "permissions may contain only %s, got %q", joinValues(Permissions), p)
			return &fe
		}
	}
	return nil
}

func dedupe[T comparable](xs []T) []T {
	var out []T
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// CreateUser adds a user to the actor's organization as invite-pending and,
// unless told otherwise, sends the first invitation in the same transaction.
func (s *Service) CreateUser(ctx context.Context, actor Actor, n NewUser) (User, error) {
	if err := actor.RequireManager(); err != nil {
		return User{}, err
	}
	if errs := n.validate(); len(errs) > 0 {
		return User{}, apperr.Invalid(errs...)
	}
	if err := actor.requireMayGrant(n.Role); err != nil {
		return User{}, err
	}
	org, err := s.store.OrganizationByID(ctx, actor.OrganizationID)
	if err != nil {
		return User{}, err
	}
	n.emailWarnings = s.emailWarnings(ctx, n.Email)[n.Email] // before the transaction: it waits on the network
	var u User
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		u, err = s.createUser(ctx, org, &actor.ID, n, nil)
		return err
	})
	if err == nil && u.Invite != nil {
		u.Invite.CreatedByName = actor.DisplayName()
	}
	return u, err
}

// createUser inserts the user, audits it and issues the first invite if
// asked; in a transaction. An import passes its batch's outbox.
func (s *Service) createUser(ctx context.Context, org Organization, actorID *uuid.UUID, n NewUser, box *outbox) (User, error) {
	now := s.now()
	u := User{
		ID: newID(), OrganizationID: org.ID, Email: n.Email, FirstName: n.FirstName, LastName: n.LastName,
		Role: n.Role, Permissions: n.Permissions, Status: InvitePending, EmailSuggestion: SuggestEmail(n.Email),
		Locale: n.Locale, EmailWarnings: n.emailWarnings, CreatedAt: now, UpdatedAt: now,
	}
	if u.Locale == "" {
		u.Locale = org.DefaultLocale
	}
	if err := s.store.CreateUser(ctx, &u); err != nil {
		return User{}, err
	}
	if err := s.audit(ctx, org.ID, actorID, &u.ID, ActionUserCreated,
		map[string]any{"role": u.Role, "locale": u.Locale, "send_invite": !n.NoInvite}); err != nil {
		return User{}, err
	}
	if !n.NoInvite {
		inv, err := s.issueInvite(ctx, org, &u, actorID, issue{action: ActionInviteSent, opts: n.Invite, box: box})
		if err != nil {
			return User{}, err
		}
		u.Invite = &inv
	}
	return u, nil
}

// UserPatch changes some of a user's fields; nil leaves a field alone.
type UserPatch struct {
	Email       *string
	FirstName   *string
	LastName    *string
	Role        *Role
	Permissions *[]Permission
	Locale      *string
}

// UpdateUser edits a user. Changing the email of an invite-pending user
// voids their live links (R11); a confirmed user's email can't change here.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, id uuid.UUID, p UserPatch) (User, error) {
	if err := actor.RequireManager(); err != nil {
		return User{}, err
	}
	var errs []apperr.FieldError
	var fe *apperr.FieldError
	if p.Email != nil {
		if *p.Email, fe = NormalizeEmail("email", *p.Email); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if p.FirstName != nil {
		if *p.FirstName, fe = normalizeName("first_name", *p.FirstName); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if p.LastName != nil {
		if *p.LastName, fe = normalizeName("last_name", *p.LastName); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if p.Role != nil && !slices.Contains(Roles, *p.Role) {
		errs = append(errs, apperr.Field("role", "invalid", "role must be one of %s, got %q", joinValues(Roles), *p.Role))
	}
	if p.Permissions != nil {
		if fe := validatePermissions(*p.Permissions); fe != nil {
			errs = append(errs, *fe)
		}
		*p.Permissions = dedupe(*p.Permissions)
	}
	if p.Locale != nil {
		if *p.Locale, fe = normalizeLocale("locale", *p.Locale); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		return User{}, apperr.Invalid(errs...)
	}
	var warnings []string
	if p.Email != nil {
		warnings = s.emailWarnings(ctx, *p.Email)[*p.Email] // before the transaction: it waits on the network
	}
	return s.withTarget(ctx, actor, id, func(ctx context.Context, u *User) error {
		return s.applyPatch(ctx, actor, u, p, warnings)
	})
}

// withTarget runs fn in one transaction on the user id of the actor's
// organization, locked and checked against the actor's rank (R5), and
// returns the user as stored once fn has changed it.
func (s *Service) withTarget(ctx context.Context, actor Actor, id uuid.UUID, fn func(context.Context, *User) error) (User, error) {
	var u User
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.store.LockUser(ctx, actor.OrganizationID, id); err != nil {
			return err
		}
		if err := actor.requireOutranked(u); err != nil {
			return err
		}
		if err := fn(ctx, &u); err != nil {
			return err
		}
		u, err = s.store.User(ctx, u.OrganizationID, u.ID)
		return err
	})
	return u, err
}

// applyPatch changes u as p says; emailWarnings are those of p's email.
func (s *Service) applyPatch(ctx context.Context, actor Actor, u *User, p UserPatch, emailWarnings []string) error {
	now := s.now()
	var changed []string
	emailChanged := p.Email != nil && *p.Email != u.Email
	if emailChanged {
		if u.Status != InvitePending {
			return apperr.New(apperr.EmailChangeNotAllowed,
				"Only the email of an invite-pending user can be changed; this user is %s.", u.Status).WithUserStatus(string(u.Status))
		}
		from := u.Email
		u.Email, u.EmailSuggestion, u.EmailWarnings = *p.Email, SuggestEmail(*p.Email), emailWarnings
		n, err := s.store.RevokeOpenInvites(ctx, u.ID, RevokedEmailChanged, now)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, u.OrganizationID, &actor.ID, &u.ID, ActionEmailChanged,
			map[string]any{"from": from, "to": u.Email, "invites_revoked": n}); err != nil {
			return err
		}
	}
	if p.FirstName != nil && *p.FirstName != u.FirstName {
		u.FirstName, changed = *p.FirstName, append(changed, "first_name")
	}
	if p.LastName != nil && *p.LastName != u.LastName {
		u.LastName, changed = *p.LastName, append(changed, "last_name")
	}
	if p.Locale != nil && *p.Locale != u.Locale {
		u.Locale, changed = *p.Locale, append(changed, "locale")
	}
	roleChanged := p.Role != nil && *p.Role != u.Role
	permsChanged := p.Permissions != nil && !samePermissions(*p.Permissions, u.Permissions)
	if roleChanged || permsChanged {
		if u.ID == actor.ID {
			return apperr.New(apperr.Forbidden, "You cannot change your own role or permissions.")
		}
		from := map[string]any{"role": u.Role, "permissions": permissionStrings(u.Permissions)}
		if roleChanged {
			if err := actor.requireMayGrant(*p.Role); err != nil {
				return err
			}
			u.Role = *p.Role
		}
		if permsChanged {
			u.Permissions = *p.Permissions
		}
		if err := s.audit(ctx, u.OrganizationID, &actor.ID, &u.ID, ActionRoleChanged, map[string]any{
			"from": from, "to": map[string]any{"role": u.Role, "permissions": permissionStrings(u.Permissions)},
		}); err != nil {
			return err
		}
	}
	if len(changed) > 0 {
		if err := s.audit(ctx, u.OrganizationID, &actor.ID, &u.ID, ActionUserUpdated, map[string]any{"fields": changed}); err != nil {
			return err
		}
	}
	if !emailChanged && len(changed) == 0 && !roleChanged && !permsChanged {
		return nil // a patch that changes nothing leaves the row, and updated_at, alone
	}
	u.UpdatedAt = now
	return s.store.UpdateUser(ctx, u)
}

func samePermissions(a, b []Permission) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func permissionStrings(ps []Permission) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, string(p))
	}
	return out
}

// Deactivate stops a user from signing in, voids their live links (R12)
// and ends their sessions.
func (s *Service) Deactivate(ctx context.Context, actor Actor, id uuid.UUID) (User, error) {
	return s.changeStatus(ctx, actor, id, func(ctx context.Context, u *User) error {
		if u.ID == actor.ID {
			return apperr.New(apperr.Forbidden, "You cannot deactivate yourself.")
		}
		if u.Status == Deactivated {
			return apperr.New(apperr.UserDeactivated, "The user is already deactivated.").WithUserStatus(string(u.Status))
		}
		now := s.now()
		u.Status, u.DeactivatedAt = Deactivated, &now
		n, err := s.store.RevokeOpenInvites(ctx, u.ID, RevokedDeactivated, now)
		if err != nil {
			return err
		}
		ended, err := s.endSessions(ctx, u.ID, SessionDeactivated)
		if err != nil {
			return err
		}
		return s.audit(ctx, u.OrganizationID, &actor.ID, &u.ID, ActionUserDeactivated,
			map[string]any{"invites_revoked": n, "sessions_ended": ended})
	})
}

// Reactivate lets a deactivated user back in: confirmed when they have a
// password, invite-pending otherwise. It sends nothing by itself (R12).
func (s *Service) Reactivate(ctx context.Context, actor Actor, id uuid.UUID) (User, error) {
	return s.changeStatus(ctx, actor, id, func(ctx context.Context, u *User) error {
		if u.Status != Deactivated {
			return apperr.New(apperr.UserNotDeactivated, "Only a deactivated user can be reactivated; this user is %s.", u.Status).
				WithUserStatus(string(u.Status))
		}
		u.Status, u.DeactivatedAt = InvitePending, nil
		if u.PasswordHash != "" {
			u.Status = Confirmed
		}
		return s.audit(ctx, u.OrganizationID, &actor.ID, &u.ID, ActionUserReactivated, map[string]any{"status": u.Status})
	})
}

func (s *Service) changeStatus(ctx context.Context, actor Actor, id uuid.UUID, change func(context.Context, *User) error) (User, error) {
	if err := actor.RequireManager(); err != nil {
		return User{}, err
	}
	return s.withTarget(ctx, actor, id, func(ctx context.Context, u *User) error {
		if err := change(ctx, u); err != nil {
			return err
		}
		u.UpdatedAt = s.now()
		return s.store.UpdateUser(ctx, u)
	})
}

// InviteHistory lists a user's invitations, newest first.
func (s *Service) InviteHistory(ctx context.Context, actor Actor, id uuid.UUID) ([]Invite, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	if _, err := s.store.User(ctx, actor.OrganizationID, id); err != nil {
		return nil, err
	}
	return s.store.UserInvites(ctx, actor.OrganizationID, id)
}

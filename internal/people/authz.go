package people

import (
	"context"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/auth"
)

// Actor is the signed-in user making a request, as their row stands now:
// a token minted before a demotion or deactivation carries no weight.
type Actor struct {
	User
	// request is what Authenticate read with the actor's row, for the one
	// request it authenticated; nil for actors read otherwise (a bulk job's
	// run), whose work reads the organization and the endpoints afresh.
	request *SignedIn
}

// SignedIn is what authenticating a request reads in one statement
// (Store.SignedInActor).
type SignedIn struct {
	User         User
	Organization Organization
	// WebhookEndpoints reports whether the organization had any webhook
	// endpoint, enabled or not.
	WebhookEndpoints bool
}

// Authenticate turns verified token claims into the actor's current row.
// A user who is gone, moved or not confirmed is refused at once. The
// organization comes along in the same statement for the request's use
// (organizationOf, withoutEndpoints).
func (s *Service) Authenticate(ctx context.Context, c auth.Claims) (Actor, error) {
	in, err := s.store.SignedInActor(ctx, c.OrgID, c.UserID)
	a, err := signedInActor(in.User, err)
	if err != nil {
		return Actor{}, err
	}
	a.request = &in
	return a, nil
}

// organizationOf is the actor's organization: as Authenticate read it for
// this request, or afresh. Either is read before the request's transaction,
// as a read of its own would be.
func (s *Service) organizationOf(ctx context.Context, actor Actor) (Organization, error) {
	if actor.request != nil {
		return actor.request.Organization, nil
	}
	return s.store.OrganizationByID(ctx, actor.OrganizationID)
}

// currentActor is a user as an actor, refused with unauthorized unless
// their row still exists and is confirmed: requests and the background
// jobs they started judge by the same rule.
func (s *Service) currentActor(ctx context.Context, orgID, userID uuid.UUID) (Actor, error) {
	return signedInActor(s.store.SignedInUser(ctx, orgID, userID))
}

// signedInActor judges a signed-in user's row read by SignedInUser.
func signedInActor(u User, err error) (Actor, error) {
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return Actor{}, apperr.New(apperr.Unauthorized, "The token's user no longer exists.")
		}
		return Actor{}, err
	}
	if u.Status != Confirmed {
		return Actor{}, apperr.New(apperr.Unauthorized, "The token's user is not active.")
	}
	return Actor{User: u}, nil
}

// CanManagePeople reports rule R5's first half: owners, admins and HR
// manage people; curators only with the people permission; learners never.
func (a Actor) CanManagePeople() bool {
	switch a.Role {
	case Owner, Admin, HR:
		return true
	case Curator:
		return a.Has(PermissionPeople)
	default:
		return false
	}
}

// RequireManager refuses an actor who may not manage people (rule R5).
func (a Actor) RequireManager() error {
	if !a.CanManagePeople() {
		if a.Role == Curator {
			return apperr.New(apperr.Forbidden, "Curators need the people permission to manage people.")
		}
		return apperr.New(apperr.Forbidden, "Your role (%s) may not manage people.", a.Role)
	}
	return nil
}

// requireOutranked is R5's second half: nobody acts on a user who
// outranks them (only an owner acts on an owner).
func (a Actor) requireOutranked(target User) error {
	if target.Role.Rank() > a.Role.Rank() {
		return apperr.New(apperr.InsufficientRank, "A %s cannot act on a %s.", a.Role, target.Role).
			WithRoles(string(a.Role), string(target.Role))
	}
	return nil
}

// requireMayGrant refuses granting a role above the actor's own.
func (a Actor) requireMayGrant(r Role) error {
	if r.Rank() > a.Role.Rank() {
		return apperr.New(apperr.InsufficientRank, "A %s cannot grant the %s role.", a.Role, r).
			WithRoles(string(a.Role), string(r))
	}
	return nil
}

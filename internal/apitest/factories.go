package apitest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/people"
)

// Password is the password every factory-made confirmed user has.
const Password = "plum-harbor-violet-7-engine"

var seq atomic.Int64

// Org is an organization with its owner.
type Org struct {
	people.Organization
	Owner      people.User
	OwnerToken string
}

// Org creates an organization with a confirmed owner.
func (e *Env) Org() Org {
	e.T.Helper()
	n := seq.Add(1)
	org, owner, err := e.Service.CreateOrganization(context.Background(), people.NewOrganization{
		Slug: fmt.Sprintf("org-%d-%d", n, time.Now().UnixNano()%1e6), Name: fmt.Sprintf("Organization %d", n),
		OwnerEmail: fmt.Sprintf("owner%d@example.com", n), OwnerFirst: "Olive", OwnerLast: "Owner", OwnerPassword: Password,
	})
	must(e.T, err)
	return Org{Organization: org, Owner: owner, OwnerToken: e.Token(owner)}
}

// UserOpts describe a user to create; zero values pick a learner who is
// invite-pending with one invitation sent.
type UserOpts struct {
	Email       string
	FirstName   string
	LastName    string
	Role        people.Role
	Permissions []people.Permission
	// Status is where to leave the user; confirmed users have Password.
	Status people.Status
	// NoInvite creates an invite-pending user without sending an invitation.
	NoInvite bool
}

// User creates a user in org through the service, as the org's owner.
func (e *Env) User(org Org, o UserOpts) people.User {
	e.T.Helper()
	ctx := context.Background()
	owner := people.Actor{User: org.Owner}
	if o.Email == "" {
		o.Email = fmt.Sprintf("user%d@example.com", seq.Add(1))
	}
	if o.FirstName == "" {
		o.FirstName = "Test"
	}
	if o.LastName == "" {
		o.LastName = fmt.Sprintf("Person%d", seq.Add(1))
	}
	u, err := e.Service.CreateUser(ctx, owner, people.NewUser{Email: o.Email, FirstName: o.FirstName, LastName: o.LastName,
		Role: o.Role, Permissions: o.Permissions, NoInvite: o.NoInvite})
	must(e.T, err)
	if o.Status == people.Confirmed || o.Status == people.Deactivated {
		// A confirmed user of the factory chose their own password: it is not
		// the temporary one an administrator's set password is by default.
		u, _, err = e.Service.SetPassword(ctx, owner, u.ID, people.NewPassword{Password: Password, Permanent: true})
		must(e.T, err)
	}
	if o.Status == people.Deactivated {
		u, err = e.Service.Deactivate(ctx, owner, u.ID)
		must(e.T, err)
	}
	return u
}

// Token mints an access token for u.
func (e *Env) Token(u people.User) string {
	e.T.Helper()
	perms := make([]string, len(u.Permissions))
	for i, p := range u.Permissions {
		perms[i] = string(p)
	}
	if e.idp != nil {
		return e.idpToken(u, perms)
	}
	tok, _, err := e.Tokens.Mint(auth.Claims{UserID: u.ID, OrgID: u.OrganizationID, Role: string(u.Role), Perms: perms}, 0)
	must(e.T, err)
	return tok
}

// Manager creates a confirmed user of the role in org and returns it with a token.
func (e *Env) Manager(org Org, role people.Role, perms ...people.Permission) (people.User, string) {
	e.T.Helper()
	u := e.User(org, UserOpts{Role: role, Permissions: perms, Status: people.Confirmed})
	return u, e.Token(u)
}

// InviteToken rebuilds the activation token of an invite, as the email
// worker would put it in the link.
func (e *Env) InviteToken(inviteID uuid.UUID) string {
	e.T.Helper()
	inv, err := e.Store.Invite(context.Background(), inviteID)
	must(e.T, err)
	tok, err := e.Signer.Sign(inv.KeyID, inv.ID, inv.UserID, inv.ExpiresAt)
	must(e.T, err)
	return tok
}

// LatestInvite returns the user's latest invite.
func (e *Env) LatestInvite(u people.User) people.Invite {
	e.T.Helper()
	fresh, err := e.Store.User(context.Background(), u.OrganizationID, u.ID)
	must(e.T, err)
	if fresh.Invite == nil {
		e.T.Fatalf("user %s has no invite", u.Email)
	}
	return *fresh.Invite
}

// TokenFromLink extracts the token from an activation link.
func TokenFromLink(t testing.TB, link string) string {
	t.Helper()
	_, tok, ok := strings.Cut(link, "/activate?token=")
	if !ok {
		t.Fatalf("not an activation link: %q", link)
	}
	if i := strings.IndexAny(tok, "\"'<> \n\r"); i >= 0 {
		tok = tok[:i]
	}
	return tok
}

// UserByID reads a user of org straight from the store, with its latest invite.
func (e *Env) UserByID(org Org, id uuid.UUID) people.User {
	e.T.Helper()
	u, err := e.Store.User(context.Background(), org.ID, id)
	must(e.T, err)
	return u
}

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// fixtures are the people the suites work with, passed to them as JSON.
type fixtures struct {
	Org   string `json:"org"`
	Owner person `json:"owner"`
	// Curator is a confirmed curator without the People permission.
	Curator person `json:"curator"`
	// Learner is a confirmed learner.
	Learner person `json:"learner"`
	// QuickStart is invited once: the seed's quick start re-invites them.
	QuickStart person `json:"quick_start"`
	// Bounced is invited once; the suite makes that email bounce.
	Bounced person `json:"bounced"`
	// Typed and Generated are invited; an administrator sets their passwords.
	Typed     person `json:"typed"`
	Generated person `json:"generated"`
	// HR is a confirmed HR manager: people, but not the webhooks.
	HR person `json:"hr"`
	// Blocked are invited at a domain whose mail server blocks the
	// invitations, once the suite reports them blocked.
	Blocked []person `json:"blocked"`
	// Reused is a confirmed admin whose session the suite replays.
	Reused person `json:"reused"`
	// Expired holds an invitation link that expired yesterday.
	Expired person `json:"expired"`
	// Handed is invited; a manager hands them a link instead.
	Handed person `json:"handed"`
	// Revoked is invited; a manager revokes the invitation.
	Revoked person `json:"revoked"`
	// BulkQuery finds BulkCount invited people, more than a page.
	BulkQuery string `json:"bulk_query"`
	BulkCount int    `json:"bulk_count"`
}

type person struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password,omitempty"`
	Link     string `json:"link,omitempty"`
}

// seed fills the organization "acme" through the service itself, so the
// data obeys every rule: what the binary finds is what its own requests
// would have made.
func seed(t *testing.T, e *apitest.Env) fixtures {
	t.Helper()
	ctx := context.Background()
	org, owner, err := e.Service.CreateOrganization(ctx, people.NewOrganization{Slug: "acme", Name: "Acme Learning",
		OwnerEmail: "olive.owner@acme.test", OwnerFirst: "Olive", OwnerLast: "Owner", OwnerPassword: apitest.Password})
	if err != nil {
		t.Fatal(err)
	}
	o := apitest.Org{Organization: org, Owner: owner}
	add := func(first, last string, opts apitest.UserOpts) person {
		opts.FirstName, opts.LastName = first, last
		if opts.Email == "" {
			opts.Email = strings.ToLower(first + "." + last + "@acme.test")
		}
		u := e.User(o, opts)
		p := person{Email: u.Email, Name: first + " " + last}
		if opts.Status == people.Confirmed {
			p.Password = apitest.Password
		}
		return p
	}
	// The people of the blocking domain and the bulk people come first, so
	// that the named ones are the newest.
	f := fixtures{BulkQuery: "bulk-", BulkCount: 60}
	f.Blocked = []person{
		add("Hank", "Scorpio", apitest.UserOpts{Email: "hank.scorpio@globex.example"}),
		add("Frank", "Grimes", apitest.UserOpts{Email: "frank.grimes@globex.example"}),
	}
	for i := range f.BulkCount {
		e.User(o, apitest.UserOpts{Email: fmt.Sprintf("bulk-%02d@acme.test", i+1), FirstName: "Bulk", LastName: fmt.Sprintf("Person %02d", i+1)})
	}
	f.Org, f.Owner = org.Slug, person{Email: owner.Email, Name: "Olive Owner", Password: apitest.Password}
	f.Curator = add("Carl", "Curator", apitest.UserOpts{Role: people.Curator, Status: people.Confirmed})
	f.Learner = add("Lena", "Learner", apitest.UserOpts{Status: people.Confirmed})
	f.Reused = add("Rita", "Admin", apitest.UserOpts{Role: people.Admin, Status: people.Confirmed})
	f.QuickStart = add("Grace", "Hopper", apitest.UserOpts{})
	f.Bounced = add("Katherine", "Johnson", apitest.UserOpts{})
	f.Typed = add("Alan", "Turing", apitest.UserOpts{})
	f.Generated = add("Barbara", "Liskov", apitest.UserOpts{})
	add("Edsger", "Dijkstra", apitest.UserOpts{Email: "edsger.dijkstra@gmial.com"})
	f.HR = add("Frances", "Allen", apitest.UserOpts{Role: people.HR, Status: people.Confirmed})
	add("Ken", "Thompson", apitest.UserOpts{Status: people.Deactivated})
	add("Radia", "Perlman", apitest.UserOpts{NoInvite: true})
	f.Handed = add("John", "McCarthy", apitest.UserOpts{})
	f.Revoked = add("Donald", "Knuth", apitest.UserOpts{})

	// An invitation sent eight days ago expired yesterday.
	e.Clock.Advance(-8 * 24 * time.Hour)
	expired := e.User(o, apitest.UserOpts{Email: "margaret.hamilton@acme.test", FirstName: "Margaret", LastName: "Hamilton"})
	e.Clock.Advance(8 * 24 * time.Hour)
	f.Expired = person{Email: expired.Email, Name: "Margaret Hamilton"}
	f.Expired.Link = "/activate?token=" + e.InviteToken(e.LatestInvite(expired).ID)

	return f
}

// Package bench measures the people API on PostgreSQL: a deterministic data
// set written straight into the schema the migrations create, the plans of
// the listing queries, and what the load-test commands under it share.
// None of it is part of the product binary.
package bench

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/people"
)

// Spec describes a data set. The same Spec always yields the same rows.
type Spec struct {
	// Seed drives every random choice.
	Seed uint64
	// Now anchors the timestamps: users were created during the two years
	// before it, and the latest invitations of some are still live at it.
	Now time.Time
	// Slug names the measured organization; its owner is OwnerEmail.
	Slug       string
	OwnerEmail string
	// Users is the size of the measured organization, owner included.
	Users int
	// PendingShare and DeactivatedShare split every organization's users
	// by status; the rest are confirmed.
	PendingShare     float64
	DeactivatedShare float64
	// OtherOrgs organizations of OtherUsersMin to OtherUsersMax users each
	// share the tables with the measured one, as tenants do.
	OtherOrgs     int
	OtherUsersMin int
	OtherUsersMax int
	// PasswordHash is stored for every user who has a password: one real
	// argon2id hash, so that sign-in works, computed once.
	PasswordHash string
}

// DefaultSpec is the data set of BENCHMARKS.md: 100,000 users in one
// organization, 30 % of them invite-pending, next to 1,000 other
// organizations of 10 to 90 users.
func DefaultSpec(now time.Time, passwordHash string) Spec {
	return Spec{
		Seed: 1, Now: now.UTC().Truncate(24 * time.Hour), Slug: "bench", OwnerEmail: "owner@bench.example",
		Users: 100_000, PendingShare: 0.30, DeactivatedShare: 0.05,
		OtherOrgs: 1_000, OtherUsersMin: 10, OtherUsersMax: 90, PasswordHash: passwordHash,
	}
}

// DataSet is the generated rows, in insertion order.
type DataSet struct {
	Organizations []people.Organization
	Users         []people.User
	Invites       []people.Invite
	// Org and Owner are the measured organization and its owner.
	Org   people.Organization
	Owner people.User
}

// Generate builds the data set of spec in memory.
func Generate(spec Spec) (*DataSet, error) {
	if spec.Users < 1 || spec.PendingShare < 0 || spec.DeactivatedShare < 0 || spec.PendingShare+spec.DeactivatedShare > 1 ||
		spec.OtherUsersMin < 1 || spec.OtherUsersMax < spec.OtherUsersMin || spec.PasswordHash == "" || spec.Now.IsZero() {
		return nil, fmt.Errorf("bench: invalid data set spec %+v", spec)
	}
	g := &generator{
		spec: spec, ds: &DataSet{},
		rng: rand.New(rand.NewPCG(spec.Seed, 0x1a71_7ed0)), //nolint:gosec // reproducible test data, not secrets
	}
	g.ds.Org, g.ds.Owner = g.organization(spec.Slug, "Bench Learning Ltd", spec.OwnerEmail, spec.Users)
	for i := 1; i <= spec.OtherOrgs; i++ {
		n := spec.OtherUsersMin + g.rng.IntN(spec.OtherUsersMax-spec.OtherUsersMin+1)
		g.organization(fmt.Sprintf("tenant-%04d", i), fmt.Sprintf("Tenant %04d", i), fmt.Sprintf("owner@tenant-%04d.example", i), n)
	}
	return g.ds, nil
}

type generator struct {
	spec Spec
	rng  *rand.Rand
	ds   *DataSet
}

const (
	day       = 24 * time.Hour
	inviteTTL = 7 * day
	history   = 730 * day
)

// organization adds an organization whose owner is its first user; the
// other users' statuses are dealt from a shuffled deck so each share is exact.
func (g *generator) organization(slug, name, ownerEmail string, size int) (people.Organization, people.User) {
	created := g.spec.Now.Add(-history - day)
	org := people.Organization{ID: g.id(created), Slug: slug, Name: name, InviteTTL: inviteTTL, CreatedAt: created, UpdatedAt: created}
	g.ds.Organizations = append(g.ds.Organizations, org)

	owner := people.User{ID: g.id(created), OrganizationID: org.ID, Email: ownerEmail, FirstName: "Olive", LastName: "Owner",
		Role: people.Owner, Status: people.Confirmed, PasswordHash: g.spec.PasswordHash, CreatedAt: created, UpdatedAt: created,
		ConfirmedAt: &created}
	g.ds.Users = append(g.ds.Users, owner)

	others := size - 1
	pending := int(float64(others)*g.spec.PendingShare + 0.5)
	deactivated := int(float64(others)*g.spec.DeactivatedShare + 0.5)
	deck := make([]people.Status, others)
	for i := range deck {
		switch {
		case i < pending:
			deck[i] = people.InvitePending
		case i < pending+deactivated:
			deck[i] = people.Deactivated
		default:
			deck[i] = people.Confirmed
		}
	}
	g.rng.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })

	// Creation times spread over the history, in order, as sign-ups arrive.
	times := make([]time.Time, others)
	for i := range times {
		times[i] = created.Add(day + time.Duration(g.rng.Int64N(int64(history-day)))).Truncate(time.Microsecond)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i, st := range deck {
		g.user(org, owner, i+1, times[i], st)
	}
	return org, owner
}

// user adds one user in status st with the invitation history that leads there.
func (g *generator) user(org people.Organization, owner people.User, n int, created time.Time, st people.Status) {
	first := firstNames[g.rng.IntN(len(firstNames))]
	surname := g.lastName()
	domain, suggestion := g.domain()
	u := people.User{
		ID: g.id(created), OrganizationID: org.ID, FirstName: first, LastName: surname,
		Email: fmt.Sprintf("%s.%s.%d@%s", asciiLower(first), asciiLower(surname), n, domain),
		Role:  g.role(), Status: st, CreatedAt: created, UpdatedAt: created,
	}
	if suggestion != "" {
		local, _, _ := strings.Cut(u.Email, "@")
		u.EmailSuggestion = local + "@" + suggestion
	}
	if u.Role == people.Curator && g.rng.IntN(2) == 0 {
		u.Permissions = []people.Permission{people.PermissionPeople}
	}

	// How the story ends decides how many invitations there were and what
	// became of the last one.
	var end func(last *people.Invite)
	sends := 1 + g.rng.IntN(3)
	switch st {
	case people.InvitePending:
		end = func(*people.Invite) {}
	case people.Confirmed:
		u.PasswordHash = g.spec.PasswordHash
		if g.rng.IntN(100) < 85 { // accepted an invitation
			end = func(last *people.Invite) {
				at := g.between(last.CreatedAt, minTime(last.ExpiresAt, g.spec.Now))
				last.AcceptedAt, u.ConfirmedAt, u.UpdatedAt = &at, &at, at
			}
		} else { // an administrator set a password
			end = func(last *people.Invite) {
				at := g.between(last.CreatedAt, g.spec.Now)
				g.revoke(last, people.RevokedPasswordSet, at)
				u.ConfirmedAt, u.UpdatedAt, u.MustChangePassword = &at, at, g.rng.IntN(2) == 0
			}
		}
	case people.Deactivated:
		accepted := g.rng.IntN(100) < 60
		end = func(last *people.Invite) {
			from := last.CreatedAt
			if accepted {
				at := g.between(last.CreatedAt, minTime(last.ExpiresAt, g.spec.Now))
				last.AcceptedAt, u.ConfirmedAt, u.PasswordHash = &at, &at, g.spec.PasswordHash
				from = at
			}
			at := g.between(from, g.spec.Now)
			if !accepted {
				g.revoke(last, people.RevokedDeactivated, at)
			}
			u.DeactivatedAt, u.UpdatedAt = &at, at
		}
	}

	at := created
	var last *people.Invite
	for seq := 1; seq <= sends; seq++ {
		if last != nil {
			at = g.between(at, g.spec.Now)
			g.revoke(last, people.RevokedSuperseded, at)
		}
		inv := g.invite(org, owner, u, seq, at)
		g.ds.Invites = append(g.ds.Invites, inv)
		last = &g.ds.Invites[len(g.ds.Invites)-1]
		at = at.Add(time.Minute) // the next event is at least a minute later
	}
	latestID, latestAt := last.ID, last.CreatedAt
	u.LatestInviteID, u.LastInvitedAt, u.UpdatedAt = &latestID, &latestAt, latestAt
	end(last) // last stays valid: nothing was appended since it was taken
	g.ds.Users = append(g.ds.Users, u)
}

// invite is one sent invitation, with what the provider reported about it.
func (g *generator) invite(org people.Organization, owner people.User, u people.User, seq int, at time.Time) people.Invite {
	inv := people.Invite{
		ID: g.id(at), OrganizationID: org.ID, UserID: u.ID, CreatedBy: &owner.ID, Sequence: seq, KeyID: "k1",
		CreatedAt: at, ExpiresAt: at.Add(inviteTTL).Truncate(time.Second),
		Delivery:        people.Delivery{Status: people.DeliveryQueued, UpdatedAt: at},
		RecipientDomain: u.Email[strings.IndexByte(u.Email, '@')+1:], LastEmailedAt: at,
	}
	status, reason := g.delivery()
	if status == people.DeliveryQueued {
		return inv
	}
	inv.Delivery.Attempts = 1
	sent := at.Add(time.Duration(1+g.rng.IntN(5)) * time.Second)
	inv.Delivery.UpdatedAt = sent
	if status == people.DeliveryFailed {
		inv.Delivery.Status, inv.Delivery.Reason = status, reason
		return inv
	}
	inv.Delivery.SentAt = &sent
	inv.Delivery.MessageID = fmt.Sprintf("sg-%016x", g.rng.Uint64())
	inv.Delivery.Status, inv.Delivery.Reason = status, reason
	if status != people.DeliverySent {
		event := sent.Add(time.Duration(1+g.rng.IntN(120)) * time.Second)
		inv.Delivery.EventAt, inv.Delivery.UpdatedAt = &event, event
	}
	return inv
}

func (g *generator) revoke(inv *people.Invite, reason people.RevokeReason, at time.Time) {
	inv.RevokedAt, inv.RevokeReason = &at, reason
}

// delivery draws what became of an email: mostly delivered, a few percent
// of each way of getting lost.
func (g *generator) delivery() (people.DeliveryStatus, string) {
	switch p := g.rng.IntN(1000); {
	case p < 790:
		return people.DeliveryDelivered, ""
	case p < 870:
		return people.DeliverySent, ""
	case p < 910:
		return people.DeliveryBounced, "550 5.1.1 The email account that you tried to reach does not exist"
	case p < 930:
		return people.DeliveryDeferred, "421 4.7.0 Try again later"
	case p < 945:
		return people.DeliveryBlocked, "554 5.7.1 Service unavailable; client host blocked"
	case p < 960:
		return people.DeliveryDropped, "Bounced Address"
	case p < 970:
		return people.DeliverySpamReport, ""
	case p < 985:
		return people.DeliveryQueued, ""
	default:
		return people.DeliveryFailed, "400 The from address does not match a verified Sender Identity"
	}
}

func (g *generator) role() people.Role {
	switch p := g.rng.IntN(1000); {
	case p < 2:
		return people.Admin
	case p < 12:
		return people.HR
	case p < 32:
		return people.Curator
	default:
		return people.Learner
	}
}

// lastName is a common surname most of the time and otherwise an invented
// one, so a search for a surname matches a realistic few rows.
func (g *generator) lastName() string {
	if g.rng.IntN(10) < 7 {
		return lastNames[g.rng.IntN(len(lastNames))]
	}
	var b strings.Builder
	for i := range 2 + g.rng.IntN(2) {
		s := syllables[g.rng.IntN(len(syllables))]
		if i == 0 {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		b.WriteString(s)
	}
	return b.String()
}

// domain is the email's domain and, for the few mistyped ones, the
// correction the service would suggest.
func (g *generator) domain() (string, string) {
	if g.rng.IntN(200) == 0 {
		t := typoDomains[g.rng.IntN(len(typoDomains))]
		return t[0], t[1]
	}
	return domains[g.rng.IntN(len(domains))], ""
}

// between is a random instant in [from, to), or from when the range is empty.
func (g *generator) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(g.rng.Int64N(int64(to.Sub(from))))).Truncate(time.Microsecond)
}

// id is a version 7 UUID for time t, as the service makes them, with
// reproducible random bits.
func (g *generator) id(t time.Time) uuid.UUID {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], g.rng.Uint64())
	binary.BigEndian.PutUint64(u[0:], uint64(t.UnixMilli())<<16|g.rng.Uint64()&0xffff) //nolint:gosec // times after 1970
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	return u
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		default:
			return -1
		}
	}, s)
}

package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// R1: the status filter takes any set of statuses, as a comma list or a
// repeated parameter, and only the caller's organization is listed.
func TestListUsersStatusFilter(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org, other := e.Org(), e.Org()
		pending := e.User(org, apitest.UserOpts{})
		neverInvited := e.User(org, apitest.UserOpts{NoInvite: true})
		confirmed := e.User(org, apitest.UserOpts{Status: people.Confirmed})
		deactivated := e.User(org, apitest.UserOpts{Status: people.Deactivated})
		e.User(other, apitest.UserOpts{})
		e.User(other, apitest.UserOpts{Status: people.Confirmed})

		all := []uuid.UUID{org.Owner.ID, pending.ID, neverInvited.ID, confirmed.ID, deactivated.ID}
		for _, tc := range []struct {
			query string
			want  []uuid.UUID
			// lenient: the server accepts it though it is outside the contract.
			lenient bool
		}{
			{"", all, false},
			{"status=", all, true},
			{"status=invite_pending", []uuid.UUID{pending.ID, neverInvited.ID}, false},
			{"status=confirmed", []uuid.UUID{org.Owner.ID, confirmed.ID}, false},
			{"status=deactivated", []uuid.UUID{deactivated.ID}, false},
			{"status=confirmed,deactivated", []uuid.UUID{org.Owner.ID, confirmed.ID, deactivated.ID}, false},
			{"status=confirmed&status=deactivated", []uuid.UUID{org.Owner.ID, confirmed.ID, deactivated.ID}, false},
			{"status=invite_pending,+confirmed", []uuid.UUID{org.Owner.ID, pending.ID, neverInvited.ID, confirmed.ID}, true},
			{"status=deactivated,deactivated", []uuid.UUID{deactivated.ID}, true},
			{"status=invite_pending,confirmed,deactivated", all, false},
		} {
			var page api.UserList
			e.Do(apitest.Request{Method: http.MethodGet, Path: "/users?" + tc.query, Token: org.OwnerToken, Invalid: tc.lenient}).
				Expect(http.StatusOK).JSON(&page)
			require.ElementsMatch(t, tc.want, idsOf(page.Data), "query %q", tc.query)
			require.False(t, page.HasMore)
			require.Nil(t, page.NextCursor)
		}

		var counts api.UserCounts
		e.Get("/users/counts", org.OwnerToken).Expect(http.StatusOK).JSON(&counts)
		require.Equal(t, api.UserCounts{InvitePending: 2, Confirmed: 2, Deactivated: 1}, counts)
	})
}

// R1: q is a case-insensitive substring of the email, first or last name
// or the full name; LIKE's wildcards in it are plain characters. A term
// matches within one of those texts, never across the end of the email and
// the start of the name. Terms with three letters in a row and shorter ones
// take different statements on PostgreSQL (the trigram indexes, or a walk);
// both are here.
func TestListUsersSearch(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ada := e.User(org, apitest.UserOpts{Email: "ada.lovelace@example.com", FirstName: "Ada", LastName: "Lovelace"})
		grace := e.User(org, apitest.UserOpts{Email: "grace@navy.example", FirstName: "Grace", LastName: "Hopper", Status: people.Confirmed})
		emile := e.User(org, apitest.UserOpts{Email: "ezola@example.fr", FirstName: "Émile", LastName: "Zola"})
		percent := e.User(org, apitest.UserOpts{Email: "percy@example.org", FirstName: "Percy", LastName: "100% Sure"})
		under := e.User(org, apitest.UserOpts{Email: "under_score@example.org", FirstName: "Una", LastName: "Der"})
		e.User(e.Org(), apitest.UserOpts{Email: "ada@elsewhere.example", FirstName: "Ada", LastName: "Elsewhere"})

		for _, tc := range []struct {
			q    string
			want []people.User
		}{
			{"ada", []people.User{ada}},
			{"ADA", []people.User{ada}},
			{"  Lovelace  ", []people.User{ada}},
			{"LOVELACE@EXAMPLE", []people.User{ada}},
			{"hopp", []people.User{grace}},
			{"NAVY.example", []people.User{grace}},
			{"zola", []people.User{emile}},
			{"émile", []people.User{emile}},
			{"ÉMILE", []people.User{emile}},
			{"%", []people.User{percent}},
			{"100%", []people.User{percent}},
			{"_", []people.User{under}},
			{"example.org", []people.User{percent, under}},
			{"nobody", nil},
			// The full name, and nothing that straddles the email and the name.
			{"ada lovelace", []people.User{ada}},
			{"Grace Hopper", []people.User{grace}},
			{"ce hop", []people.User{grace}},
			{"example.com ada", nil},
			{"com ada", nil},
			{"m a", nil},
			{"navy.example grace", nil},
			{"lovelace ada", nil},
			{"ce h", []people.User{grace}},
			{"e z", []people.User{emile}},
		} {
			page := listUsers(e, org.OwnerToken, "q="+url.QueryEscape(tc.q))
			require.ElementsMatch(t, userIDs(tc.want...), idsOf(page.Data), "q=%q", tc.q)
		}

		// Search combines with the status filter.
		require.ElementsMatch(t, []uuid.UUID{grace.ID}, idsOf(listUsers(e, org.OwnerToken, "q=hop&status=confirmed").Data))
		require.Empty(t, listUsers(e, org.OwnerToken, "q=hop&status=invite_pending").Data)
	})
}

// R1: the role, delivery and invited_before filters, alone and together.
func TestListUsersOtherFilters(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		early := e.User(org, apitest.UserOpts{})
		e.Clock.Advance(time.Hour)
		cut := e.Clock.Now().UTC().Truncate(time.Second).Add(time.Second)
		e.Clock.Advance(time.Hour)
		bounced := e.User(org, apitest.UserOpts{Role: people.HR})
		curator := e.User(org, apitest.UserOpts{Role: people.Curator, NoInvite: true})
		e.DeliveryEvent(org, bounced.Invite.ID, sendgridtest.Bounce)
		token := e.Token(org.Owner) // the clock moved past the first token's life

		for _, tc := range []struct {
			query string
			want  []uuid.UUID
		}{
			{"role=hr", []uuid.UUID{bounced.ID}},
			{"role=owner,curator", []uuid.UUID{org.Owner.ID, curator.ID}},
			{"role=learner", []uuid.UUID{early.ID}},
			{"delivery_status=bounced", []uuid.UUID{bounced.ID}},
			{"delivery_status=queued", []uuid.UUID{early.ID}},
			{"delivery_status=queued,bounced&role=hr", []uuid.UUID{bounced.ID}},
			{"invited_before=" + url.QueryEscape(cut.Format(time.RFC3339)), []uuid.UUID{early.ID}}, // never invited: not before anything
			{"invited_before=" + url.QueryEscape(cut.Format(time.RFC3339)) + "&status=invite_pending", []uuid.UUID{early.ID}},
		} {
			page := listUsers(e, token, tc.query)
			require.ElementsMatch(t, tc.want, idsOf(page.Data), "query %q", tc.query)
		}
	})
}

// R1: an unknown filter value is a 400 that names the allowed values.
func TestListUsersRefusesBadFilters(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for _, tc := range []struct {
			query, field string
			mentions     []string
		}{
			{"status=pending", "status", []string{"invite_pending", "confirmed", "deactivated", `"pending"`}},
			{"status=confirmed,active", "status", []string{"invite_pending, confirmed, deactivated", `"active"`}},
			{"role=superuser", "role", []string{"owner, admin, hr, curator, learner"}},
			{"delivery_status=lost", "delivery_status", []string{"queued", "bounced", "spam_report"}},
			{"sort=name", "sort", []string{"-created_at, created_at, email, -last_invited_at"}},
			{"sort=-email", "sort", []string{"-created_at, created_at, email, -last_invited_at"}},
			{"limit=0", "limit", []string{"1 to 200"}},
			{"limit=201", "limit", []string{"1 to 200"}},
			{"limit=ten", "limit", []string{"1 to 200"}},
			{"invited_before=yesterday", "invited_before", []string{"RFC 3339"}},
			{"q=" + strings.Repeat("x", 101), "q", []string{"100"}},
			{"cursor=not-a-cursor", "cursor", []string{"next_cursor"}},
			{"stauts=confirmed", "stauts", []string{"status, q, role, delivery_status, invited_before, invited_by, sort, limit, cursor"}},
		} {
			p := e.OffContract().Get("/users?"+tc.query, org.OwnerToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
			require.Len(t, p.Errors, 1, "query %q", tc.query)
			require.Equal(t, tc.field, p.Errors[0].Field, "query %q", tc.query)
			for _, m := range tc.mentions {
				require.Contains(t, p.Errors[0].Message, m, "query %q", tc.query)
			}
		}

		// Every bad value is reported at once.
		p := e.OffContract().Get("/users?status=x&role=y&sort=z", org.OwnerToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
		fields := []string{}
		for _, f := range p.Errors {
			fields = append(fields, f.Field)
		}
		require.ElementsMatch(t, []string{"status", "role", "sort"}, fields)
	})
}

// A cursor belongs to the query that made it: replayed with another sort
// or other filters it would silently skip or repeat rows, so it is refused.
func TestListUsersCursorIsBoundToItsQuery(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for range 3 {
			e.User(org, apitest.UserOpts{})
		}
		page := listUsers(e, org.OwnerToken, "limit=1&status=invite_pending")
		require.True(t, page.HasMore)
		require.NotNil(t, page.NextCursor)
		c := *page.NextCursor

		listUsers(e, org.OwnerToken, "limit=1&status=invite_pending&cursor="+c)
		listUsers(e, org.OwnerToken, "limit=5&status=invite_pending&cursor="+c) // the page size may change
		for _, q := range []string{"limit=1&cursor=", "limit=1&status=invite_pending&sort=email&cursor=", "limit=1&status=invite_pending&q=a&cursor="} {
			p := e.Get("/users?"+q+c, org.OwnerToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
			require.Equal(t, "cursor", p.Errors[0].Field)
		}
	})
}

var userSorts = []string{"-created_at", "created_at", "email", "-last_invited_at"}

// R1: paging by cursor neither skips nor repeats a row that existed when
// paging began, in a stable order, for every sort, while users are added
// between pages before the cursor, after it and tied with it.
func TestListUsersPagingIsStableUnderInserts(t *testing.T) {
	t.Parallel()
	for _, sort := range userSorts {
		t.Run(sort, func(t *testing.T) {
			t.Parallel()
			apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
				testPagingUnderInserts(t, e, sort)
			})
		})
	}
}

func testPagingUnderInserts(t *testing.T, e *apitest.Env, sort string) {
	org := e.Org()
	var seeded []people.User
	for i := range 14 {
		e.Clock.Advance(time.Second)
		seeded = append(seeded, e.User(org, apitest.UserOpts{Email: fmt.Sprintf("m%02d@example.com", i), NoInvite: i%5 == 0}))
	}
	// Ties on every sort key, so that page boundaries fall inside them.
	tie := e.Clock.Now().UTC().Add(-7 * time.Second).Truncate(time.Microsecond)
	e.Exec("UPDATE users SET created_at = ? WHERE id IN ?", tie, userIDs(seeded[2], seeded[3], seeded[4]))
	e.Exec("UPDATE users SET last_invited_at = ? WHERE id IN ?", tie, userIDs(seeded[6], seeded[7], seeded[8]))

	base := "sort=" + url.QueryEscape(sort)
	initial := listUsers(e, org.OwnerToken, base+"&limit=200")
	require.False(t, initial.HasMore)
	require.Len(t, initial.Data, 15)
	initialIDs := idsOf(initial.Data)
	requireSorted(t, e, org, sort, initialIDs)
	require.Equal(t, initialIDs, idsOf(listUsers(e, org.OwnerToken, base+"&limit=200").Data), "the order is stable")

	var seen []uuid.UUID
	cursor := ""
	for page := 0; ; page++ {
		require.Less(t, page, 40, "paging does not end")
		q := base + "&limit=4"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		p := listUsers(e, org.OwnerToken, q)
		require.NotEmpty(t, p.Data)
		seen = append(seen, idsOf(p.Data)...)
		if !p.HasMore {
			require.Nil(t, p.NextCursor)
			break
		}
		require.NotNil(t, p.NextCursor)
		cursor = *p.NextCursor
		if page < 6 {
			insertAround(t, e, org, p.Data[len(p.Data)-1].ID, page)
		}
	}

	for i, id := range seen {
		require.NotContains(t, seen[i+1:], id, "row %s repeated", id)
	}
	var initialSeen []uuid.UUID
	for _, id := range seen {
		if slices.Contains(initialIDs, id) {
			initialSeen = append(initialSeen, id)
		}
	}
	require.Equal(t, initialIDs, initialSeen, "every row that existed is listed once, in the original order")
}

// insertAround adds three users while a client holds a cursor after last:
// one newer than everything, one older than everything, and one whose sort
// key equals last's.
func insertAround(t *testing.T, e *apitest.Env, org apitest.Org, last uuid.UUID, n int) {
	t.Helper()
	e.User(org, apitest.UserOpts{Email: fmt.Sprintf("a-new-%d@example.com", n)})

	e.Clock.Advance(-1000 * time.Hour)
	e.User(org, apitest.UserOpts{Email: fmt.Sprintf("z-old-%d@example.com", n)})
	e.User(org, apitest.UserOpts{Email: fmt.Sprintf("z-old-%d-silent@example.com", n), NoInvite: true})
	e.Clock.Advance(1000 * time.Hour)

	at := storedUser(t, e, people.User{ID: last, OrganizationID: org.ID})
	tied := e.User(org, apitest.UserOpts{Email: at.Email[:strings.Index(at.Email, "@")] + fmt.Sprintf("-tie%d@example.com", n)})
	e.Exec("UPDATE users SET created_at = ?, last_invited_at = ? WHERE id = ?", at.CreatedAt, at.LastInvitedAt, tied.ID)
}

// requireSorted checks that ids are in the order sort promises, with the
// id breaking ties, reading the sort keys from the database.
func requireSorted(t *testing.T, e *apitest.Env, org apitest.Org, sort string, ids []uuid.UUID) {
	t.Helper()
	users := make([]people.User, len(ids))
	for i, id := range ids {
		u, err := e.Store.User(context.Background(), org.ID, id)
		require.NoError(t, err)
		users[i] = u
	}
	for i := 1; i < len(users); i++ {
		a, b := users[i-1], users[i]
		require.Negative(t, compareBySort(sort, a, b), "%s: %s listed before %s", sort, a.Email, b.Email)
	}
}

func compareBySort(sort string, a, b people.User) int {
	byID := compareIDs(a.ID, b.ID)
	switch sort {
	case "created_at":
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return byID
	case "email":
		if c := strings.Compare(a.Email, b.Email); c != 0 {
			return c
		}
		return byID
	case "-last_invited_at":
		switch {
		case a.LastInvitedAt == nil && b.LastInvitedAt == nil:
			return -byID
		case a.LastInvitedAt == nil:
			return 1 // never invited: last
		case b.LastInvitedAt == nil:
			return -1
		}
		if c := b.LastInvitedAt.Compare(*a.LastInvitedAt); c != 0 {
			return c
		}
		return -byID
	default:
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return -byID
	}
}

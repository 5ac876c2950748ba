package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// Paging two users at a time gives exactly the order of one big page, for
// every sort order with and without a status filter, and that order is the
// documented one. The last-invited order puts never-invited users last, and
// a page boundary among them or right before them must lose no one.
func TestListPagesFollowTheSortOrder(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		var resendLater []people.User
		for i, name := range []string{"mona", "ava", "zed", "lea", "bob", "kim", "eve"} {
			e.Clock.Advance(time.Minute)
			u := e.User(org, apitest.UserOpts{Email: name + "@example.com", NoInvite: i%3 == 1})
			if i%3 == 2 {
				resendLater = append(resendLater, u)
			}
		}
		e.User(org, apitest.UserOpts{Email: "carl@example.com", Status: people.Confirmed})
		for _, u := range resendLater { // their last invitation is now the newest
			e.Clock.Advance(time.Minute)
			e.Post("/users/"+u.ID.String()+"/resend-invite", org.OwnerToken, nil).Expect(http.StatusAccepted)
		}

		for _, sort := range []string{"-created_at", "created_at", "email", "-last_invited_at"} {
			for _, status := range []string{"", "invite_pending"} {
				t.Run(sort+"/"+status, func(t *testing.T) {
					query := url.Values{"sort": {sort}}
					if status != "" {
						query.Set("status", status)
					}
					var all api.UserList
					e.Get("/users?"+query.Encode()+"&limit=200", org.OwnerToken).Expect(http.StatusOK).JSON(&all)
					require.False(t, all.HasMore)
					require.True(t, slices.IsSortedFunc(all.Data, byListOrder(sort)), "%s is out of order: %v", sort, emails(all.Data))
					want := 9 // seven users, carl and the owner
					if status != "" {
						want = 7
					}
					require.Len(t, all.Data, want)

					var paged []api.User
					cursor := ""
					for range want {
						path := "/users?" + query.Encode() + "&limit=2"
						if cursor != "" {
							path += "&cursor=" + url.QueryEscape(cursor)
						}
						var page api.UserList
						e.Get(path, org.OwnerToken).Expect(http.StatusOK).JSON(&page)
						paged = append(paged, page.Data...)
						if !page.HasMore {
							break
						}
						require.NotNil(t, page.NextCursor)
						cursor = *page.NextCursor
					}
					require.Equal(t, emails(all.Data), emails(paged))
				})
			}
		}
	})
}

// byListOrder compares users as GET /users documents each sort order; ids
// break ties in the direction of the main key.
func byListOrder(sort string) func(a, b api.User) int {
	id := func(a, b api.User) int { return strings.Compare(a.ID.String(), b.ID.String()) }
	return func(a, b api.User) int {
		switch sort {
		case "created_at":
			return cmpOr(a.CreatedAt.Compare(b.CreatedAt), id(a, b))
		case "email":
			return cmpOr(strings.Compare(a.Email, b.Email), id(a, b))
		case "-last_invited_at":
			ai, bi := a.Invite != nil, b.Invite != nil
			switch {
			case ai && bi:
				return -cmpOr(a.Invite.CreatedAt.Compare(b.Invite.CreatedAt), id(a, b))
			case ai != bi: // never invited last
				if ai {
					return -1
				}
				return 1
			default:
				return -id(a, b)
			}
		default:
			return -cmpOr(a.CreatedAt.Compare(b.CreatedAt), id(a, b))
		}
	}
}

func cmpOr(c, next int) int {
	if c != 0 {
		return c
	}
	return next
}

func emails(us []api.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Email
	}
	return out
}

// Pages are read into memory reused from one listing to the next: every
// row of every page is the user as GET /users/{id} shows them, whatever
// the rows of the pages before held (invitations, inviters, permissions,
// times).
func TestListRowsAreTheUsersThemselves(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for i := range 7 {
			e.Clock.Advance(time.Minute)
			o := apitest.UserOpts{NoInvite: i%3 == 1}
			switch i % 4 {
			case 1:
				o.Status = people.Confirmed
			case 2:
				o.Role, o.Permissions = people.Curator, []people.Permission{people.PermissionPeople}
			}
			e.User(org, o)
		}
		for range 2 { // the same pages again, into memory the first time filled
			for _, sort := range []string{"-created_at", "email", "-last_invited_at"} {
				cursor := ""
				for {
					path := "/users?sort=" + sort + "&limit=2"
					if cursor != "" {
						path += "&cursor=" + url.QueryEscape(cursor)
					}
					var page api.UserList
					e.Get(path, org.OwnerToken).Expect(http.StatusOK).JSON(&page)
					for _, row := range page.Data {
						var alone api.User
						e.Get("/users/"+row.ID.String(), org.OwnerToken).Expect(http.StatusOK).JSON(&alone)
						require.Equal(t, alone, row, "%s: %s", sort, row.Email)
					}
					if !page.HasMore {
						break
					}
					cursor = *page.NextCursor
				}
			}
		}
	})
}

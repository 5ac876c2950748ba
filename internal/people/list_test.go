package people

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apperr"
)

func TestParseUserFilterDefaultsAndValues(t *testing.T) {
	t.Parallel()
	f, err := ParseUserFilter(ListUsersParams{})
	require.NoError(t, err)
	require.Equal(t, UserFilter{Sort: SortNewest, Limit: DefaultPageSize}, f)

	f, err = ParseUserFilter(ListUsersParams{Status: "deactivated, invite_pending,deactivated", Role: "hr,admin",
		DeliveryStatus: "bounced", Q: "  ADA Lovelace ", InvitedBefore: "2026-11-01T10:00:00+02:00", Sort: "email", Limit: "200"})
	require.NoError(t, err)
	require.Equal(t, []Status{Deactivated, InvitePending}, f.Statuses, "deduplicated and sorted")
	require.Equal(t, []Role{Admin, HR}, f.Roles)
	require.Equal(t, []DeliveryStatus{DeliveryBounced}, f.DeliveryStatuses)
	require.Equal(t, "ada lovelace", f.Query)
	require.Equal(t, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), *f.InvitedBefore)
	require.Equal(t, SortEmail, f.Sort)
	require.Equal(t, 200, f.Limit)
}

func TestParseUserFilterNamesAllowedValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p       ListUsersParams
		field   string
		message string
	}{
		{ListUsersParams{Status: "active"}, "status", `status must be a comma-separated list of invite_pending, confirmed, deactivated, got "active"`},
		{ListUsersParams{Role: "root"}, "role", `role must be a comma-separated list of owner, admin, hr, curator, learner, got "root"`},
		{ListUsersParams{DeliveryStatus: "lost"}, "delivery_status", "queued, sending, sent, delivered, deferred, bounced, blocked, dropped, spam_report, failed"},
		{ListUsersParams{Sort: "name"}, "sort", `sort must be one of -created_at, created_at, email, -last_invited_at, got "name"`},
		{ListUsersParams{Limit: "0"}, "limit", "from 1 to 200"},
		{ListUsersParams{Limit: "1.5"}, "limit", "from 1 to 200"},
		{ListUsersParams{InvitedBefore: "2026-11-01"}, "invited_before", "RFC 3339"},
		{ListUsersParams{Q: string(make([]rune, MaxQueryLength+1))}, "q", "at most 100"},
		{ListUsersParams{Cursor: "%%%"}, "cursor", "next_cursor"},
	} {
		_, err := ParseUserFilter(tc.p)
		require.True(t, apperr.Is(err, apperr.InvalidRequest), "%+v", tc.p)
		fields := apperr.As(err).Fields
		require.Len(t, fields, 1)
		require.Equal(t, tc.field, fields[0].Field)
		require.Contains(t, fields[0].Message, tc.message)
	}
}

// A cursor continues only the query that made it, and carries the key of
// the sort it belongs to.
func TestUserCursorRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 20, 9, 30, 0, 123456000, time.UTC)
	u := User{ID: uuid.Must(uuid.NewV7()), Email: "ada@example.com", CreatedAt: at, LastInvitedAt: &at}
	for _, sort := range UserSorts {
		f, err := ParseUserFilter(ListUsersParams{Status: "invite_pending", Q: "ada", Sort: string(sort)})
		require.NoError(t, err)
		c := f.cursorAfter(u)

		next, err := ParseUserFilter(ListUsersParams{Status: "invite_pending", Q: "ADA ", Sort: string(sort), Limit: "5", Cursor: c})
		require.NoError(t, err, "the same query, however spelled, with another page size")
		require.Equal(t, u.ID, next.After.ID)
		switch sort {
		case SortEmail:
			require.Equal(t, u.Email, next.After.Email)
		case SortLastInvitedD:
			require.True(t, at.Equal(*next.After.LastInvitedAt))
		case SortNewest, SortOldest:
			require.True(t, at.Equal(next.After.CreatedAt))
		}

		for _, other := range []ListUsersParams{
			{Status: "confirmed", Q: "ada", Sort: string(sort)},
			{Status: "invite_pending", Q: "bob", Sort: string(sort)},
			{Status: "invite_pending", Q: "ada", Sort: string(sort), Role: "learner"},
			{Status: "invite_pending", Q: "ada", Sort: string(sort), InvitedBefore: "2026-01-01T00:00:00Z"},
		} {
			other.Cursor = c
			_, err := ParseUserFilter(other)
			require.True(t, apperr.Is(err, apperr.InvalidRequest), "%s cursor replayed on %+v", sort, other)
		}
	}

	f, err := ParseUserFilter(ListUsersParams{Sort: string(SortLastInvitedD)})
	require.NoError(t, err)
	never := f.cursorAfter(User{ID: u.ID})
	next, err := ParseUserFilter(ListUsersParams{Sort: string(SortLastInvitedD), Cursor: never})
	require.NoError(t, err)
	require.Nil(t, next.After.LastInvitedAt, "a never-invited user's cursor says so")
}

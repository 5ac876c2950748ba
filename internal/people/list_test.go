package people

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apperr"
)

func TestUserQueryDefaultsAndValues(t *testing.T) {
	t.Parallel()
	f, err := UserQuery{}.Filter()
	require.NoError(t, err)
	require.Equal(t, UserFilter{Sort: SortNewest, Limit: DefaultPageSize}, f)

	before := time.Date(2026, 11, 1, 10, 0, 0, 0, time.FixedZone("", 2*3600))
	f, err = UserQuery{Statuses: []Status{Deactivated, InvitePending, Deactivated}, Roles: []Role{HR, Admin},
		DeliveryStatuses: []DeliveryStatus{DeliveryBounced}, Q: "  ADA Lovelace ", InvitedBefore: &before, Sort: SortEmail, Limit: 200}.Filter()
	require.NoError(t, err)
	require.Equal(t, []Status{Deactivated, InvitePending}, f.Statuses, "deduplicated and sorted")
	require.Equal(t, []Role{Admin, HR}, f.Roles)
	require.Equal(t, []DeliveryStatus{DeliveryBounced}, f.DeliveryStatuses)
	require.Equal(t, "ada lovelace", f.Query)
	require.Equal(t, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), *f.InvitedBefore)
	require.Equal(t, SortEmail, f.Sort)
	require.Equal(t, 200, f.Limit)
}

func TestUserQueryNamesAllowedValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q       UserQuery
		field   string
		message string
	}{
		{UserQuery{Statuses: []Status{"active"}}, "status", `status must be a comma-separated list of invite_pending, confirmed, deactivated, got "active"`},
		{UserQuery{Roles: []Role{"root"}}, "role", `role must be a comma-separated list of owner, admin, hr, curator, learner, got "root"`},
		{UserQuery{DeliveryStatuses: []DeliveryStatus{"lost"}}, "delivery_status", "queued, sent, delivered, deferred, bounced, blocked, dropped, spam_report, failed"},
		{UserQuery{Sort: "name"}, "sort", `sort must be one of -created_at, created_at, email, -last_invited_at, got "name"`},
		{UserQuery{Limit: -1}, "limit", "from 1 to 200"},
		{UserQuery{Limit: 201}, "limit", "from 1 to 200"},
		{UserQuery{Q: string(make([]rune, MaxQueryLength+1))}, "q", "at most 100"},
		{UserQuery{Cursor: "%%%"}, "cursor", "next_cursor"},
	} {
		_, err := tc.q.Filter()
		require.True(t, apperr.Is(err, apperr.InvalidRequest), "%+v", tc.q)
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
		f, err := UserQuery{Statuses: []Status{InvitePending}, Q: "ada", Sort: sort}.Filter()
		require.NoError(t, err)
		c := f.cursorAfter(u)

		next, err := UserQuery{Statuses: []Status{InvitePending}, Q: "ADA ", Sort: sort, Limit: 5, Cursor: c}.Filter()
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

		jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, other := range []UserQuery{
			{Statuses: []Status{Confirmed}, Q: "ada", Sort: sort},
			{Statuses: []Status{InvitePending}, Q: "bob", Sort: sort},
			{Statuses: []Status{InvitePending}, Q: "ada", Sort: sort, Roles: []Role{Learner}},
			{Statuses: []Status{InvitePending}, Q: "ada", Sort: sort, InvitedBefore: &jan},
		} {
			other.Cursor = c
			_, err := other.Filter()
			require.True(t, apperr.Is(err, apperr.InvalidRequest), "%s cursor replayed on %+v", sort, other)
		}
	}

	f, err := UserQuery{Sort: SortLastInvitedD}.Filter()
	require.NoError(t, err)
	never := f.cursorAfter(User{ID: u.ID})
	next, err := UserQuery{Sort: SortLastInvitedD, Cursor: never}.Filter()
	require.NoError(t, err)
	require.Nil(t, next.After.LastInvitedAt, "a never-invited user's cursor says so")
}

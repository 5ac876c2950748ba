package api_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

// The HTTP layer reads the wire format of GET /users into typed values:
// comma-separated or repeated lists, RFC 3339 times, whole numbers.
func TestUserQueryReadsTheWireFormat(t *testing.T) {
	t.Parallel()
	q, err := api.UserQuery(url.Values{"status": {"deactivated, invite_pending", "deactivated"}, "role": {"hr,,admin"},
		"delivery_status": {"bounced"}, "q": {"  ADA "}, "invited_before": {"2026-11-01T10:00:00+02:00"},
		"sort": {"email"}, "limit": {"200"}, "cursor": {"abc"}})
	require.NoError(t, err)
	require.Equal(t, []people.Status{people.Deactivated, people.InvitePending, people.Deactivated}, q.Statuses)
	require.Equal(t, []people.Role{people.HR, people.Admin}, q.Roles)
	require.Equal(t, []people.DeliveryStatus{people.DeliveryBounced}, q.DeliveryStatuses)
	require.Equal(t, "  ADA ", q.Q, "the service judges the search, not the reader")
	require.True(t, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC).Equal(*q.InvitedBefore))
	require.Equal(t, people.SortEmail, q.Sort)
	require.Equal(t, 200, q.Limit)
	require.Equal(t, "abc", q.Cursor)

	for _, tc := range []struct {
		values         url.Values
		field, message string
	}{
		{url.Values{"limit": {"1.5"}}, "limit", `limit must be a whole number from 1 to 200, got "1.5"`},
		{url.Values{"limit": {"0"}}, "limit", `limit must be a whole number from 1 to 200, got "0"`},
		{url.Values{"invited_before": {"2026-11-01"}}, "invited_before", "RFC 3339"},
	} {
		_, err := api.UserQuery(tc.values)
		require.True(t, apperr.Is(err, apperr.InvalidRequest), "%v", tc.values)
		require.Equal(t, tc.field, apperr.As(err).Fields[0].Field)
		require.Contains(t, apperr.As(err).Fields[0].Message, tc.message)
	}
}

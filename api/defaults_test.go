package api_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// The service's zero values are the product's defaults, so a caller that
// skips the HTTP layer (the import, the command line, the demo) gets what
// a client that leaves the fields out gets: a new user is invited, and a
// password an administrator sets is temporary.
func TestServiceZeroValuesAreProductDefaults(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		org := e.Org()
		owner := people.Actor{User: org.Owner}
		u, err := e.Service.CreateUser(ctx, owner, people.NewUser{Email: "zero@example.com"})
		require.NoError(t, err)
		require.NotNil(t, u.Invite, "invited by default")
		require.Equal(t, 1, e.Count("invites", "user_id = ?", u.ID))

		u, _, err = e.Service.SetPassword(ctx, owner, u.ID, people.NewPassword{Password: apitest.Password})
		require.NoError(t, err)
		require.True(t, u.MustChangePassword, "temporary by default")

		quiet, err := e.Service.CreateUser(ctx, owner, people.NewUser{Email: "quiet@example.com", NoInvite: true})
		require.NoError(t, err)
		require.Nil(t, quiet.Invite)
		quiet, _, err = e.Service.SetPassword(ctx, owner, quiet.ID, people.NewPassword{Password: apitest.Password, Permanent: true})
		require.NoError(t, err)
		require.False(t, quiet.MustChangePassword)
	})
}

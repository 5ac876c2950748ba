package people

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apperr"
)

func actorOf(r Role, perms ...Permission) Actor {
	return Actor{User: User{Role: r, Permissions: perms, Status: Confirmed}}
}

func TestRoleRanks(t *testing.T) {
	t.Parallel()
	require.Equal(t, []int{4, 3, 2, 1, 0}, []int{Owner.Rank(), Admin.Rank(), HR.Rank(), Curator.Rank(), Learner.Rank()})
	require.Zero(t, Role("root").Rank(), "an unknown role ranks lowest")
	for i := 1; i < len(Roles); i++ {
		require.Greater(t, Roles[i-1].Rank(), Roles[i].Rank(), "Roles is highest rank first")
	}
}

// R5's first half: who manages people.
func TestCanManagePeople(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		actor Actor
		want  bool
	}{
		{actorOf(Owner), true},
		{actorOf(Admin), true},
		{actorOf(HR), true},
		{actorOf(Curator, PermissionPeople), true},
		{actorOf(Curator), false},
		{actorOf(Learner, PermissionPeople), false},
		{actorOf(Learner), false},
	} {
		require.Equal(t, tc.want, tc.actor.CanManagePeople(), "%s %v", tc.actor.Role, tc.actor.Permissions)
		err := tc.actor.RequireManager()
		if tc.want {
			require.NoError(t, err)
		} else {
			require.True(t, apperr.Is(err, apperr.Forbidden))
		}
	}
}

// R5's second half, for every pair of roles.
func TestRankRules(t *testing.T) {
	t.Parallel()
	for _, a := range Roles {
		for _, b := range Roles {
			actor := actorOf(a)
			outranked := actor.requireOutranked(User{Role: b})
			grant := actor.requireMayGrant(b)
			if b.Rank() > a.Rank() {
				require.True(t, apperr.Is(outranked, apperr.InsufficientRank), "%s on %s", a, b)
				require.True(t, apperr.Is(grant, apperr.InsufficientRank), "%s grants %s", a, b)
				require.Equal(t, apperr.Extensions{ActorRole: string(a), TargetRole: string(b)}, apperr.As(outranked).Ext)
				continue
			}
			require.NoError(t, outranked, "%s on %s", a, b)
			require.NoError(t, grant, "%s grants %s", a, b)
		}
	}
}

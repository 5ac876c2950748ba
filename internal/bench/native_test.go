package bench_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/bench"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/store"
)

// A page read through pgx directly (the store's path outside a
// transaction) holds exactly what the same page read through database/sql
// (its path inside one) holds, field for field, over the data set's mix
// of invitations, inviters, delivery statuses, passwords and warnings.
func TestNativePageEqualsDatabaseSQLPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, native, ds := countingStore(t, 2_000, 5)

	for _, f := range []people.UserFilter{
		{Limit: 200},
		{Limit: 200, Statuses: []people.Status{people.InvitePending}},
		{Limit: 200, Statuses: []people.Status{people.Confirmed}, Sort: people.SortEmail},
		{Limit: 200, Sort: people.SortLastInvitedD},
		{Limit: 200, Query: "okafor"},
		{Limit: 200, Query: "ok"},
	} {
		before := native()
		direct, err := st.ListUsers(ctx, ds.Org.ID, f)
		require.NoError(t, err)
		require.Equal(t, before+1, native(), "%+v: read through pgx", f)
		require.NotEmpty(t, direct, "%+v", f)
		var viaSQL []people.User
		require.NoError(t, st.InTx(ctx, func(ctx context.Context) error {
			viaSQL, err = st.ListUsers(ctx, ds.Org.ID, f)
			return err
		}))
		require.Equal(t, before+1, native(), "%+v: read through database/sql in the transaction", f)
		require.Equal(t, viaSQL, direct, "%+v", f)
	}
}

// The signed-in actor read through pgx (authentication, outside a
// transaction) is what database/sql reads in a transaction: the user, the
// organization and whether it has endpoints; an unknown user is not found
// on both paths.
func TestNativeSignedInActorEqualsDatabaseSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, native, ds := countingStore(t, 200, 2)

	direct, err := st.SignedInActor(ctx, ds.Org.ID, ds.Owner.ID)
	require.NoError(t, err)
	require.Equal(t, 1, native(), "read through pgx")
	var viaSQL people.SignedIn
	require.NoError(t, st.InTx(ctx, func(ctx context.Context) error {
		viaSQL, err = st.SignedInActor(ctx, ds.Org.ID, ds.Owner.ID)
		return err
	}))
	require.Equal(t, 1, native(), "read through database/sql in the transaction")
	require.Equal(t, viaSQL, direct)
	require.Equal(t, ds.Owner.Email, direct.User.Email)
	require.Equal(t, ds.Org.ID, direct.Organization.ID)
	require.Equal(t, ds.Org.Slug, direct.Organization.Slug)
	require.Equal(t, ds.Org.InviteTTL, direct.Organization.InviteTTL)
	require.False(t, direct.WebhookEndpoints)

	_, err = st.SignedInActor(ctx, ds.Org.ID, uuid.New())
	require.True(t, apperr.Is(err, apperr.NotFound), "%v", err)
	require.NoError(t, st.InTx(ctx, func(ctx context.Context) error {
		_, err := st.SignedInActor(ctx, ds.Org.ID, uuid.New())
		require.True(t, apperr.Is(err, apperr.NotFound), "%v", err)
		return nil
	}))
}

// countingStore is a store over a seeded database of users people in orgs
// organizations, and how many statements it has sent through pgx so far.
func countingStore(t *testing.T, users, orgs int) (st *store.Store, native func() int, ds *bench.DataSet) {
	t.Helper()
	dbURL, ds := seeded(t, smallSpec(t, users, orgs))
	db, err := database.Open(context.Background(), dbURL, database.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	st = store.New(db, nil)
	var sent atomic.Int64
	st.OnNativeQuery(func(string, []any) { sent.Add(1) })
	return st, func() int { return int(sent.Load()) }, ds
}

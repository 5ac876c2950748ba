package bench_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/bench"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// smallSpec is the default data set scaled down so that a test seeds it in
// a second or two: the same shape, a fifth of the measured organization.
func smallSpec(t testing.TB, users, orgs int) bench.Spec {
	t.Helper()
	hash, err := auth.NewHasherWithParams(1, auth.Params{Memory: 1024, Time: 1, Threads: 1}).Hash(context.Background(), apitest.Password)
	if err != nil {
		t.Fatal(err)
	}
	spec := bench.DefaultSpec(time.Now(), hash)
	spec.Users, spec.OtherOrgs = users, orgs
	return spec
}

// seeded is a fresh PostgreSQL database holding the data set of spec.
func seeded(t testing.TB, spec bench.Spec) (url string, ds *bench.DataSet) {
	t.Helper()
	url = testdb.NewURL(t, config.Postgres)
	ds, err := bench.Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if err := bench.Load(ctx, conn, ds); err != nil {
		t.Fatal(err)
	}
	return url, ds
}

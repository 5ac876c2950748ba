package testdb

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/config"
)

// TestUnreachablePostgres runs a child test against a server that isn't
// there: it must skip with a visible reason, and fail when REQUIRE_POSTGRES=1
// (as in CI) — PostgreSQL tests never vanish silently.
func TestUnreachablePostgres(t *testing.T) {
	t.Parallel()
	run := func(require string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "TESTDB_CHILD=1", "REQUIRE_POSTGRES="+require,
			"TEST_DATABASE_URL=postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run("0")
	require.NoError(t, err, out)
	require.Contains(t, out, "--- SKIP: ChildNeedsPostgres")
	require.Contains(t, out, "PostgreSQL tests skipped: cannot reach")

	out, err = run("1")
	require.Error(t, err, "with REQUIRE_POSTGRES=1 the run fails")
	require.Contains(t, out, "--- FAIL: ChildNeedsPostgres")
	require.Contains(t, out, "PostgreSQL is required (REQUIRE_POSTGRES=1)")
}

// childNeedsPostgres is the child's only test; TestMain registers it in the
// child process alone.
func childNeedsPostgres(t *testing.T) {
	New(t, config.Postgres)
	t.Log("reached PostgreSQL")
}

func TestFreshDatabasesAreIsolated(t *testing.T) {
	t.Parallel()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			a, b := New(t, d), New(t, d)
			require.NoError(t, a.Gorm.Exec(`INSERT INTO organizations (id, slug, name, created_at, updated_at) VALUES ('0193b4a2-5c1e-7d2f-9a8b-3c4d5e6f7a8b', 'only-in-a', 'A', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`).Error)
			var n int64
			require.NoError(t, b.Gorm.Table("organizations").Count(&n).Error)
			require.Zero(t, n, "each test gets its own empty database")
		})
	}
}

func TestSelectDialects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		list string
		want []config.Dialect
	}{
		{"", []config.Dialect{config.SQLite, config.Postgres}},
		{"postgres", []config.Dialect{config.Postgres}},
		{"sqlite", []config.Dialect{config.SQLite}},
		{" postgres , sqlite,postgres", []config.Dialect{config.Postgres, config.SQLite}},
	} {
		got, err := Select(tc.list)
		require.NoError(t, err, tc.list)
		require.Equal(t, tc.want, got, tc.list)
	}
	for _, bad := range []string{"pg", "postgres,", "mysql"} {
		_, err := Select(bad)
		require.ErrorContains(t, err, "is not a dialect", bad)
	}
}

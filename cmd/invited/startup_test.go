package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A database that cannot be reached is reported once, naming DATABASE_URL,
// without GORM's own line (a source path, then the same error again).
func TestUnreachableDatabaseNamesDATABASE_URLOnce(t *testing.T) {
	t.Parallel()
	env := postgresEnv(t)
	u, err := url.Parse(env["DATABASE_URL"])
	require.NoError(t, err)

	refused := *u
	refused.Host = "127.0.0.1:1"
	missing := *u
	missing.Path = "/invited_never_created"
	for name, tc := range map[string]struct{ url, says string }{
		"host refuses": {refused.String(), "DATABASE_URL: cannot connect to the postgres database"},
		"no database":  {missing.String(), `DATABASE_URL: database "invited_never_created" does not exist on the PostgreSQL server`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := postgresEnv(t)
			env["DATABASE_URL"] = tc.url
			_, logs, err := runCmd(t, env, "migrate")
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.says)
			require.Equal(t, 1, strings.Count(err.Error()+logs, "DATABASE_URL"), "said once: %s\n%s", err, logs)
			require.NotContains(t, logs, ".go:", "no source path in the log")
			require.NotContains(t, logs, "failed to connect", "the error is not logged besides being returned")
		})
	}
}

// SQLite creates a missing file but not a missing directory, and says only
// "out of memory (14)" then: the service names the directory.
func TestSQLiteInAMissingDirectorySaysSo(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	dir := filepath.Join(t.TempDir(), "missing", "dir")
	env["DATABASE_URL"] = "sqlite:" + filepath.Join(dir, "invited.db")
	_, _, err := runCmd(t, env, "migrate")
	require.EqualError(t, err, "DATABASE_URL: the directory "+dir+" of the SQLite database does not exist (create it, or point sqlite: at another path)")
}

// serve listens before it touches the database: an address in use is
// reported, naming HTTP_ADDR, before any migration runs.
func TestServeChecksHTTP_ADDRBeforeMigrating(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = taken.Close() })
	env := sqliteEnv(t)
	env["HTTP_ADDR"] = taken.Addr().String()
	_, logs, err := runCmd(t, env, "serve")
	require.ErrorContains(t, err, "HTTP_ADDR: ")
	require.ErrorContains(t, err, "address already in use")
	require.NotContains(t, logs, "schema migration applied")
	_, statErr := os.Stat(strings.TrimPrefix(env["DATABASE_URL"], "sqlite:"))
	require.ErrorIs(t, statErr, os.ErrNotExist, "no database was created")
}

// `invited token` reads users: on a database that was never migrated it
// says so, and on SQLite it creates no empty database file.
func TestTokenOnAnUnmigratedDatabaseSaysSo(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		env := sqliteEnv(t)
		path := strings.TrimPrefix(env["DATABASE_URL"], "sqlite:")
		_, _, err := runCmd(t, env, "token", "--org", "demo", "--email", "owner@demo.example")
		require.EqualError(t, err, "DATABASE_URL: the SQLite database "+path+" does not exist: run `invited migrate` (or `invited serve`) first")
		_, statErr := os.Stat(path)
		require.ErrorIs(t, statErr, os.ErrNotExist, "no empty database was created")
		_, statErr = os.Stat(path + ".secret")
		require.ErrorIs(t, statErr, os.ErrNotExist, "nor a development secret")
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		env := postgresEnv(t)
		_, _, err := runCmd(t, env, "token", "--org", "demo", "--email", "owner@demo.example")
		require.ErrorContains(t, err, "DATABASE_URL: the database is not migrated (schema migrations are pending): run `invited migrate`")
		mustRun(t, env, "migrate")
		_, _, err = runCmd(t, env, "token", "--org", "demo", "--email", "owner@demo.example")
		require.ErrorContains(t, err, "No user", "once migrated, the command gets as far as looking the user up")
	})
}

// The banner's hints start the program the way it was started: by the
// path or name it was run by, or with go run from the repository.
func TestBannerHintsMatchHowTheProgramWasStarted(t *testing.T) {
	t.Parallel()
	for argv0, want := range map[string]string{
		"invited":                             "invited",
		"./bin/invited":                       "./bin/invited",
		"/usr/local/bin/invited":              "/usr/local/bin/invited",
		"/tmp/go-build1934/b001/exe/invited":  "go run ./cmd/invited",
		"/home/ada/.cache/go-build/x/invited": "go run ./cmd/invited",
	} {
		require.Equal(t, want, selfCommand(argv0), argv0)
	}
	var out syncBuffer
	env := sqliteEnv(t)
	require.NoError(t, run(t.Context(), []string{"./bin/invited", "demo"}, envOf(env), &out, io.Discard))
	require.Contains(t, out.String(), "export TOKEN=$(./bin/invited token --org demo --email owner@demo.example)")
}

// With METRICS_ADDR, /metrics is served on that address only: the API's
// address answers 404 for it. Both addresses are taken before migrating.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["METRICS_ADDR"] = "127.0.0.1:0"
	srv := startServer(t, env)
	require.NotEmpty(t, srv.metricsURL)
	status, _ := srv.get(t, "/metrics", "")
	require.Equal(t, http.StatusNotFound, status, "not on the API's address")
	srv.get(t, "/healthz", "")

	resp, err := http.Get(srv.metricsURL)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `invited_http_requests_total{method="GET",route="/healthz",status="200"} 1`)
	require.Contains(t, string(body), `invited_queue_jobs{queue="email",state="available"}`)

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = taken.Close() })
	env = sqliteEnv(t)
	env["HTTP_ADDR"], env["METRICS_ADDR"] = "127.0.0.1:0", taken.Addr().String()
	_, logs, err := runCmd(t, env, "serve")
	require.ErrorContains(t, err, "METRICS_ADDR: ")
	require.NotContains(t, logs, "schema migration applied")
}

// Package testdb gives tests a fresh, migrated database of each dialect:
// an SQLite file in a temporary directory, and a throwaway PostgreSQL
// database created on TEST_DATABASE_URL's server and dropped afterwards.
//
// Where PostgreSQL is unreachable its tests skip with a visible message,
// unless REQUIRE_POSTGRES=1 (as in CI), where they fail.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the admin connection

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
)

// DefaultServerURL is the PostgreSQL server tests use when TEST_DATABASE_URL is unset.
const DefaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AllDialects are the databases the service supports, and so the ones every
// storage test runs against.
var AllDialects = []config.Dialect{config.SQLite, config.Postgres}

// Dialects are the databases this run's dialect loops cover: all of them,
// or those TEST_DIALECTS names (comma-separated, "sqlite" or "postgres").
// CI runs the API suite under the race detector on PostgreSQL alone, where
// the embedded SQLite driver is too slow for it, and the SQLite half without
// it. A name it does not know stops the test binary before any test runs.
var Dialects = mustSelect(os.Getenv("TEST_DIALECTS"))

func mustSelect(list string) []config.Dialect {
	ds, err := Select(list)
	if err != nil {
		panic(err)
	}
	return ds
}

// Select parses a TEST_DIALECTS value: empty means every dialect.
func Select(list string) ([]config.Dialect, error) {
	if strings.TrimSpace(list) == "" {
		return AllDialects, nil
	}
	var out []config.Dialect
	for _, name := range strings.Split(list, ",") {
		d := config.Dialect(strings.TrimSpace(name))
		if !slices.Contains(AllDialects, d) {
			return nil, fmt.Errorf("testdb: TEST_DIALECTS=%q: %q is not a dialect (sqlite, postgres)", list, name)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// ForEach runs fn as a subtest per dialect, each with its own fresh database.
func ForEach(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, New(t, d))
		})
	}
}

// New returns a migrated database of the dialect that lives as long as t.
func New(t testing.TB, dialect config.Dialect) *database.DB {
	t.Helper()
	url := NewURL(t, dialect)
	db, err := database.Open(context.Background(), url, database.Options{})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if dialect == config.SQLite {
		if err := database.Migrate(context.Background(), db, nil); err != nil {
			t.Fatalf("migrate test database: %v", err)
		}
	}
	return db
}

// NewURL returns the DATABASE_URL of a fresh, migrated database of the
// dialect, for tests that open it themselves (a server under test, say).
func NewURL(t testing.TB, dialect config.Dialect) string {
	t.Helper()
	if dialect == config.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "invited.db")
	}
	srv := server(t)
	name := "invited_test_" + randomSuffix()
	srv.mu.Lock() // copying one template concurrently is refused by PostgreSQL
	_, err := srv.admin.Exec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, srv.template))
	srv.mu.Unlock()
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() { srv.drop(name) })
	return srv.urlFor(name)
}

// EmptyPostgresURL returns the URL of a fresh PostgreSQL database with no
// schema at all, for tests of the migrations themselves.
func EmptyPostgresURL(t testing.TB) string {
	t.Helper()
	srv := server(t)
	name := "invited_test_" + randomSuffix()
	if _, err := srv.admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() { srv.drop(name) })
	return srv.urlFor(name)
}

// Main runs a test binary's tests and then drops the PostgreSQL template it
// migrated. Packages that use New call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		shared.srv.drop(shared.srv.template)
		_ = shared.srv.admin.Close()
	}
	return code
}

type pgServer struct {
	mu       sync.Mutex
	base     *url.URL
	admin    *sql.DB
	template string
}

var shared struct {
	mu   sync.Mutex
	srv  *pgServer
	err  error
	done bool
}

// server connects to the PostgreSQL server once per test binary and builds
// the migrated template that every test database is copied from.
func server(t testing.TB) *pgServer {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.done {
		shared.done = true
		shared.srv, shared.err = connect()
	}
	if shared.err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (REQUIRE_POSTGRES=1) but unusable: %v", shared.err)
		}
		t.Skipf("PostgreSQL tests skipped: %v (set TEST_DATABASE_URL, or REQUIRE_POSTGRES=1 to fail instead)", shared.err)
	}
	return shared.srv
}

func connect() (*pgServer, error) {
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		raw = DefaultServerURL
	}
	base, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("TEST_DATABASE_URL is not a URL")
	}
	admin, err := sql.Open("pgx", raw)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		return nil, fmt.Errorf("cannot reach %s: %w", base.Redacted(), err)
	}
	srv := &pgServer{base: base, admin: admin, template: "invited_tpl_" + randomSuffix()}
	if _, err := admin.Exec("CREATE DATABASE " + srv.template); err != nil {
		return nil, fmt.Errorf("create template database: %w", err)
	}
	db, err := database.Open(context.Background(), srv.urlFor(srv.template), database.Options{})
	if err == nil {
		err = database.Migrate(context.Background(), db, nil)
		_ = db.Close() // a template must have no connections when it is copied
	}
	if err != nil {
		srv.drop(srv.template)
		return nil, fmt.Errorf("migrate template database: %w", err)
	}
	return srv, nil
}

func (s *pgServer) urlFor(name string) string {
	u := *s.base
	u.Path = "/" + name
	return u.String()
}

func (s *pgServer) drop(name string) {
	_, _ = s.admin.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%d_%s", time.Now().Unix()%100000, hex.EncodeToString(b))
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/maildomain/dnstest"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// syncBuffer is an io.Writer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envOf(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

// runCmd runs the program to completion.
func runCmd(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = run(ctx, append([]string{"invited"}, args...), envOf(env), &out, &errOut)
	return out.String(), errOut.String(), err
}

// The environments of these tests point DNS_RESOLVER at a local DNS server,
// so that the deliverability check of new addresses asks nothing outside.
func sqliteEnv(t *testing.T) map[string]string {
	return map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "invited.db"), "LOG_FORMAT": "text",
		"DNS_RESOLVER": dnstest.NewServer(t, dnstest.HasMX).Addr}
}

func postgresEnv(t *testing.T) map[string]string {
	return map[string]string{"DATABASE_URL": testdb.EmptyPostgresURL(t), "JWT_SECRET": strings.Repeat("s", 40), "LOG_FORMAT": "text",
		"DNS_RESOLVER": dnstest.NewServer(t, dnstest.HasMX).Addr}
}

func envFor(t *testing.T, d config.Dialect) map[string]string {
	if d == config.SQLite {
		return sqliteEnv(t)
	}
	return postgresEnv(t)
}

func TestHelpListsEveryVariableWithItsDefault(t *testing.T) {
	t.Parallel()
	out, _, err := runCmd(t, nil, "--help")
	require.NoError(t, err)
	for _, v := range config.Vars {
		def := v.Default
		if def == "" {
			def = "(unset)"
		}
		require.Regexp(t, regexp.MustCompile(`(?m)^\s+`+v.Name+`\s+`+regexp.QuoteMeta(def)+`\s`), out, v.Name)
	}
	for _, cmd := range []string{"serve [--demo]", "migrate", "org create", "token --org", "demo", "healthcheck"} {
		require.Contains(t, out, "invited "+cmd)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"frobnicate"}, {"serve", "--bogus"}, {"token", "--org", "demo"}, {"org", "delete"}} {
		_, _, err := runCmd(t, sqliteEnv(t), args...)
		require.Error(t, err, "%v", args)
		require.Equal(t, 2, exitCode(err), "%v: %v", args, err)
	}
}

func TestConfigurationErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["DATABASE_URL"] = "mysql://root@localhost/invited"
	env["JWT_SECRET"] = "too-short"
	_, _, err := runCmd(t, env, "serve")
	require.Error(t, err)
	require.Contains(t, err.Error(), "DATABASE_URL must start with postgres:// or sqlite:")
	require.Contains(t, err.Error(), "JWT_SECRET must be at least 32 bytes")
	require.NotContains(t, err.Error(), "too-short", "a secret's value is never printed")
	require.Equal(t, 1, exitCode(err))

	env = map[string]string{"DATABASE_URL": "postgres://app@127.0.0.1:5432/invited"}
	_, _, err = runCmd(t, env, "migrate")
	require.ErrorContains(t, err, "JWT_SECRET is required with PostgreSQL")
}

func TestMigrateFromEmptyAndAgain(t *testing.T) {
	t.Parallel()
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			env := envFor(t, d)
			out, _, err := runCmd(t, env, "migrate")
			require.NoError(t, err)
			require.Contains(t, out, "database schema is current")
			_, logs, err := runCmd(t, env, "migrate")
			require.NoError(t, err)
			require.NotContains(t, logs, "schema migration applied", "a second run has nothing to apply")
		})
	}
}

func TestDemoIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			env := envFor(t, d)
			first, _, err := runCmd(t, env, "demo")
			require.NoError(t, err)
			require.Contains(t, first, `Demo organization "demo" created with 30 people`)
			require.Regexp(t, `password: \S{16,}`, first)

			second, _, err := runCmd(t, env, "demo")
			require.NoError(t, err)
			require.Contains(t, second, `Demo organization "demo" is ready`)
			require.NotContains(t, second, "password:", "the owner's password is shown only once")

			// The demo has every state a people screen shows, and a second run added nothing.
			srv := startServer(t, env)
			token := strings.TrimSpace(mustRun(t, env, "token", "--org", "demo", "--email", "owner@demo.example"))
			counts := srv.getJSON(t, "/users/counts", token)
			require.Equal(t, map[string]any{"invite_pending": 14.0, "confirmed": 12.0, "deactivated": 4.0}, counts)
			for _, q := range []string{"delivery_status=bounced", "delivery_status=blocked", "delivery_status=dropped",
				"delivery_status=failed", "delivery_status=delivered", "status=invite_pending&sort=-last_invited_at"} {
				page := srv.getJSON(t, "/users?"+q, token)
				require.NotEmpty(t, page["data"], q)
			}
			var expired int
			for _, u := range srv.getJSON(t, "/users?status=invite_pending&limit=200", token)["data"].([]any) {
				if inv, ok := u.(map[string]any)["invite"].(map[string]any); ok && inv["state"] == "expired" {
					expired++
				}
			}
			require.Positive(t, expired, "some pending users' invitations have expired")
		})
	}
}

func TestOrgCreateAndToken(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	out, _, err := runCmd(t, env, "org", "create", "--slug", "acme", "--name", "Acme Learning",
		"--owner-email", "Boss@Acme.example", "--owner-password", "correct-horse-battery-staple-42")
	require.NoError(t, err)
	require.Contains(t, out, "created organization acme")
	require.Contains(t, out, "boss@acme.example, confirmed")

	_, _, err = runCmd(t, env, "org", "create", "--slug", "acme", "--name", "Again", "--owner-email", "x@acme.example")
	require.ErrorContains(t, err, `an organization with slug "acme" already exists`)

	_, _, err = runCmd(t, env, "org", "create", "--slug", "Bad Slug", "--name", "x", "--owner-email", "not-an-email")
	require.ErrorContains(t, err, "slug must be")
	require.ErrorContains(t, err, "email is not a valid email address")

	out, _, err = runCmd(t, env, "org", "create", "--slug", "beta", "--name", "Beta", "--owner-email", "lead@beta.example",
		"--default-locale", "pt-BR", "--time-zone", "America/Sao_Paulo")
	require.NoError(t, err)
	require.Contains(t, out, "invite_pending")
	_, _, err = runCmd(t, env, "org", "create", "--slug", "gamma", "--name", "Gamma", "--owner-email", "lead@gamma.example",
		"--default-locale", "tlh", "--time-zone", "Middle/Earth")
	require.ErrorContains(t, err, "default_locale must be a language with invitation emails")
	require.ErrorContains(t, err, "time_zone must be an IANA time zone")

	token := strings.TrimSpace(mustRun(t, env, "token", "--org", "acme", "--email", "boss@acme.example", "--ttl", "5m"))
	require.Len(t, strings.Split(token, "."), 3)
	srv := startServer(t, env)
	me := srv.getJSON(t, "/me", token)
	require.Equal(t, "owner", me["role"])
	org := srv.getJSON(t, "/organization", token)
	require.Equal(t, []any{"en", "UTC"}, []any{org["default_locale"], org["time_zone"]})

	_, _, err = runCmd(t, env, "token", "--org", "beta", "--email", "lead@beta.example")
	require.ErrorContains(t, err, "only confirmed users get tokens")
	_, _, err = runCmd(t, env, "token", "--org", "acme", "--email", "nobody@acme.example")
	require.ErrorContains(t, err, "No user")
}

func TestServeOnBothDatabases(t *testing.T) {
	t.Parallel()
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			env := envFor(t, d)
			srv := startServer(t, env)
			for _, path := range []string{"/healthz", "/readyz"} {
				status, _ := srv.get(t, path, "")
				require.Equal(t, http.StatusOK, status, path)
			}
			status, body := srv.get(t, "/openapi.yaml", "")
			require.Equal(t, http.StatusOK, status)
			require.Contains(t, string(body), "openapi: 3")

			hc, _, err := runCmd(t, map[string]string{}, "healthcheck", "--url", srv.url+"/healthz")
			require.NoError(t, err)
			require.Equal(t, "ok\n", hc)
		})
	}
}

func TestHealthcheckFailsWithoutServer(t *testing.T) {
	t.Parallel()
	_, _, err := runCmd(t, map[string]string{"HTTP_ADDR": "127.0.0.1:1"}, "healthcheck")
	require.Error(t, err)
}

// A SIGTERM lets a request that is already in flight finish.
func TestGracefulShutdownFinishesInFlightRequest(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqliteEnv(t))

	conn, err := net.Dial("tcp", srv.addr)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	body := `{"organization":"nowhere","email":"a@example.com","password":"whatever-password"}`
	// With Expect: 100-continue the server says "100 Continue" when the
	// handler starts reading the body: from then on the request is in flight.
	_, err = fmt.Fprintf(conn, "POST /auth/token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		srv.addr, len(body))
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 100 Continue\r\n", status)
	blank, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "\r\n", blank)

	srv.stop() // SIGTERM
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", srv.addr, 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	}, 5*time.Second, 20*time.Millisecond, "the listener closes at once")

	_, err = io.WriteString(conn, body)
	require.NoError(t, err)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err, "the in-flight request gets its answer")
	defer resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	require.NoError(t, srv.wait(), "run returns cleanly after the shutdown")
	require.Contains(t, srv.stderr.String(), "shutting down")
}

func mustRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	out, logs, err := runCmd(t, env, args...)
	require.NoError(t, err, logs)
	return out
}

// server is `invited serve` running in the test's process.
type server struct {
	addr, url string
	// metricsURL is /metrics on METRICS_ADDR, when that is set.
	metricsURL string
	stderr     *syncBuffer
	cancel     context.CancelFunc
	done       chan error
	once       sync.Once
	err        error
}

func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	// The runtime's memory limit is the process's: many servers share this
	// test process, so they set none (TestLimitMemoryFollowsHashesInFlight
	// covers it).
	env2 := map[string]string{"HTTP_ADDR": "127.0.0.1:0", "SHUTDOWN_TIMEOUT": "10s", "MEMORY_LIMIT": "off"}
	for k, v := range env {
		env2[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	pr, pw := io.Pipe()
	go func() {
		err := run(ctx, []string{"invited", "serve"}, envOf(env2), pw, s.stderr)
		_ = pw.CloseWithError(io.EOF)
		s.done <- err
	}()
	lines := bufio.NewScanner(pr)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "metrics on "); ok {
			s.metricsURL = rest
		}
		if rest, ok := strings.CutPrefix(lines.Text(), "invited listening on http://"); ok {
			s.addr, s.url = rest, "http://"+rest
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if s.addr == "" {
		cancel()
		t.Fatalf("server did not start: %v\n%s", <-s.done, s.stderr.String())
	}
	t.Cleanup(func() { s.stop(); _ = s.wait() })
	return s
}

func (s *server) stop() { s.cancel() }

func (s *server) wait() error {
	s.once.Do(func() {
		select {
		case s.err = <-s.done:
		case <-time.After(30 * time.Second):
			s.err = errors.New("server did not stop within 30s")
		}
	})
	return s.err
}

// get fetches path and returns the status and body.
func (s *server) get(t *testing.T, path, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

func (s *server) getJSON(t *testing.T, path, token string) map[string]any {
	t.Helper()
	status, body := s.get(t, path, token)
	require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
	var v map[string]any
	require.NoError(t, json.Unmarshal(body, &v))
	return v
}

// Secrets reach neither the log nor the terminal, whatever the binary does.
func TestSecretsAreNeverLogged(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{
		"JWT_SECRET":                  "jwt-secret-that-must-stay-hidden-0123456789",
		"SENDGRID_API_KEY":            "SG.sendgrid-key-that-must-stay-hidden",
		"INVITE_TOKEN_KEYS":           "k9:aW52aXRlLXNpZ25pbmcta2V5LXRoYXQtbXVzdC1zdGF5LWhpZGRlbg",
		"SENDGRID_WEBHOOK_PUBLIC_KEY": "",
	}
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			env := envFor(t, d)
			for k, v := range secrets {
				if v != "" {
					env[k] = v
				}
			}
			env["LOG_LEVEL"] = "debug"
			env["SENDGRID_API_URL"] = "http://127.0.0.1:1" // never reached: no invitation is sent here
			orgOut := mustRun(t, env, "org", "create", "--slug", "acme", "--name", "Acme", "--owner-email", "o@acme.example",
				"--owner-password", "correct-horse-battery-staple-42")
			tokenOut := mustRun(t, env, "token", "--org", "acme", "--email", "o@acme.example")
			srv := startServer(t, env)
			srv.get(t, "/users", strings.TrimSpace(tokenOut))
			srv.stop()
			require.NoError(t, srv.wait())
			all := orgOut + srv.stderr.String()
			for name, v := range secrets {
				if v != "" {
					require.NotContains(t, all, v, name)
				}
			}
			require.NotContains(t, all, "correct-horse-battery-staple-42")
			require.NotContains(t, srv.stderr.String(), strings.TrimSpace(tokenOut), "bearer tokens are not logged")
			if d == config.Postgres {
				require.NotContains(t, all, env["DATABASE_URL"])
			}
		})
	}
}

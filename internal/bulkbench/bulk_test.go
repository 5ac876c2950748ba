package bulkbench_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/maildomain/dnstest"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// server is a running invited binary.
type server struct {
	t     testing.TB
	base  string
	token string
	cmd   *exec.Cmd
	env   []string
	bin   string
}

// BenchmarkBulkThroughput starts the binary on a fresh PostgreSQL database with
// SendGrid pointed at the in-process fake, then times, through the HTTP API:
// an import of 50,000 rows without invitations, bulk resends of 2,000 and
// 10,000 of those users, and an import of 50,000 more rows with
// invitations. For each phase it reports the time from the 202 to the job's
// end and to the last message the fake accepted, the provider calls, and
// the server's resident memory.
// It is a macro benchmark: one run takes minutes, so run it once with
// go test -run='^$' -bench=BulkThroughput -benchtime=1x ./internal/bulkbench/
func BenchmarkBulkThroughput(b *testing.B) {
	var t testing.TB = b
	fake := sendgridtest.NewServer(t)
	srv := start(t, fake)

	srv.phase("import 50,000 rows, send_invites=false", fake, 0, func() string {
		return srv.importCSV(csvRows("first", 50_000), false)
	})
	srv.phase("bulk resend 2,000 users (filter role=curator)", fake, 2_000, func() string {
		return srv.bulkResend(map[string]any{"role": "curator"})
	})
	srv.phase("bulk resend 10,000 users (filter role=curator,learner)", fake, 10_000, func() string {
		return srv.bulkResend(map[string]any{"role": "curator,learner"})
	})
	srv.phase("import 50,000 rows, send_invites=true", fake, 50_000, func() string {
		return srv.importCSV(csvRows("second", 50_000), true)
	})
}

// csvRows makes n people: 2,000 curators, 8,000 learners, then HR.
func csvRows(prefix string, n int) string {
	var b strings.Builder
	b.WriteString("email,first_name,last_name,role\n")
	for i := range n {
		role := "hr"
		switch {
		case i < 2_000:
			role = "curator"
		case i < 10_000:
			role = "learner"
		}
		fmt.Fprintf(&b, "%s.%05d@example.com,Pat,Number %d,%s\n", prefix, i, i, role)
	}
	return b.String()
}

func start(t testing.TB, fake *sendgridtest.Server) *server {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "invited")
	build := exec.Command("go", "build", "-o", bin, "github.com/invitedhq/invited/cmd/invited")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	s := &server{t: t, base: "http://" + addr, bin: bin, env: append(os.Environ(),
		"DATABASE_URL="+testdb.NewURL(t, config.Postgres), "HTTP_ADDR="+addr, "LOG_LEVEL=warn",
		"JWT_SECRET=bench-secret-bench-secret-bench-secret-0123", "SENDGRID_API_KEY="+fake.APIKey,
		"SENDGRID_API_URL="+fake.URL, "MAIL_FROM=Invited <invites@invited.test>", "APP_BASE_URL=https://app.test",
		// Imports check each new domain for a mail server: against a local DNS server.
		"DNS_RESOLVER="+dnstest.NewServer(t, dnstest.HasMX).Addr)}
	s.run("migrate")
	s.run("org", "create", "--slug", "bench", "--name", "Bench", "--owner-email", "owner@example.com",
		"--owner-password", "plum-harbor-violet-7-engine")
	out := strings.Fields(s.run("token", "--org", "bench", "--email", "owner@example.com", "--ttl", "2h"))
	s.token = out[len(out)-1]

	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = s.env
	s.cmd.Stderr = os.Stderr
	require.NoError(t, s.cmd.Start())
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		_ = s.cmd.Wait()
	})
	require.Eventually(t, func() bool {
		resp, err := http.Get(s.base + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)
	return s
}

func (s *server) run(args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	require.NoError(s.t, cmd.Run(), "invited %v", args)
	return out.String()
}

func (s *server) do(method, path, contentType string, body []byte) (int, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+s.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	require.NoError(s.t, err)
	return resp.StatusCode, b.Bytes()
}

type jobAnswer struct {
	Job struct {
		ID string `json:"id"`
	} `json:"job"`
}

func (s *server) importCSV(body string, invite bool) string {
	status, resp := s.do(http.MethodPost, "/users/import?send_invites="+strconv.FormatBool(invite), "text/csv", []byte(body))
	require.Equal(s.t, http.StatusAccepted, status, "%s", resp)
	var a jobAnswer
	require.NoError(s.t, json.Unmarshal(resp, &a))
	return a.Job.ID
}

func (s *server) bulkResend(filter map[string]any) string {
	body, _ := json.Marshal(map[string]any{"filter": filter})
	status, resp := s.do(http.MethodPost, "/users/resend-invites", "application/json", body)
	require.Equal(s.t, http.StatusAccepted, status, "%s", resp)
	var a jobAnswer
	require.NoError(s.t, json.Unmarshal(resp, &a))
	return a.Job.ID
}

type jobState struct {
	State     string `json:"state"`
	Total     int    `json:"total"`
	Succeeded int    `json:"succeeded"`
}

// phase runs start, which answers a 202 with a job id, and waits for the
// job and for mails recipients to reach the fake.
func (s *server) phase(name string, fake *sendgridtest.Server, mails int, start func() string) {
	s.t.Helper()
	calls0, recipients0 := fake.Requests(), recipients(fake)
	sampler := newRSSSampler(s.cmd.Process.Pid)
	begin := time.Now()
	id := start()
	accepted := time.Since(begin)
	var job jobState
	for {
		status, body := s.do(http.MethodGet, "/jobs/"+id+"?items_limit=1", "", nil)
		require.Equal(s.t, http.StatusOK, status)
		require.NoError(s.t, json.Unmarshal(body, &job))
		if job.State != "queued" && job.State != "running" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	jobDone := time.Since(begin)
	require.Equal(s.t, "succeeded", job.State)
	deadline := time.Now().Add(10 * time.Minute)
	for recipients(fake)-recipients0 < mails {
		require.True(s.t, time.Now().Before(deadline), "only %d of %d messages arrived", recipients(fake)-recipients0, mails)
		time.Sleep(20 * time.Millisecond)
	}
	mailed := time.Since(begin)
	peak := sampler.stop()
	s.t.Logf("%s: request %s, job done %s, last message accepted %s; %d recipients in %d provider calls; server RSS peak %d MiB during the phase (process high-water mark %d MiB)",
		name, accepted.Round(time.Millisecond), (jobDone - accepted).Round(time.Millisecond), (mailed - accepted).Round(time.Millisecond),
		recipients(fake)-recipients0, fake.Requests()-calls0, peak>>10, status(s.cmd.Process.Pid, "VmHWM:")>>10)
	fake.Reset() // the fake keeps every message; only the server's memory is measured
}

func recipients(fake *sendgridtest.Server) int {
	n := 0
	for _, m := range fake.Messages() {
		n += len(m.Personalizations)
	}
	return n
}

// rssSampler records the highest resident set size of a process.
type rssSampler struct {
	mu   sync.Mutex
	peak int
	done chan struct{}
	wg   sync.WaitGroup
}

func newRSSSampler(pid int) *rssSampler {
	r := &rssSampler{done: make(chan struct{})}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			r.mu.Lock()
			r.peak = max(r.peak, status(pid, "VmRSS:"))
			r.mu.Unlock()
			select {
			case <-r.done:
				return
			case <-tick.C:
			}
		}
	}()
	return r
}

func (r *rssSampler) stop() int {
	close(r.done)
	r.wg.Wait()
	return r.peak
}

// status reads a kB field of /proc/PID/status.
func status(pid int, field string) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb
		}
	}
	return 0
}

// Package binarytest runs the real invited binary for tests and
// benchmarks that must see the whole process: its start-up, its workers, a
// crash. It builds the binary from the tree, starts `invited serve` on a
// loopback port with the environment it is given, and talks to it only
// through its HTTP API and its commands.
package binarytest

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
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/maildomain/dnstest"
)

// OwnerPassword is the password of the owner Setup creates.
const OwnerPassword = "plum-harbor-violet-7-engine"

// Build compiles the invited binary into a temporary directory of the test.
func Build(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "invited")
	build := exec.Command("go", "build", "-o", bin, "github.com/invitedhq/invited/cmd/invited")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	return bin
}

// Server is one invited binary serving HTTP on a loopback port.
type Server struct {
	T     testing.TB
	Base  string
	Token string
	Bin   string
	Env   []string
	Cmd   *exec.Cmd
	// Log collects what the process wrote to its standard error.
	Log *syncBuffer

	exited chan struct{} // closed when the started process has ended
}

// New prepares a server of bin on database (a PostgreSQL URL) that sends
// email to the fake SendGrid; extra adds or overrides variables. It
// migrates the database, creates the organization "bench" with the owner
// owner@example.com and mints a token for the owner, but starts nothing:
// call Start.
func New(t testing.TB, bin, database string, fake *sendgridtest.Server, extra ...string) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	env := append(os.Environ(),
		"DATABASE_URL="+database, "HTTP_ADDR="+addr, "LOG_LEVEL=warn",
		"JWT_SECRET=bench-secret-bench-secret-bench-secret-0123", "SENDGRID_API_KEY="+fake.APIKey,
		"SENDGRID_API_URL="+fake.URL, "MAIL_FROM=Invited <invites@invited.test>", "APP_BASE_URL=https://app.test",
		// New users' domains are checked for a mail server: against a local DNS server.
		"DNS_RESOLVER="+dnstest.NewServer(t, dnstest.HasMX).Addr)
	s := &Server{T: t, Base: "http://" + addr, Bin: bin, Env: append(env, extra...), Log: &syncBuffer{}}
	s.Run("migrate")
	s.Run("org", "create", "--slug", "bench", "--name", "Bench", "--owner-email", "owner@example.com",
		"--owner-password", OwnerPassword)
	out := strings.Fields(s.Run("token", "--org", "bench", "--email", "owner@example.com", "--ttl", "2h"))
	s.Token = out[len(out)-1]
	return s
}

// Start runs `invited serve` and waits until it is ready. The process is
// stopped when the test ends, unless Kill ended it before.
func (s *Server) Start() {
	s.T.Helper()
	cmd := exec.Command(s.Bin, "serve")
	cmd.Env = s.Env
	cmd.Stderr = s.Log
	require.NoError(s.T, cmd.Start())
	s.Cmd = cmd
	exited := make(chan struct{})
	s.exited = exited
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.T.Cleanup(func() { stop(cmd, exited) })
	require.Eventually(s.T, func() bool {
		resp, err := http.Get(s.Base + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 20*time.Millisecond, "server ready; its log:\n%s", s.Log)
}

// Stop ends the process as an operator would, with SIGINT, and waits for
// it to exit (for up to 30 seconds, then kills it).
func (s *Server) Stop() { stop(s.Cmd, s.exited) }

func stop(cmd *exec.Cmd, exited chan struct{}) {
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// Kill ends the process at once with SIGKILL, as a crash or an out of
// memory kill would: nothing runs after it, not even a deferred call.
func (s *Server) Kill() {
	s.T.Helper()
	require.NoError(s.T, s.Cmd.Process.Signal(syscall.SIGKILL))
	<-s.exited
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.Cmd.Process.Pid }

// Run runs an invited command with the server's environment and returns
// its standard output.
func (s *Server) Run(args ...string) string {
	s.T.Helper()
	cmd := exec.Command(s.Bin, args...)
	cmd.Env = s.Env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	require.NoError(s.T, cmd.Run(), "invited %v", args)
	return out.String()
}

// Do sends a request as the owner and returns the status and body.
func (s *Server) Do(method, path, contentType string, body []byte) (int, []byte) {
	s.T.Helper()
	req, err := http.NewRequest(method, s.Base+path, bytes.NewReader(body))
	require.NoError(s.T, err)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.T, err)
	defer func() { _ = resp.Body.Close() }()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	require.NoError(s.T, err)
	return resp.StatusCode, b.Bytes()
}

type jobAnswer struct {
	Job struct {
		ID string `json:"id"`
	} `json:"job"`
}

// ImportCSV starts an import of body and returns the job's id.
func (s *Server) ImportCSV(body string, invite bool) string {
	s.T.Helper()
	status, resp := s.Do(http.MethodPost, "/users/import?send_invites="+strconv.FormatBool(invite), "text/csv", []byte(body))
	require.Equal(s.T, http.StatusAccepted, status, "%s", resp)
	var a jobAnswer
	require.NoError(s.T, json.Unmarshal(resp, &a))
	return a.Job.ID
}

// BulkResend starts a bulk resend by filter and returns the job's id.
func (s *Server) BulkResend(filter map[string]any) string {
	s.T.Helper()
	body, err := json.Marshal(map[string]any{"filter": filter})
	require.NoError(s.T, err)
	status, resp := s.Do(http.MethodPost, "/users/resend-invites", "application/json", body)
	require.Equal(s.T, http.StatusAccepted, status, "%s", resp)
	var a jobAnswer
	require.NoError(s.T, json.Unmarshal(resp, &a))
	return a.Job.ID
}

// Job is what GET /jobs/{id} says of a job.
type Job struct {
	State     string `json:"state"`
	Total     int    `json:"total"`
	Processed int    `json:"processed"`
	Succeeded int    `json:"succeeded"`
}

// Job reads a job.
func (s *Server) Job(id string) Job {
	s.T.Helper()
	status, body := s.Do(http.MethodGet, "/jobs/"+id+"?items_limit=1", "", nil)
	require.Equal(s.T, http.StatusOK, status, "%s", body)
	var j Job
	require.NoError(s.T, json.Unmarshal(body, &j))
	return j
}

// WaitForJob polls a job until it has finished, for up to timeout.
func (s *Server) WaitForJob(id string, timeout time.Duration) Job {
	s.T.Helper()
	deadline := time.Now().Add(timeout)
	for {
		j := s.Job(id)
		if j.State != "queued" && j.State != "running" {
			return j
		}
		require.True(s.T, time.Now().Before(deadline), "job %s still %s after %s", id, j.State, timeout)
		time.Sleep(50 * time.Millisecond)
	}
}

// CSV makes n people to import, named prefix.00000@example.com onwards:
// 2,000 curators, 8,000 learners, then HR.
func CSV(prefix string, n int) string {
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

// Status reads a kB field of /proc/PID/status, such as "VmRSS:".
func Status(pid int, field string) int {
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

// syncBuffer is a bytes.Buffer safe for a writing process and a reading test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

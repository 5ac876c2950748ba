package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/maildomain/dnstest"
)

// sessionStep is one command of a console block in the README and what
// the README shows it printing.
type sessionStep struct{ command, output string }

// readmeSession is the shell session of the README section that starts
// with heading: every "$ " line of its console blocks, with the lines
// after it up to the next command as its output.
func readmeSession(t *testing.T, heading string) []sessionStep {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n"+heading+"\n")
	require.True(t, ok, "README.md has the section %q", heading)
	section, _, _ = strings.Cut(section, "\n## ")
	var steps []sessionStep
	inBlock := false
	for line := range strings.SplitSeq(section, "\n") {
		switch {
		case line == "```console":
			inBlock = true
		case line == "```":
			inBlock = false
		case !inBlock:
		case strings.HasPrefix(line, "$ "):
			steps = append(steps, sessionStep{command: line[2:]})
		case len(steps) > 0 && strings.HasSuffix(steps[len(steps)-1].command, `\`):
			steps[len(steps)-1].command += "\n" + line
		case len(steps) > 0:
			steps[len(steps)-1].output += line + "\n"
		}
	}
	require.NotEmpty(t, steps)
	return steps
}

var (
	anID   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	aTime  = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	aToken = regexp.MustCompile(`token=[A-Za-z0-9_-]{20,}`)
)

// sameButIDsAndTimes compares outputs as the README means them: "ids,
// links and times differ on your machine".
func sameButIDsAndTimes(s string) string {
	s = anID.ReplaceAllString(s, "<id>")
	s = aTime.ReplaceAllString(s, "<time>")
	return strings.TrimSpace(aToken.ReplaceAllString(s, "token=<token>"))
}

// The README's curl session runs as printed, in bash from the repository,
// against `make run` (go run ./cmd/invited serve --demo), and every
// command prints what the README shows, but for ids and times. The only
// change is the address: the server listens on a free port here.
func TestREADMECurlSessionRunsAsPrinted(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the README's curl session needs %s: install it (apt-get install %s)", tool, tool)
		}
	}
	steps := readmeSession(t, "## The seed's flow, with curl")
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	env := append(os.Environ(), "DATABASE_URL=sqlite:"+filepath.Join(t.TempDir(), "invited.db"), "HTTP_ADDR=127.0.0.1:0",
		"LOG_FORMAT=text", "DNS_RESOLVER="+dnstest.NewServer(t, dnstest.HasMX).Addr)

	// make run, in its own process group so that the interrupt reaches
	// the program go run started.
	srv := exec.Command("go", "run", "./cmd/invited", "serve", "--demo")
	srv.Dir, srv.Env = root, env
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := srv.StdoutPipe()
	require.NoError(t, err)
	var logs syncBuffer
	srv.Stderr = &logs
	require.NoError(t, srv.Start())
	exited := make(chan struct{})
	go func() { _ = srv.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-srv.Process.Pid, syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	var banner strings.Builder
	base := ""
	lines := bufio.NewScanner(stdout)
	for base == "" && lines.Scan() {
		banner.WriteString(lines.Text() + "\n")
		if rest, ok := strings.CutPrefix(lines.Text(), "invited listening on "); ok {
			base = rest
		}
	}
	go func() {
		for lines.Scan() {
		}
	}()
	require.NotEmpty(t, base, "make run started; its log:\n%s", &logs)
	require.Contains(t, banner.String(), "export TOKEN=$(go run ./cmd/invited token --org demo --email owner@demo.example)",
		"the banner's hints are for go run, as the server was started")
	// The banner is the one the README shows, but for the password.
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, shown, _ := strings.Cut(string(readme), "prints how to try it:\n\n```text\n")
	shown, _, _ = strings.Cut(shown, "```")
	require.NotEmpty(t, shown)
	for line := range strings.SplitSeq(strings.TrimSpace(shown), "\n") {
		if before, _, ok := strings.Cut(line, "password: …"); ok {
			require.Regexp(t, regexp.QuoteMeta(before)+`password: \S{16,}`, banner.String())
			continue
		}
		require.Contains(t, banner.String(), strings.ReplaceAll(line, "http://127.0.0.1:8080", base), "the README's banner")
	}

	var script strings.Builder
	script.WriteString("set -u -o pipefail\n")
	for i, s := range steps {
		fmt.Fprintf(&script, "printf '\\n@@step %d\\n'\n", i)
		script.WriteString(strings.ReplaceAll(s.command, "http://127.0.0.1:8080", base) + "\n")
	}
	bash := exec.Command("bash", "-c", script.String())
	bash.Dir, bash.Env = root, env
	var out, errOut bytes.Buffer
	bash.Stdout, bash.Stderr = &out, &errOut
	require.NoError(t, bash.Run(), "the session ran; stderr:\n%s\nserver log:\n%s", &errOut, &logs)
	require.Empty(t, errOut.String(), "nothing went to stderr")

	got := regexp.MustCompile(`\n@@step \d+\n`).Split(out.String(), -1)
	require.Len(t, got, len(steps)+1, "%s", out.String())
	for i, s := range steps {
		require.Equal(t, sameButIDsAndTimes(s.output), sameButIDsAndTimes(got[i+1]), "$ %s\nprinted:\n%s", s.command, got[i+1])
	}
}
